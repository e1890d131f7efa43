"""The board's figures lead with deadlines met and missed, not a median of the claimed few."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.ui.screens.supervisor import SupervisorScreen


async def test_never_acknowledged_alerts_show_as_breaches_on_the_board(clinic: Clinic) -> None:
    # 03:00: three high alerts (5 minutes to acknowledge). Alice claims one at 03:02;
    # at 03:30 the other two are 25 minutes past their deadline.
    ids = ingest_records(
        clinic.ctx(),
        [alert_record(id=f"b{n}", client_ref=f"C-{n}") for n in (1, 2, 3)],
        origin="t",
    ).accepted_ids
    clinic.clock.advance(timedelta(minutes=2))
    acknowledge_alert(clinic.ctx("alice"), ids[0])
    clinic.clock.advance(timedelta(minutes=28))
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(SupervisorScreen())
        await pilot.pause()
        figures = str(app.screen.query_one("#figures", Static).render())
    assert "3 alerts  acked in time 1 of 3 (33%), 2 never acked" in figures
    # The median is of the one alert acknowledged, and says so.
    assert "ack 2m 00s (1)" in figures
