"""A fixed, realistic queue for the dashboard snapshots and the README screenshot.

The demo fixtures arrive one every 90 seconds from 02:20 clinic time; three are claimed
by different clinicians; the clock then stops at 03:00. Everything is deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.services.seed import fixture_alert_objects
from oncall.store import people
from oncall.store.db import Store, connect
from oncall.ui.app import OnCallApp

START = datetime(2026, 11, 22, 10, 20, tzinfo=UTC)  # 02:20 in the clinic (PST)
SHOWN_AT = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # 03:00
ALERTS = 26
CLAIMS = {3: "mreyes", 9: "demo", 15: "dkim"}  # alert number (from 0) → who acknowledged it


def build_scene(db_path: Path) -> tuple[Settings, FrozenClock]:
    """Seed `db_path` with the scene; returns the settings and the clock stopped at 03:00."""
    clock = FrozenClock(START)
    settings = Settings(db_path=db_path, idle_lock_minutes=0)
    store = connect(db_path)
    try:
        seed_everything(store, settings=settings, clock=clock, alerts=False)
        objects = fixture_alert_objects(clock)[:ALERTS]
        ids: list[int] = []
        feed = ServiceContext(store, _staff(store, "demo"), clock, settings)
        for number, obj in enumerate(objects, 1):
            ids += ingest_records(feed, [(number, obj)], origin="fixtures").accepted_ids
            clock.advance(timedelta(seconds=90))
        for index, login in CLAIMS.items():
            acknowledge_alert(
                ServiceContext(store, _staff(store, login), clock, settings), ids[index]
            )
    finally:
        store.close()
    clock.set(SHOWN_AT)
    return settings, clock


def _staff(store: Store, login: str) -> Staff:
    with store.read() as conn:
        found = people.staff_by_login(conn, login)
    assert found is not None, login
    return found


def scene_app(db_path: Path, *, privacy: bool = False) -> OnCallApp:
    """The console as the demo clinician on the scene."""
    settings, clock = build_scene(db_path)
    return make_app(replace(settings, privacy_mode=privacy), actor="demo", clock=clock)


async def settle(pilot: Pilot[Any]) -> None:
    """Let the first reads, the counts and the layout finish."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
