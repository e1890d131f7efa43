"""Snapshots of the client screen, the plan form and a version comparison, clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from closing_support import make_safe_to_close
from conftest import alert_record
from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.types import Disposition
from oncall.services import closing, safety_plans
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.store import people
from oncall.store.db import connect
from oncall.ui.app import OnCallApp
from oncall.ui.screens.client import ClientScreen

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
SIZES = [(120, 36), (80, 24)]
CLIENT = "C-1025"  # the demo clinician's client with two plan versions and two contacts


def _client_scene(tmp_path: Path) -> tuple[OnCallApp, int]:
    """The demo clinic; the client has a third plan version, a closed and an open episode."""
    clock = FrozenClock(T0 - timedelta(days=3))
    settings = Settings(db_path=tmp_path / "snap.db")
    store = connect(settings.db_path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    with store.read() as conn:
        actor = people.staff_by_login(conn, "demo")
        client = people.client_by_ref(conn, CLIENT)
    assert actor is not None and client is not None
    ctx = ServiceContext(store, actor, clock, settings)
    current = people.latest_safety_plan(store.conn, client.id)
    assert current is not None
    sections = dict(current.sections)
    sections["warning_signs"] = [*sections["warning_signs"][1:], "Not answering my sister's calls"]
    sections["internal_coping"] = [*sections["internal_coping"], "Text my sponsor a check-in"]
    safety_plans.save_safety_plan(ctx, client.id, sections, current.reasons_for_living)
    for number in (1, 2):
        clock.advance(timedelta(hours=20))
        record = alert_record(id=f"snap-{number}", client_ref=CLIENT, severity="moderate")
        alert_id = ingest_records(ctx, [(1, record)], origin="snapshot").accepted_ids[0]
        episode = acknowledge_alert(ctx, alert_id).episode
        assert episode is not None
        if number == 1:
            clock.advance(timedelta(minutes=40))
            make_safe_to_close(ctx, episode.id)
            closing.close_episode(
                ctx,
                episode.id,
                disposition=Disposition.STABILIZED,
                summary="Talked through cravings; plan reviewed",
                follow_ups=[],
                no_follow_up_reason="Seen in group tomorrow",
            )
    clock.set(T0)
    store.close()
    return make_app(settings, actor="demo", clock=clock), client.id


def _open(client_id: int, *keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(ClientScreen(client_id))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        # A blinking cursor would make the picture depend on the moment it is taken.
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_client_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id = _client_scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(client_id))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_plan_comparison(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id = _client_scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(client_id, "c"))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_plan_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id = _client_scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(client_id, "e"))
