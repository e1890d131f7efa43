"""Build a large synthetic database for the benchmarks (docs/design.md section 8, issue 2).

At scale 1: 10,000 clients, 100,000 episodes, 1,000,000 timeline events, 50,000
resources, 20,000 alerts, 10,000 pending follow-ups, 200 staff and eight weeks of
shifts. Rows go in with raw `executemany` through the store's own connection, in
transactions of about 50,000 rows, after the store has created and migrated the
schema: foreign keys are on, one open episode per client holds, the FTS index, the
category table (resource_categories) and the opening-hours table are filled the way
the store fills them (the first two by the schema's triggers).

    python -m benchmarks.make_large_db /tmp/large.db [--scale 0.1] [--force]

or, from another benchmark: `from benchmarks.make_large_db import build`.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.large_db_directory import resource_rows
from benchmarks.large_db_episodes import ClinicalRows
from benchmarks.large_db_rows import Plan, RowMaker, Rows
from oncall.store import queue_groups
from oncall.store.audit import append_audit_many
from oncall.store.db import Store, connect
from oncall.store.resource_hours import backfill_hours

FULL_SIZE = {
    "staff": 200,
    "clients": 10_000,
    "episodes": 100_000,
    "timeline_events": 1_000_000,
    "resources": 50_000,
    "alerts": 20_000,
    "pending_follow_ups": 10_000,
}
"""Row counts at scale 1.0."""
SMALLEST = {
    "staff": 20,
    "clients": 10,
    "episodes": 20,
    "timeline_events": 60,
    "resources": 10,
    "alerts": 10,
    "pending_follow_ups": 5,
}
CHUNK = 50_000
"""Rows per transaction: big enough to be fast, small enough to keep memory flat."""


@dataclass(frozen=True)
class BuiltDatabase:
    """What `build` made: where, how many rows of each kind, how long it took."""

    path: Path
    counts: dict[str, int]
    seconds: float
    size_bytes: int
    now: datetime
    """The moment the data is arranged around (open episodes, due follow-ups)."""


def sizes(scale: float) -> dict[str, int]:
    """Row counts for a scale (1.0 = the full benchmark size)."""
    if not scale > 0:
        raise ValueError("scale must be a positive number")
    return {name: max(SMALLEST[name], round(count * scale)) for name, count in FULL_SIZE.items()}


def build(
    path: Path | str,
    *,
    scale: float = 1.0,
    seed: int = 2026,
    now: datetime | None = None,
    overwrite: bool = False,
) -> BuiltDatabase:
    """Create a synthetic database of `sizes(scale)` rows at `path`."""
    path = Path(path)
    _make_room(path, overwrite)
    now = now or datetime.now(UTC).replace(second=0, microsecond=0)
    counts = sizes(scale)
    started = time.perf_counter()
    store = connect(path)
    try:
        plan = Plan.make(random.Random(seed), counts)
        people = RowMaker(random.Random(seed + 1), plan, now.timestamp())
        clinical = ClinicalRows(people)
        for rows in (
            people.staff(),
            people.shifts(),
            people.clients(),
            people.emergency_contacts(),
            people.safety_plans(),
        ):
            _insert(store, rows)
        for chunk in clinical.episode_chunks(CHUNK):
            with store.write() as conn:  # episodes first: alerts and events refer to them
                for rows in chunk:
                    _execute(conn, rows)
        for rows in (clinical.new_alerts(), clinical.follow_ups(), resource_rows(people)):
            _insert(store, rows)
        with store.write() as conn:
            backfill_hours(conn)  # the store derives opening intervals from schedules
            queue_groups.rebuild(conn)  # …and the queue's client rows from the alerts
        audit = sorted(clinical.audit, key=lambda entry: entry[0])
        for start in range(0, len(audit), CHUNK):
            with store.write() as conn:
                append_audit_many(conn, audit[start : start + CHUNK])
        found = _count(store)
    finally:
        store.close()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in _files(path) if p.exists())
    return BuiltDatabase(path, found, seconds, size, now)


def _files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def _make_room(path: Path, overwrite: bool) -> None:
    """Refuse to build over an existing database unless told to replace it."""
    if path.exists() and path.stat().st_size > 0:
        if not overwrite:
            raise FileExistsError(f"{path} already exists (use --force to replace it)")
        for file in _files(path):
            if file.exists():
                file.unlink()


def _execute(conn: sqlite3.Connection, rows: Rows) -> None:
    """One executemany of (table, columns, rows)."""
    table, columns, items = rows
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        items,
    )


def _insert(store: Store, rows: Rows) -> None:
    """Insert (table, columns, rows) in transactions of CHUNK rows."""
    table, columns, items = rows
    chunk: list[tuple[object, ...]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            with store.write() as conn:
                _execute(conn, (table, columns, chunk))
            chunk = []
    if chunk:
        with store.write() as conn:
            _execute(conn, (table, columns, chunk))


def _count(store: Store) -> dict[str, int]:
    tables = {
        "staff": "staff",
        "on_call_shifts": "on_call_shifts",
        "clients": "clients",
        "episodes": "episodes",
        "timeline_events": "timeline_events",
        "resources": "resources",
        "alerts": "alerts",
        "follow_ups": "follow_ups",
        "audit_log": "audit_log",
    }
    counts = {
        name: store.query(f"SELECT COUNT(*) FROM {table}")[0][0] for name, table in tables.items()
    }
    counts["pending_follow_ups"] = store.query(
        "SELECT COUNT(*) FROM follow_ups WHERE status = 'pending'"
    )[0][0]
    counts["open_episodes"] = store.query("SELECT COUNT(*) FROM episodes WHERE status != 'closed'")[
        0
    ][0]
    return counts


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a database with SQLite's backup API, reading the source only
    (never `cp` a live WAL database: PITFALLS); the original stays as it is."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def main(argv: list[str] | None = None) -> int:
    """Build the database named on the command line and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the database file to create")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the full size (default 1.0; 0.1 builds in seconds)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    try:
        built = build(args.path, scale=args.scale, seed=args.seed, overwrite=args.force)
    except (FileExistsError, ValueError) as error:
        print(f"make_large_db: {error}", file=sys.stderr)
        return 2
    for name, count in built.counts.items():
        print(f"{name:>20} {count:>10,}")
    print(
        f"built {built.path} in {built.seconds:.1f} s; "
        f"{built.size_bytes / 1e6:,.0f} MB on disk (scale {args.scale:g})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
