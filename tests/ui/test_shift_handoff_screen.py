"""F3, the shift handoff on screen: waiting alerts first and OVERDUE, private on request."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import Static

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import ingest_records
from oncall.ui.screens.shift_handoff import ShiftHandoffScreen


async def _handoff_text(clinic: Clinic, *, privacy: bool) -> str:
    settings = replace(clinic.settings, privacy_mode=privacy)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ShiftHandoffScreen)
        return str(app.screen.query_one("#handoff-text", Static).render())


async def test_f3_leads_with_the_unclaimed_imminent_alert(clinic: Clinic) -> None:
    # 03:00 an IMMINENT overdose for Jordan Test (2 minutes to claim); nobody claims it.
    record = alert_record(id="od", severity="imminent", kind="overdose", summary="Found by Sam")
    ingest_records(clinic.ctx(), [record], origin="t")
    clinic.clock.advance(timedelta(minutes=12))
    text = await _handoff_text(clinic, privacy=False)
    assert text.index("Alerts waiting for acknowledgement (1)") < text.index("Open episodes (0)")
    assert "Jordan Test  OVERDUE" in text and "Found by Sam" in text
    assert "acknowledgement was due Sun 03:02 — OVERDUE by 10m 00s" in text
    private = await _handoff_text(clinic, privacy=True)
    # Privacy mode: initials, and the alert's own words (which may name people) left out.
    assert "J.T.  OVERDUE" in private
    assert "Jordan" not in private and "Found by Sam" not in private
