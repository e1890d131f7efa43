"""The live queue, one row per client, with 200,000 alerts waiting (target: a page under 50 ms).

Copies the large database (benchmarks/make_large_db.py; built first unless given), opens
it as the console does (the copy is migrated: the queue-groups backfill is timed), then
adds `--alerts` waiting alerts through the store's own bulk insert, 95% for the 10,000
known clients and 5% for unknown references, so the triggers keep the groups as an
ingest would (timed as alerts a second). Then it times, as the dashboard calls them, the
first page, a page deep in the queue, the last page, a row's position, the counts above
the queue and the "more urgent since" check, each `--runs` times; claims (a trigger
re-chooses the row) one by one; and, for comparison, one GROUP BY over every waiting
alert, which is what grouping at read time would cost on each page.

    .venv/bin/python -m benchmarks.bench_queue [--db PATH] [--alerts 200000] [--runs 50]
        [--keep PATH]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.make_large_db import build, copy_database
from oncall.domain.timefmt import to_iso
from oncall.services.queue import QueueSource
from oncall.store import alerts as alert_rows
from oncall.store.db import Store, connect

PAGE = 41  # rows on a 120x36 screen, and one to know there are more
SEVERITIES = ("imminent", "high", "moderate", "low")


def _ms(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"  {label:<38} median {statistics.median(ms):7.2f} ms   max {ms[-1]:7.2f} ms")


def _timed(call: Callable[[], object], runs: int) -> list[float]:
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        took.append(time.perf_counter() - start)
    return took


def add_waiting(store: Store, count: int, now: datetime, seed: int = 7) -> float:
    """Insert `count` waiting alerts in one transaction; returns the seconds it took."""
    rng = random.Random(seed)
    with store.read() as conn:
        clients = [
            (int(r[0]), str(r[1])) for r in conn.execute("SELECT id, external_ref FROM clients")
        ]
    rows = []
    for n in range(count):
        severity = rng.choice(SEVERITIES)
        received = now - timedelta(seconds=count - n)
        client_id, ref = rng.choice(clients) if rng.random() < 0.95 else (None, f"X-{n}")
        rows.append((
            "bench", f"q-{n}", ref, "craving", severity, SEVERITIES.index(severity),
            "Caller reports cravings after a family argument; safe at home", to_iso(received),
            None, None, None, client_id, int(client_id is None), to_iso(received),
            to_iso(received + timedelta(minutes=30)), "new",
        ))  # fmt: skip
    start = time.perf_counter()
    with store.write() as conn:
        alert_rows.insert_alerts(conn, rows)
    return time.perf_counter() - start


def measure(store: Store, now: datetime, runs: int) -> None:
    """Time the reads the dashboard makes, claims, and a GROUP BY for comparison."""
    source = QueueSource(store)
    tallies = source.tallies(now)
    print(
        f"queue: {tallies.clients:,} rows (clients), {tallies.total:,} alerts,"
        f" {tallies.unacknowledged:,} waiting, {tallies.breached:,} past deadline"
    )
    top = source.after(None, PAGE)
    deep = source.after(None, 1)[0].cursor
    for _ in range(3):  # a cursor about a third of the way down, by keyset hops
        deep = source.after(deep, max(1, tallies.clients // 3 // 3))[-1].cursor
    _ms("first page (41 rows, names)", _timed(lambda: source.after(None, PAGE), runs))
    _ms("page a third of the way down", _timed(lambda: source.after(deep, PAGE), runs))
    _ms("last page (End)", _timed(lambda: source.before(None, PAGE), runs))
    _ms("position of that deep row", _timed(lambda: source.position(deep), runs))
    _ms("counts above the queue (every 1 s)", _timed(lambda: source.tallies(now), runs))
    _ms(
        "more urgent since leaving the queue",
        _timed(lambda: source.more_urgent_since(tallies.latest_alert_id, top[-1].cursor), runs),
    )
    with store.read() as conn:
        waiting = [
            r[0] for r in conn.execute("SELECT id FROM alerts WHERE status = 'new' LIMIT 400")
        ]
    claims = []
    for alert_id in waiting[:200]:
        start = time.perf_counter()
        with store.write() as conn:
            alert_rows.claim_acknowledgement(conn, alert_id, 1, to_iso(now))
        claims.append(time.perf_counter() - start)
    _ms("a claim (trigger re-chooses the row)", claims)
    group_by = (
        "SELECT queue_group, COUNT(*), MIN(severity_rank) FROM alerts"
        " WHERE status IN ('new', 'acknowledged') GROUP BY queue_group"
    )
    with store.read() as conn:
        took = _timed(lambda: conn.execute(group_by).fetchall(), max(3, runs // 10))
        stored = conn.execute("SELECT COUNT(*), SUM(open_alerts) FROM queue_groups").fetchone()
        counted = conn.execute(
            f"SELECT COUNT(*), SUM(c) FROM ({group_by.replace('COUNT(*)', 'COUNT(*) AS c')})"
        ).fetchone()
    _ms("for comparison: one GROUP BY of all", took)
    assert tuple(stored) == tuple(counted), (tuple(stored), tuple(counted))


def main(argv: list[str] | None = None) -> int:
    """Build or copy the large database, fill the queue, and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a large database to copy (else one is built)")
    parser.add_argument("--alerts", type=int, default=200_000, help="waiting alerts to add")
    parser.add_argument("--runs", type=int, default=50, help="repeats of each read")
    parser.add_argument("--keep", type=Path, help="keep the filled copy here (for bench_startup)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        source = args.db
        if source is None:
            source = build(Path(folder) / "large.db", scale=1.0).path
        target = args.keep or Path(folder) / "queue.db"
        copy_database(source, target)
        start = time.perf_counter()
        store = connect(target)  # migrates: the groups are backfilled here
        print(f"opened and migrated the copy in {time.perf_counter() - start:.2f} s")
        now = datetime.now(UTC)
        took = add_waiting(store, args.alerts, now)
        rate = args.alerts / took
        print(f"added {args.alerts:,} waiting alerts in {took:.2f} s = {rate:,.0f} alerts/s")
        try:
            measure(store, now, args.runs)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
