"""Snapshots of the resource directory at 120x36 and 80x24, clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from conftest import alert_record
from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.models import Location
from oncall.services import episodes
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.store import people
from oncall.store.db import connect
from oncall.ui.app import OnCallApp
from oncall.ui.screens.resources import ResourceDirectoryScreen

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # Sunday 03:00 in the clinic
SIZES = [(120, 36), (80, 24)]


def _scene(tmp_path: Path) -> tuple[OnCallApp, int]:
    """The demo directory, and an episode whose client confirmed where they are."""
    clock = FrozenClock(T0)
    settings = Settings(db_path=tmp_path / "snap.db")
    store = connect(settings.db_path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    with store.read() as conn:
        actor = people.staff_by_login(conn, "demo")
    assert actor is not None
    ctx = ServiceContext(store, actor, clock, settings)
    record = alert_record(id="dir-snap", client_ref="C-1001", severity="high")
    alert_id = ingest_records(ctx, [(1, record)], origin="snapshot").accepted_ids[0]
    episode = acknowledge_alert(ctx, alert_id).episode
    assert episode is not None
    where = Location("parked outside the library", zip="92701", lat=33.7490, lon=-117.8705)
    episodes.confirm_location(ctx, episode.id, where)
    store.close()
    return make_app(settings, actor="demo", clock=clock), episode.id


def _open(episode_id: int | None, *keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(ResourceDirectoryScreen(episode_id))
        await pilot.pause()
        # A blinking cursor would make the picture depend on the moment it is taken.
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_directory_nearest_first(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, episode_id = _scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(episode_id))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_directory_search_typed(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, episode_id = _scene(tmp_path)
    keys = (*"detox", "enter", "down", "down", "down", "down")
    assert snap_compare(app, terminal_size=size, run_before=_open(episode_id, *keys))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_directory_without_an_episode(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    app, _episode_id = _scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(None))
