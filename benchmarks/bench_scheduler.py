"""The scheduler on the large database (issue 4): rebuilding the jobs of 10,000 pending
follow-ups at start (target under 1 s), and how late reminders fire (target p99 under 1 s).

1. Rebuild. On a copy of the large database (SQLite's backup API), a scheduler that
   plans every assignee's reminders (the worst case: a console plans only its own
   user's) and the dispatcher's deadlines is started in an asyncio loop; the time
   from `start()` to every job being in APScheduler is reported (read, plan, add),
   on three fresh copies. Then a re-sync with nothing changed (what every database
   change costs), a full re-time, and the overdue burst: what fell due while no
   console ran fires at once, and the time until all of it was claimed.
2. Lateness. The real console (Textual, headless, scheduler on) acting as one
   clinician; another connection schedules N follow-ups for that clinician due
   over a few seconds of real time. Lateness is the claim's `fired_at` minus the
   follow-up's due time, read back from the claims table.

    .venv/bin/python -m benchmarks.bench_scheduler [--db /tmp/large.db] [--scale 1.0]
        [--reminders 1000] [--spread 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.make_large_db import build, copy_database
from oncall.cli import make_app
from oncall.clock import SystemClock
from oncall.config import Settings
from oncall.domain.timefmt import from_iso, to_iso
from oncall.scheduler.engine import ConsoleScheduler
from oncall.scheduler.plan import EVERYONE
from oncall.services.context import ServiceContext
from oncall.services.escalation import dispatcher_actor
from oncall.services.reminders import Reminder
from oncall.store import followups
from oncall.store.db import connect


async def rebuild_once(path: Path) -> dict[str, float]:
    """Start an everyone-scope scheduler on `path`; time the rebuild and the overdue burst."""
    store = connect(path)
    settings = Settings(db_path=path)
    ctx = ServiceContext(store, dispatcher_actor("bench"), SystemClock(), settings)
    now = to_iso(datetime.now(UTC))
    overdue = store.query(
        "SELECT COUNT(*) FROM follow_ups WHERE status = 'pending' AND due_at <= ?", (now,)
    )[0][0]
    shown: list[Reminder] = []
    scheduler = ConsoleScheduler(
        ctx, on_reminder=shown.append, reminders_for=EVERYONE, hooks={}, role="bench"
    )
    started = time.perf_counter()
    report = await scheduler.start()
    rebuilt = time.perf_counter() - started
    while len(shown) < overdue and time.perf_counter() - started < 60:
        await asyncio.sleep(0.005)
    burst = time.perf_counter() - started
    quiet = await scheduler.resync_now()
    retimed = await scheduler.resync_now(replan=True)
    await scheduler.shutdown()
    store.close()
    return {
        "jobs": report.jobs,
        "rebuild_s": rebuilt,
        "overdue": overdue,
        "overdue_shown": len(shown),
        "burst_s": burst,
        "quiet_resync_s": quiet.seconds,
        "retime_s": retimed.seconds,
    }


async def lateness(path: Path, count: int, spread_s: float) -> list[float]:
    """Seconds late of `count` reminders due over `spread_s` s, in a running console."""
    store = connect(path)
    login, staff_id = store.query(
        "SELECT login, id FROM staff WHERE role = 'clinician' AND active = 1 ORDER BY id LIMIT 1"
    )[0]
    episode_id, client_id = store.query(
        "SELECT id, client_id FROM episodes WHERE status = 'closed' LIMIT 1"
    )[0]
    settings = Settings(db_path=path, idle_lock_minutes=0)
    app = make_app(replace(settings), actor=login, scheduler=True)
    ids: list[int] = []
    async with app.run_test(size=(120, 36)) as pilot:
        # The console loads its scheduler a moment after the first paint (ui/app.py).
        loaded_by = time.perf_counter() + 60
        while app.scheduling is None or app.scheduling.scheduler is None:
            if time.perf_counter() > loaded_by:
                raise RuntimeError("the console's scheduler did not start within a minute")
            await asyncio.sleep(0.01)
        ready = app.scheduling.scheduler.ready
        assert ready is not None
        await ready
        first = datetime.now(UTC) + timedelta(seconds=2)
        with store.write() as conn:  # another connection, as another console would
            for n in range(count):
                due = first + timedelta(seconds=spread_s * n / count)
                ids.append(
                    followups.insert_follow_up(
                        conn,
                        episode_id=episode_id,
                        client_id=client_id,
                        kind="caring_contact",
                        due_at=to_iso(due),
                        assignee_id=staff_id,
                        created_at=to_iso(datetime.now(UTC)),
                        created_by=staff_id,
                    ).id
                )
        await pilot.pause(spread_s + 4.0)
    marks = ",".join(str(i) for i in ids)
    rows = store.query(
        "SELECT fired_at, detail FROM dispatch_claims WHERE subject_type = 'follow_up_reminder'"
        f" AND subject_id IN ({marks})"
    )
    store.close()
    late = [(from_iso(r[0]) - from_iso(json.loads(r[1])["due_at"])).total_seconds() for r in rows]
    if len(late) != count:
        print(f"  only {len(late)} of {count} reminders fired")
    return late


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    """Build (or take) the large database, then run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a large database built by make_large_db")
    parser.add_argument("--scale", type=float, default=1.0, help="when building (default 1.0)")
    parser.add_argument("--reminders", type=int, default=1000, help="for the lateness run")
    parser.add_argument("--spread", type=float, default=5.0, help="seconds they fall due over")
    args = parser.parse_args()
    # The console is the dispatcher too: its deliveries to unconfigured targets log warnings.
    logging.basicConfig(level=logging.ERROR)
    work = Path(tempfile.mkdtemp(prefix="oncall-bench-scheduler-"))
    source = args.db
    if source is None:
        source = work / "large.db"
        built = build(source, scale=args.scale)
        print(f"built the large database in {built.seconds:.0f} s: {built.counts}")
    print("1. rebuild at start (every assignee's reminders + the dispatcher's deadlines)")
    for run in range(3):
        copy = work / f"rebuild-{run}.db"
        copy_database(source, copy)
        got = asyncio.run(rebuild_once(copy))
        print(
            f"  run {run + 1}: {got['jobs']:,.0f} jobs rebuilt in {got['rebuild_s']:.3f} s;"
            f" {got['overdue_shown']:,.0f}/{got['overdue']:,.0f} overdue reminders shown"
            f" {got['burst_s']:.2f} s after start; re-sync with no change"
            f" {got['quiet_resync_s'] * 1000:.1f} ms; full re-time {got['retime_s']:.3f} s"
        )
    print(f"2. lateness: {args.reminders:,} reminders due over {args.spread:g} s, in the console")
    copy = work / "lateness.db"
    copy_database(source, copy)
    late = asyncio.run(lateness(copy, args.reminders, args.spread))
    if late:
        print(
            f"  p50 {percentile(late, 0.5) * 1000:.0f} ms, p95 {percentile(late, 0.95) * 1000:.0f}"
            f" ms, p99 {percentile(late, 0.99) * 1000:.0f} ms, max {max(late) * 1000:.0f} ms"
            f" (mean {statistics.mean(late) * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    main()
