"""The downtime pack of a 500-client program: how long it takes to build, how big it is.

Builds the large database at --scale 0.05 (500 clients, 5,000 episodes, 50,000
timeline events, 2,500 resources; benchmarks/make_large_db.py) unless one is given,
then makes the pack of a supervisor (every client the criteria name) and of the
clinician on the rota with the largest caseload, and times each step: gathering and
auditing (one transaction), encrypting (scrypt + AES-GCM) and opening it again.

    .venv/bin/python -m benchmarks.bench_downtime [--db PATH] [--scale 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.downtime import build_pack, pack_bytes, read_pack
from oncall.store import people
from oncall.store.db import Store, connect

PASSPHRASE = "benchmark-passphrase"


def _measure(store: Store, who: Staff, clock: FrozenClock, db: Path, runs: int) -> None:
    ctx = ServiceContext(store, who, clock, Settings(db_path=db))
    gather, seal, opened = [], [], []
    data = b""
    for _ in range(runs):
        started = time.perf_counter()
        pack = build_pack(ctx)
        gather.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = pack_bytes(pack, PASSPHRASE)
        seal.append(time.perf_counter() - started)
        started = time.perf_counter()
        read_pack(data, PASSPHRASE, "bench")
        opened.append(time.perf_counter() - started)
    events = sum(len(e.timeline) for c in pack.clients for e in c.episodes)
    print(
        f"{who.role.value} {who.login}: {len(pack.clients)} clients, {events:,} timeline events,"
        f" {len(pack.rota)} shifts, {len(pack.resources) + len(pack.national_lines)} resources;"
        f" pack {len(data):,} bytes; gather+audit median {statistics.median(gather) * 1000:.0f} ms,"
        f" encrypt {statistics.median(seal) * 1000:.0f} ms,"
        f" open {statistics.median(opened) * 1000:.0f} ms"
    )


def main() -> None:
    """Build or open the database and report each pack's size and times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing large database")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if args.db is None:
        from benchmarks.make_large_db import build

        args.db = Path(tempfile.mkdtemp(prefix="oncall-bench-")) / "large.db"
        built = build(args.db, scale=args.scale, now=now)
        print(f"built {built.counts.get('clients', 0):,} clients in {built.seconds:.1f} s")
        now = built.now
    store = connect(args.db)
    clock = FrozenClock(now)
    with store.read() as conn:
        staff = people.list_staff(conn, active_only=True)
        week = people.shifts_between(conn, now, now + timedelta(days=7))
        on_rota = {s.staff_id for s in week}
        caseloads = dict(
            conn.execute(
                "SELECT primary_clinician_id, COUNT(*) FROM clients GROUP BY primary_clinician_id"
            ).fetchall()
        )
    supervisor = next(s for s in staff if s.role is Role.SUPERVISOR)
    clinicians = [s for s in staff if s.role is Role.CLINICIAN]
    clinician = max(clinicians, key=lambda s: (s.id in on_rota, caseloads.get(s.id, 0)))
    for who in (supervisor, clinician):
        _measure(store, who, clock, args.db, args.runs)
    store.close()


if __name__ == "__main__":
    main()
