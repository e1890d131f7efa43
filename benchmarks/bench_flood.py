"""A flood does not slow the console (issue 17): 500 / 20,000 / 200,000 waiting alerts.

For each size, a copy of the large database (benchmarks/make_large_db.py) gets that many
more waiting alerts through the store's bulk insert (95% for known clients, 5% unknown
references; received over the last ten minutes, deadlines an hour or more away, so no
escalation storm runs during the measurement; what the large database had overdue is
escalated first). Then two consoles run as `oncall` runs them (headless, 120x36,
scheduler on), each in its own process, as two clinicians. The first to start holds the
dispatcher lease; the second is measured:

- alert visible: this (third) process commits one alert at a time, at random moments;
  the console reports when its queue's counts include it (clock of the host, p50/p95);
- PgDn / PgUp: from the top, `--pages` PgDn, then End and as many PgUp, each key
  timed until the screen has handled it and what it caused (p50/p95);
- RSS of the console's process after all that (/proc, VmRSS);
- idle CPU: the console's CPU time over `--idle` seconds with nothing happening but
  the other console renewing its dispatcher lease, in percent of one core;
- when the console had painted its first screen, and when its scheduler was ready.

    .venv/bin/python -m benchmarks.bench_flood --db /tmp/large.db [--sizes 300,20000,200000]
        [--samples 20] [--pages 20] [--idle 10]

Run it on a quiet machine if you can; on a shared one, say how loaded it was.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEVERITIES = ("imminent", "high", "moderate", "low")
TICKS = os.sysconf("SC_CLK_TCK")


# -- the console (a child process) ------------------------------------------------------


async def _console(db: str, login: str) -> None:
    """Run the console; answer the parent's commands on stdin (WATCH id, PAGES n, QUIT)."""
    from oncall.cli import make_app
    from oncall.config import Settings
    from oncall.ui.app import OnCallApp
    from oncall.ui.screens.dashboard import DashboardScreen

    logging.basicConfig(level=logging.CRITICAL)  # no deliveries are configured: quiet
    settings = Settings(db_path=Path(db), idle_lock_minutes=0)
    app = make_app(replace(settings), actor=login, scheduler=True)
    assert isinstance(app, OnCallApp)
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        painted = time.perf_counter() - started
        while app.scheduling is None or app.scheduling.scheduler is None:
            await asyncio.sleep(0.01)
        ready = app.scheduling.scheduler.ready
        if ready is not None:
            await ready
        print(f"READY {painted:.3f} {time.perf_counter() - started:.3f}", flush=True)
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "QUIT":
                break
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            if line[0] == "WATCH":  # until the queue's counts include alert `id`
                wanted = int(line[1])
                until = time.time() + 30
                while screen._tallies.latest_alert_id < wanted and time.time() < until:
                    await asyncio.sleep(0.002)
                print(f"SEEN {time.time():.6f}", flush=True)
            elif line[0] == "PAGES":
                took: list[float] = []
                for key in ["pagedown"] * int(line[1]) + ["end"] + ["pageup"] * int(line[1]):
                    begin = time.perf_counter()
                    await pilot.press(key)  # returns once the screen has handled it all
                    if key != "end":
                        took.append(time.perf_counter() - begin)
                print("PAGED " + " ".join(f"{t:.5f}" for t in took), flush=True)


# -- the parent ----------------------------------------------------------------------------


def _fill(path: Path, count: int, seed: int = 17) -> int:
    """Escalate what was overdue, add `count` waiting alerts; the waiting total."""
    from oncall.clock import SystemClock
    from oncall.config import Settings
    from oncall.domain.timefmt import to_iso
    from oncall.services.context import ServiceContext
    from oncall.services.escalation import dispatcher_actor, run_due_escalations
    from oncall.store import alerts as alert_rows
    from oncall.store.db import connect

    store = connect(path)
    ctx = ServiceContext(store, dispatcher_actor("bench"), SystemClock(), Settings(db_path=path))
    while run_due_escalations(ctx).steps:
        pass
    rng = random.Random(seed)
    now = datetime.now(UTC)
    clients = [(int(r[0]), str(r[1])) for r in store.query("SELECT id, external_ref FROM clients")]
    rows = []
    for n in range(count):
        severity = rng.choice(SEVERITIES)
        received = now - timedelta(seconds=600 * (count - n) / count)
        client_id, ref = rng.choice(clients) if rng.random() < 0.95 else (None, f"X-{n}")
        rows.append((
            "flood", f"f-{n}", ref, "craving", severity, SEVERITIES.index(severity),
            "Caller reports cravings after a family argument; safe at home", to_iso(received),
            None, None, None, client_id, int(client_id is None), to_iso(received),
            to_iso(received + timedelta(hours=1, minutes=rng.randrange(60))), "new",
        ))  # fmt: skip
    with store.write() as conn:
        alert_rows.insert_alerts(conn, rows)
    waiting = int(store.query("SELECT COUNT(*) FROM alerts WHERE status = 'new'")[0][0])
    store.close()
    return waiting


