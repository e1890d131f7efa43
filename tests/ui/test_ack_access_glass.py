"""In the console, a client whose episode closed more than 72 hours ago offers the glass."""

from __future__ import annotations

from datetime import timedelta

from episode_helpers import settle

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.domain.types import Disposition
from oncall.services import closing
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.ui.screens.break_glass import BreakGlassScreen
from oncall.ui.screens.client import ClientScreen


def _claimed_and_closed(clinic: Clinic) -> None:
    """Bob acknowledges an alert for C-2 (alice's caseload) and closes its episode."""
    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id="glass-1", client_ref="C-2")], origin="t"
    ).accepted_ids
    episode = acknowledge_alert(clinic.ctx("bob"), alert_id).episode
    assert episode is not None
    make_safe_to_close(clinic.ctx("bob"), episode.id)
    closing.close_episode(
        clinic.ctx("bob"),
        episode.id,
        disposition=Disposition.STABILIZED,
        summary="Stabilized by phone",
        follow_ups=[],
        no_follow_up_reason="client is seen at the clinic tomorrow",
    )


async def test_the_record_opens_at_71_hours_and_offers_the_glass_at_73(clinic: Clinic) -> None:
    _claimed_and_closed(clinic)
    clinic.clock.advance(timedelta(hours=71))
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.push_screen(ClientScreen(clinic.clients["C-2"]))
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("escape")
        await settle(pilot)
        clinic.clock.advance(timedelta(hours=2))
        await pilot.app.push_screen(ClientScreen(clinic.clients["C-2"]))
        await settle(pilot)
        assert isinstance(app.screen, BreakGlassScreen)
        assert app.screen.refusal.client_ref == "C-2"
