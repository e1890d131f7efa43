"""Client forms cut off by a hang-up come back to their author: intake (F7) and record edits.

Drafts of the client record's forms are kept per author, form and client (or "new
client" for an intake), offered back only when the same person opens the same form
about the same client, and audited by title and client only, never with the text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from burst import burst, keys_of
from episode_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.drafts import my_drafts
from oncall.store import people
from oncall.ui.app import OnCallApp
from oncall.ui.hangup import keep_unsaved
from oncall.ui.screens.client import ClientScreen
from oncall.ui.screens.forms.care_team import CareTeamForm
from oncall.ui.screens.forms.client_details import ClientDetailsForm
from oncall.ui.screens.forms.consent import ConsentForm
from oncall.ui.screens.forms.contact import ContactForm

SIZE = (120, 36)
NEW_PHONE = "+1-714-555-0177"
NEW_ADDRESS = "40 Harbor Blvd, Unit 9"


def _app(clinic: Clinic, login: str = "alice") -> OnCallApp:
    settings = replace(clinic.settings, idle_lock_minutes=0)
    return make_app(settings, actor=login, clock=clinic.clock)


async def _record(pilot: Pilot[Any], client_id: int) -> ClientScreen:
    screen = ClientScreen(client_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def _draft_audit(clinic: Clinic) -> list[tuple[str, str, str | None, str]]:
    with clinic.store.read() as conn:
        rows = conn.execute(
            "SELECT action, object_type, object_id, detail FROM audit_log"
            " WHERE action LIKE 'draft.%' ORDER BY id"
        ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def test_an_edit_of_contact_details_comes_back_for_that_client_only(clinic: Clinic) -> None:
    c1, c3 = clinic.clients["C-1"], clinic.clients["C-3"]
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClientDetailsForm)
        form.query_one("#phone", Input).value = NEW_PHONE
        form.query_one("#address", Input).value = NEW_ADDRESS
        await settle(pilot)
        assert keep_unsaved(app) == 1  # what the hang-up handler does
    assert my_drafts(clinic.ctx("bob")) == [], "a draft is its author's alone"
    ((action, kind, object_id, detail),) = _draft_audit(clinic)
    assert (action, kind, object_id) == ("draft.kept", "client", str(c1))
    assert "Jordan" not in detail and "555-0177" not in detail and "Harbor" not in detail
    assert json.loads(detail)["form"] == "Contact details"

    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        # Another client's details form is not filled with it.
        await _record(pilot, c3)
        await burst(pilot, "d")
        await settle(pilot)
        assert app.screen.query_one("#phone", Input).value == "+1-714-555-0142"
        await burst(pilot, "escape")
        await settle(pilot)
        # The same client's: filled back in, and saved as typed.
        await _record(pilot, c1)
        await burst(pilot, "d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClientDetailsForm)
        assert form.query_one("#phone", Input).value == NEW_PHONE
        assert form.query_one("#address", Input).value == NEW_ADDRESS
        assert form.query_one("#name", Input).value == "Jordan Test"
        await burst(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
    with clinic.store.read() as conn:
        client = people.client_by_id(conn, c1)
        other = people.client_by_id(conn, c3)
    assert client is not None and (client.phone, client.address) == (NEW_PHONE, NEW_ADDRESS)
    assert other is not None and other.phone == "+1-714-555-0142"
    assert my_drafts(clinic.ctx("alice")) == []
    actions = [a for a, *_ in _draft_audit(clinic)]
    assert actions == ["draft.kept", "draft.restored", "draft.dropped"]


async def test_an_intake_cut_off_comes_back_on_the_next_f7(clinic: Clinic) -> None:
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f7", keys_of("MRN-4471"), "tab", keys_of("Avery Quinn"))
        await settle(pilot)
        assert isinstance(app.screen, ClientDetailsForm)
        assert keep_unsaved(app) == 1
    (draft,) = my_drafts(clinic.ctx("alice"))
    assert (draft.title, draft.episode_id, draft.subject.client_id) == (
        "New client (intake)",
        None,
        None,
    )
    assert my_drafts(clinic.ctx("sue")) == []

    app = _app(clinic)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Draft kept" in shown and "New client (intake)" in shown
        await burst(pilot, "f7")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClientDetailsForm)
        assert form.query_one("#external_ref", Input).value == "MRN-4471"
        assert form.query_one("#name", Input).value == "Avery Quinn"
        await burst(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
    with clinic.store.read() as conn:
        made = people.client_by_ref(conn, "MRN-4471")
    assert made is not None and made.name == "Avery Quinn"
    assert my_drafts(clinic.ctx("alice")) == []


async def test_a_contact_correction_keeps_what_was_typed_over_the_contact_chosen(
    clinic: Clinic,
) -> None:
    c1 = clinic.clients["C-1"]
    with clinic.store.read() as conn:
        (contact,) = people.emergency_contacts(conn, c1)
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        form.query_one("#which", Select).value = contact.id  # fills in the stored values
        await settle(pilot)
        form.query_one("#phone", Input).value = "+1-714-555-0123"
        await settle(pilot)
        assert keep_unsaved(app) == 1
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#which", Select).value == contact.id
        assert form.query_one("#name", Input).value == "Sam Sample"
        assert form.query_one("#phone", Input).value == "+1-714-555-0123"
        await burst(pilot, "ctrl+s")
        await settle(pilot)
    with clinic.store.read() as conn:
        (saved,) = people.emergency_contacts(conn, c1)
    assert (saved.id, saved.phone) == (contact.id, "+1-714-555-0123")


async def test_consent_and_care_team_forms_come_back_to_their_author(clinic: Clinic) -> None:
    c1 = clinic.clients["C-1"]
    app = _app(clinic, "sue")
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "g")
        await settle(pilot)
        assert isinstance(app.screen, ConsentForm)
        app.screen.query_one("#hotline", Checkbox).value = False  # revoke, not yet saved
        app.screen.query_one("#dated", Input).value = "2026-11-20"
        await settle(pilot)
        assert keep_unsaved(app) == 1
        await burst(pilot, "escape", "y")
        await settle(pilot)
        await burst(pilot, "t")
        await settle(pilot)
        assert isinstance(app.screen, CareTeamForm)
        app.screen.query_one("#program", Input).value = "Evening IOP"
        await settle(pilot)
        assert keep_unsaved(app) == 1
    titles = sorted(d.title for d in my_drafts(clinic.ctx("sue")))
    assert titles == ["Care team and program", "Consent on file (42 CFR Part 2)"]
    assert my_drafts(clinic.ctx("alice")) == []
    app = _app(clinic, "sue")
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "g")
        await settle(pilot)
        assert app.screen.query_one("#hotline", Checkbox).value is False
        assert app.screen.query_one("#dated", Input).value == "2026-11-20"
        await burst(pilot, "escape", "y")
        await settle(pilot)
        await burst(pilot, "t")
        await settle(pilot)
        assert app.screen.query_one("#program", Input).value == "Evening IOP"


async def test_keys_typed_as_the_form_opens_with_a_draft_go_on_from_it(clinic: Clinic) -> None:
    c1 = clinic.clients["C-1"]
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "d")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "Jordan Tess"
        await settle(pilot)
        assert keep_unsaved(app) == 1
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await _record(pilot, c1)
        await burst(pilot, "d", "end", keys_of(" Jr"))  # one burst: typed before it shows
        await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "Jordan Tess Jr"
