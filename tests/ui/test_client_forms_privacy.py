"""Privacy mode (F9) keeps a client's details off the screen in the record's edit forms."""

from __future__ import annotations

from typing import Any

from episode_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input, Select

from conftest import Clinic
from oncall.cli import make_app
from oncall.store import people
from oncall.ui.navigation import open_client
from oncall.ui.screens.forms.client_details import ClientDetailsForm
from oncall.ui.screens.forms.consent import ConsentForm
from oncall.ui.screens.forms.contact import ContactForm

PHONE, NAME, CONTACT = "555-0142", "Jordan Test", "Sam Sample"


def shown(pilot: Pilot[Any]) -> str:
    """What the terminal shows now, as text (the screenshot's characters)."""
    return pilot.app.export_screenshot().replace("&#160;", " ")


async def test_edit_forms_mask_details_until_a_field_is_revealed(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 40)) as pilot:
        open_client(app, clinic.clients["C-1"])
        await settle(pilot)
        await pilot.press("f9")  # privacy mode on, the record open
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClientDetailsForm)
        text = shown(pilot)
        assert "Contact details of J.T." in text
        assert PHONE not in text and NAME not in text
        # Revealing is deliberate and one field at a time.
        form.query_one("#phone", Input).focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = shown(pilot)
        assert PHONE in text and NAME not in text
        # Privacy mode off shows everything; on again masks the revealed field too.
        await pilot.press("f9")
        await pilot.pause()
        assert NAME in shown(pilot)
        await pilot.press("f9")
        await pilot.pause()
        text = shown(pilot)
        assert PHONE not in text and NAME not in text
        # Typing into a masked field still saves what was typed.
        form.query_one("#phone", Input).value = ""
        await pilot.press(*"+1 714 555 0177", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ClientDetailsForm)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        app.screen.query_one("#which", Select).focus()
        await pilot.press("enter")  # the list of contacts on file, opened
        await pilot.pause()
        text = shown(pilot)
        assert "S.S. (sibling)" in text and CONTACT not in text
        await pilot.press("escape", "escape")  # the list, then the form
        await settle(pilot)
        await pilot.press("g")  # consent: each contact named by initials too
        await settle(pilot)
        assert isinstance(app.screen, ConsentForm)
        text = shown(pilot)
        assert "S.S. (sibling)" in text and CONTACT not in text
    with clinic.store.read() as conn:
        client = people.client_by_id(conn, clinic.clients["C-1"])
    assert client is not None and client.phone == "+1 714 555 0177"