def _add_one(path: Path, n: int) -> int:
    """Commit one waiting alert, as an ingest in another process would; its id."""
    from oncall.domain.timefmt import to_iso
    from oncall.store import alerts as alert_rows
    from oncall.store.db import connect

    now = datetime.now(UTC)
    row = (
        "flood-probe", f"p-{n}-{time.time_ns()}", f"X-probe-{n}", "relapse", "high", 1,
        "Probe alert", to_iso(now), None, None, None, None, 1, to_iso(now),
        to_iso(now + timedelta(hours=3)), "new",
    )  # fmt: skip
    store = connect(path, migrate=False)
    try:
        with store.write() as conn:
            return int(alert_rows.insert_alerts(conn, [row])[0][2])
    finally:
        store.close()


class Console:
    """A console child process and its pipes."""

    def __init__(self, db: Path, login: str) -> None:
        command = [sys.executable, "-m", "benchmarks.bench_flood", "--child", str(db), login]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        words = self.ask(None, "READY")
        self.painted, self.ready = float(words[1]), float(words[2])

    def ask(self, command: str | None, answer: str) -> list[str]:
        """Send `command` (if any) and wait for the line starting with `answer`."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(answer):
                return line.split()
        raise RuntimeError(f"the console ended before answering {answer}")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self) -> float:
        """Resident set size now, in MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        """Quit the console and wait for its process."""
        try:
            assert self.process.stdin is not None
            self.process.stdin.write("QUIT\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(source: Path, folder: Path, added: int, args: argparse.Namespace) -> dict[str, str]:
    """One size: fill a copy, run two consoles, measure the first."""
    from benchmarks.make_large_db import copy_database
    from oncall.store.db import connect

    path = folder / f"flood-{added}.db"
    copy_database(source, path)
    waiting = _fill(path, added)
    store = connect(path, migrate=False)
    logins = [
        str(r[0])
        for r in store.query(
            "SELECT login FROM staff WHERE role = 'clinician' AND active = 1 ORDER BY id LIMIT 2"
        )
    ]
    store.close()
    # The other console starts first and so holds the dispatcher lease: its renewals are
    # what the measured console sees while idle.
    other = Console(path, logins[1])
    measured = Console(path, logins[0])
    rng = random.Random(5)
    try:
        seen = []
        for n in range(args.samples):
            time.sleep(rng.uniform(0.3, 1.0))  # at a random moment against the polls
            alert_id = _add_one(path, n)
            committed_at = time.time()  # the commit is done when the call returns
            words = measured.ask(f"WATCH {alert_id}", "SEEN")
            seen.append(float(words[1]) - committed_at)
        paged = [float(w) for w in measured.ask(f"PAGES {args.pages}", "PAGED")[1:]]
        time.sleep(2.0)  # let the last refreshes settle
        cpu_before, wall_before = measured.cpu_seconds(), time.perf_counter()
        time.sleep(args.idle)
        idle = (measured.cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
        rss = measured.rss_mb()
    finally:
        measured.close()
        other.close()
    path.unlink()
    return {
        "waiting": f"{waiting:,}",
        "visible": f"{_pct(seen, 0.5) * 1000:.0f} / {_pct(seen, 0.95) * 1000:.0f} ms",
        "paging": f"{_pct(paged, 0.5) * 1000:.0f} / {_pct(paged, 0.95) * 1000:.0f} ms",
        "rss": f"{rss:.0f} MB",
        "idle": f"{idle * 100:.1f}%",
        "start": f"{measured.painted:.1f} s / {measured.ready:.1f} s",
    }


def main(argv: list[str] | None = None) -> int:
    """Measure each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a large database (else one is built)")
    parser.add_argument("--sizes", default="300,20000,200000", help="waiting alerts to add")
    parser.add_argument("--samples", type=int, default=20, help="alerts timed per size")
    parser.add_argument("--pages", type=int, default=20, help="PgDn (and PgUp) per size")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_console(*args.child))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="oncall-bench-flood-") as tmp:
        source = args.db
        if source is None:
            from benchmarks.make_large_db import build

            source = build(Path(tmp) / "large.db", scale=1.0).path
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(source, Path(tmp), size, args))
            print(f"  {rows[-1]}", flush=True)
    print(
        "| alerts waiting | alert visible in another console (p50 / p95) | PgDn/PgUp (p50 / p95)"
        " | console RSS | idle CPU | first paint / scheduler ready |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['waiting']} | {row['visible']} | {row['paging']} | {row['rss']}"
            f" | {row['idle']} | {row['start']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
