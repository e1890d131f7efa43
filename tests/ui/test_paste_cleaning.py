"""A paste with terminal escapes in it: the break-the-glass reason is kept without them."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.access import OutsideCare
from oncall.services.views import view_client
from oncall.store.audit import audit_entries
from oncall.ui.screens.break_glass import BreakGlassScreen, offer_break_glass

PASTED = "client\x1b]52;c;aGk=\x07 asked\u202e for \x9b2JBob by name"


async def test_a_pasted_reason_reaches_the_field_and_the_audit_without_escapes(
    clinic: Clinic,
) -> None:
    client = clinic.clients["C-2"]
    with pytest.raises(OutsideCare) as refused:
        view_client(clinic.ctx("bob"), client)
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        offer_break_glass(app.screen, app.services, refused.value, lambda: None)
        await pilot.pause()
        assert isinstance(app.screen, BreakGlassScreen)
        app.post_message(events.Paste(PASTED))  # as a terminal's bracketed paste arrives
        await pilot.pause()
        value = app.screen.query_one("#glass-reason", Input).value
        assert value == "client]52;c;aGk= asked for 2JBob by name"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    with clinic.store.read() as conn:
        glass = [
            e for e in audit_entries(conn, client_id=client) if e.action == "access.break_glass"
        ]
    assert glass[0].detail["reason"] == "client]52;c;aGk= asked for 2JBob by name"
