"""The simulated demo feed: plausible records that the ordinary ingest path accepts."""

from __future__ import annotations

from pathlib import Path

from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.services.demo import seed_everything
from oncall.services.demo_feed import DemoFeed
from oncall.store.db import connect


def test_every_record_is_accepted_and_new(tmp_path: Path, clock: FrozenClock) -> None:
    store = connect(tmp_path / "demo.db")
    settings = Settings(db_path=store.path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    feed = DemoFeed(store, clock=clock, settings=settings, seed=3)
    unknown = 0
    for _ in range(120):
        report = feed.bring_one()
        assert report.accepted == 1 and report.rejected_count == 0 and report.duplicates == 0
        unknown += report.unknown_clients
    # A few name a client the program does not know: accepted and flagged, never dropped.
    assert 0 < unknown < 40
    rows = store.query("SELECT source, handoff FROM alerts")
    assert len(rows) == 120
    assert all((r["source"] == "hotline") == (r["handoff"] is not None) for r in rows)
    store.close()


def test_two_runs_on_one_file_do_not_collide(tmp_path: Path, clock: FrozenClock) -> None:
    store = connect(tmp_path / "demo.db")
    first, second = DemoFeed(store, clock=clock), DemoFeed(store, clock=clock)
    ids = {first.next_record()["id"] for _ in range(5)} | {
        second.next_record()["id"] for _ in range(5)
    }
    assert len(ids) == 10
    store.close()


def test_seeding_a_database_again_adds_no_second_rota(tmp_path: Path, clock: FrozenClock) -> None:
    store = connect(tmp_path / "demo.db")
    settings = Settings(db_path=store.path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    shifts = store.query("SELECT staff_id, role, starts_at, ends_at FROM on_call_shifts")
    assert len(shifts) > 0
    lines = seed_everything(store, settings=settings, clock=clock, alerts=False)
    again = store.query("SELECT staff_id, role, starts_at, ends_at FROM on_call_shifts")
    assert sorted(map(tuple, again)) == sorted(map(tuple, shifts))
    assert lines[0].endswith(" 0 on-call shifts")
    store.close()
