"""`oncall ingest` end to end: 100,000 JSON-lines records, 10% duplicates.

Targets (issue 2): at least 20,000 alerts a second, peak memory under 200 MB.
Each run is a real `python -m oncall.cli ingest` process; its wall time is
measured around the process and its peak memory and CPU time come from
`os.wait4` (the child's rusage: its CPU time includes the worker process that
prepares the records, its peak memory is the larger of the two). Runs against a
fresh database, and against a copy of a large one when `--large-db PATH` or
`--build-large SCALE` is given; `--runs N` repeats each and prints the spread
(the machine is shared: single runs vary by 15% and more).

    python -m benchmarks.bench_ingest [--records 100000] [--runs 7]
        [--large-db PATH | --build-large 1.0] [--profile FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_PER_S = 20_000
TARGET_MB = 200
KINDS = ("overdose", "suicidal_ideation", "self_harm", "withdrawal", "relapse", "craving")
SEVERITIES = ("imminent", "high", "moderate", "low")


def write_feed(path: Path, records: int, duplicate_share: float, seed: int = 7) -> int:
    """Write `records` JSON lines, `duplicate_share` of them exact resends; the unique count."""
    rng = random.Random(seed)
    sent: list[bytes] = []
    with path.open("wb") as out:
        for n in range(records):
            if sent and rng.random() < duplicate_share:
                out.write(rng.choice(sent))
                continue
            client = 100_001 + rng.randrange(10_000)  # the large database's client refs
            obj = {
                "id": f"feed-{n:07d}",
                "source": rng.choice(("hotline", "app", "ehr")),
                "client_ref": f"C-{client}" if rng.random() < 0.95 else f"C-X{n}",
                "kind": rng.choice(KINDS),
                "severity": rng.choice(SEVERITIES),
                "summary": "Caller reports cravings after a family argument; safe at home",
                "occurred_at": f"2026-11-22T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:00-08:00",
                "location": {"text": "home", "zip": f"927{n % 100:02d}"},
            }
            if n % 20 == 0:
                obj["handoff"] = {
                    "org": "988 Orange County",
                    "counselor": "K-17",
                    "reference": f"988-{n}",
                    "callback": "+1-714-555-0101",
                }
            line = json.dumps(obj).encode() + b"\n"
            sent.append(line)
            out.write(line)
    return len(sent)


@dataclass(frozen=True)
class Run:
    """One measured ingest."""

    label: str
    records: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    summary: str

    @property
    def per_second(self) -> float:
        """Input records handled per second of wall time."""
        return self.records / self.seconds


def run_ingest(label: str, db: Path, feed: Path, records: int, profile: Path | None) -> Run:
    """Run `oncall ingest` in a child process and measure it."""
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "oncall.cli", "ingest", "--db", str(db), str(feed)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)  # this child's rusage, not all children's
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{label}: ingest exited {child.returncode}: {err.decode()[-2000:]}")
    return Run(
        label,
        records,
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        out.decode().splitlines()[0],
    )


def alerts_in(db: Path) -> int:
    """How many alerts the database holds (0 when it does not exist yet)."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
    finally:
        conn.close()


def report(run: Run, added: int, expected: int) -> None:
    """Print one run's figures against the targets."""
    speed = "ok" if run.per_second >= TARGET_PER_S else "MISSED"
    memory = "ok" if run.peak_mb < TARGET_MB else "MISSED"
    print(
        f"{run.label}: {run.records:,} records in {run.seconds:.2f} s wall "
        f"({run.cpu_seconds:.2f} s CPU) = {run.per_second:,.0f} alerts/s [{speed}, target "
        f"{TARGET_PER_S:,}]; peak {run.peak_mb:.0f} MB [{memory}, target < {TARGET_MB}]"
    )
    print(f"  {run.summary}")
    if added != expected:
        raise SystemExit(f"{run.label}: {added} alerts were added, expected {expected}")


def summarize(label: str, runs: list[Run]) -> None:
    """Print the spread of repeated runs: min / median / max alerts per second, peak memory."""
    if len(runs) < 2:
        return
    speeds = sorted(run.per_second for run in runs)
    missed = sum(speed < TARGET_PER_S for speed in speeds)
    print(
        f"{label}, {len(runs)} runs: {speeds[0]:,.0f} / {statistics.median(speeds):,.0f} / "
        f"{speeds[-1]:,.0f} alerts/s (min / median / max; {missed} below {TARGET_PER_S:,}); "
        f"peak {max(run.peak_mb for run in runs):.0f} MB at most"
    )


def main(argv: list[str] | None = None) -> int:
    """Generate the feed, run the ingests, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of resends")
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement N times")
    parser.add_argument("--large-db", type=Path, help="a large database to copy and import into")
    parser.add_argument(
        "--build-large",
        type=float,
        metavar="SCALE",
        help="build a large database at this scale first (1.0 = full size)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a cProfile of the (first) fresh run here: the writing process only",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        feed = work / "alerts.jsonl"
        unique = write_feed(feed, args.records, args.duplicates)
        print(
            f"feed: {args.records:,} records, {unique:,} unique, "
            f"{feed.stat().st_size / 1e6:.0f} MB; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs"
        )
        runs = []
        for n in range(args.runs):
            fresh = work / f"fresh-{n}.db"
            profile = args.profile if n == 0 else None
            # Only `oncall init` makes a database; its cost is not the import's.
            init = [sys.executable, "-m", "oncall.cli", "init", "--db", str(fresh)]
            subprocess.run(init, check=True, capture_output=True)
            run = run_ingest("fresh database", fresh, feed, args.records, profile)
            report(run, alerts_in(fresh), unique)
            runs.append(run)
            for leftover in work.glob(f"fresh-{n}.db*"):
                leftover.unlink()
        summarize("fresh database", runs)
        large = args.large_db
        if large is None and args.build_large:
            from benchmarks.make_large_db import build

            built = build(work / "large.db", scale=args.build_large)
            print(f"built a large database (scale {args.build_large:g}) in {built.seconds:.1f} s")
            large = built.path
        if large is not None:
            from benchmarks.make_large_db import copy_database

            runs = []
            for _n in range(args.runs):
                copy = work / "large-copy.db"
                copy_database(large, copy)
                before = alerts_in(copy)
                label = f"large database ({before:,} alerts)"
                run = run_ingest(label, copy, feed, args.records, None)
                report(run, alerts_in(copy) - before, unique)
                runs.append(run)
                for leftover in work.glob("large-copy.db*"):
                    leftover.unlink()
            summarize("large database", runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
