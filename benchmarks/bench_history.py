"""Scrolling the episode history of 100,000 episodes (target: under 100 ms per page).

Builds the large database (benchmarks/make_large_db.py) unless one is given, then
pages through the history as the console does, both as a supervisor (every
episode) and as a clinician (the clients they may open), and times each page read
(the service call the screen makes) and, separately, the page drawn into the real
history screen under Textual's Pilot.

    .venv/bin/python -m benchmarks.bench_history [--db PATH] [--scale 1.0] [--pages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.episode_history import read_history_page
from oncall.store import people
from oncall.store.db import connect

PAGE = 40  # rows on a 120x36 screen, with a margin


def _report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[max(0, round(0.99 * len(ms)) - 1)]
    print(
        f"{label}: {len(ms)} pages, median {statistics.median(ms):.2f} ms, "
        f"p99 {p99:.2f} ms, max {ms[-1]:.2f} ms"
    )


def page_through(ctx: ServiceContext, pages: int) -> list[float]:
    """Read `pages` pages downwards from the newest, then back up; time every read."""
    times: list[float] = []
    started = time.perf_counter()
    page = read_history_page(ctx, limit=PAGE)
    times.append(time.perf_counter() - started)
    keys = [page.rows[0].key]
    for _ in range(pages):
        if not page.rows:
            break
        started = time.perf_counter()
        page = read_history_page(ctx, limit=PAGE, older_than=page.rows[-1].key, count=False)
        times.append(time.perf_counter() - started)
        if page.rows:
            keys.append(page.rows[0].key)
    for key in reversed(keys[1:]):
        started = time.perf_counter()
        read_history_page(ctx, limit=PAGE, newer_than=key, count=False)
        times.append(time.perf_counter() - started)
    return times


async def screen_pages(db: Path, login: str, clock: FrozenClock, pages: int) -> list[float]:
    """Press PageDown in the real history screen and time each redraw."""
    app = make_app(Settings(db_path=db, idle_lock_minutes=0), actor=login, clock=clock)
    times: list[float] = []
    idle: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        for _ in range(pages):
            started = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()
            times.append(time.perf_counter() - started)
            # The same round trip for a key that does nothing: Pilot's own cost.
            started = time.perf_counter()
            await pilot.press("z")
            await pilot.pause()
            idle.append(time.perf_counter() - started)
    app.services.store.close()
    _report("screen, a key that does nothing (Pilot round trip)", idle)
    return times


def main() -> None:
    """Build or open the database and report the page times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing large database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    if args.db is None:
        from benchmarks.make_large_db import build

        args.db = Path(tempfile.mkdtemp(prefix="oncall-bench-")) / "large.db"
        built = build(args.db, scale=args.scale)
        print(f"built {built.counts.get('episodes', 0):,} episodes in {built.seconds:.1f} s")
    store = connect(args.db)
    with store.read() as conn:
        staff = people.list_staff(conn, active_only=True)
        episodes = conn.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
    supervisor = next(s for s in staff if s.role in (Role.SUPERVISOR, Role.ADMIN))
    clinician = next(s for s in staff if s.role is Role.CLINICIAN)
    print(f"{episodes:,} episodes in {args.db}")
    clock = FrozenClock(datetime.now(UTC))
    for who in (supervisor, clinician):
        ctx = ServiceContext(store, who, clock, Settings(db_path=args.db))
        _report(f"service, {who.role.value}", page_through(ctx, args.pages))
    store.close()
    drawn = asyncio.run(screen_pages(args.db, supervisor.login, clock, min(args.pages, 50)))
    _report("screen PageDown (read + redraw, Pilot)", drawn)


if __name__ == "__main__":
    main()
