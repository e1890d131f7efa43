"""Real processes: three `oncall worker`s on one database, the lease holder SIGKILLed 20 times.

Alerts, handoffs and follow-ups fall due all along (deadlines in seconds via
the settings file); every escalation step and outbox message must happen
exactly once, and another worker must take over within 10 seconds each time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import Clinic
from oncall.clock import SystemClock
from oncall.config import load_settings
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ShiftRole
from oncall.services.alerts import acknowledge_alert
from oncall.services.errors import ServiceError
from oncall.store import leases, people, schedule
from oncall.store.db import Store
from scheduling_support import new_alert, schedule_follow_ups

pytestmark = pytest.mark.slow

SETTINGS_TOML = """
handoff_confirm_minutes = 0.03
follow_up_grace_minutes = 0.01

[ack_deadline_minutes]
imminent = 0.015
high = 0.02
moderate = 0.025
low = 0.03
"""
WORKER_ARGS = ["--lease-ttl", "0.8", "--renew-every", "0.2", "--tick", "0.2"]
KILLS = 20
HOTLINE = {"org": "988 Orange County", "counselor": "K-17", "reference": "988-1"}


class Workers:
    """The worker processes this test started, by pid."""

    def __init__(self, db: Path, env: dict[str, str], logs: Path) -> None:
        self.db, self.env, self.logs = db, env, logs
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        log = open(self.logs / f"worker-{len(self.procs)}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "oncall.cli", "worker", "--db", str(self.db), *WORKER_ARGS],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        log.close()
        self.procs[proc.pid] = proc

    def alive(self) -> list[int]:
        return [pid for pid, proc in self.procs.items() if proc.poll() is None]


def _holder(store: Store) -> tuple[str, int] | None:
    """The live lease holder and its pid, if any."""
    with store.read() as conn:
        lease = leases.current(conn, leases.DISPATCHER)
    if lease is None or lease.expires_at < to_iso(datetime.now(UTC)):
        return None
    return lease.holder, int(lease.holder.split(":")[-2])


class Receiver:
    """A webhook on 127.0.0.1 that counts what it receives by Idempotency-Key."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        received = self.keys

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received[self.headers["Idempotency-Key"]] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _real_clinic(clinic: Clinic, tmp_path: Path, receiver_url: str = "") -> Clinic:
    """The clinic on the real clock with the seconds-long deadlines, a rota around now."""
    config = tmp_path / "oncall.toml"
    target = f'\n[[targets]]\nname = "escalations"\nurl = "{receiver_url}"\n'
    config.write_text(SETTINGS_TOML + (target if receiver_url else ""))
    settings = replace(load_settings(config, environ={}), db_path=clinic.store.path)
    now = datetime.now(UTC)
    with clinic.store.write() as conn:
        for login, role in [("alice", "primary"), ("bob", "backup"), ("sue", "supervisor")]:
            people.insert_shift(
                conn,
                staff_id=clinic.staff[login].id,
                role=ShiftRole(role),
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
            )
        for n in range(200):
            clinic.clients[f"K-{n}"] = people.insert_client(
                conn, {"external_ref": f"K-{n}", "name": f"Kappa Test {n}"}
            )
    return Clinic(clinic.store, SystemClock(), settings, clinic.staff, clinic.clients)  # type: ignore[arg-type]


def _make_work(real: Clinic, rng: random.Random, fresh: list[str], waiting: list[int]) -> None:
    """One random piece of clinic life that falls due within seconds."""
    choice = rng.random()
    try:
        if choice < 0.45:
            waiting.append(
                new_alert(
                    real,
                    client_ref=rng.choice(["C-1", "C-2", "C-3"]),
                    severity=rng.choice(["imminent", "high", "moderate", "low"]),
                )
            )
        elif choice < 0.6 and waiting:
            acknowledge_alert(real.ctx("alice"), waiting.pop(rng.randrange(len(waiting))))
        elif choice < 0.75 and fresh:
            ack = acknowledge_alert(
                real.ctx("alice"),
                new_alert(real, client_ref=fresh.pop(), source="hotline", handoff=HOTLINE),
            )
            assert ack.episode is not None
        elif fresh:
            schedule_follow_ups(
                real, [timedelta(seconds=rng.uniform(0.3, 2.0))], client_ref=fresh.pop()
            )
    except ServiceError:
        pass  # a race with a worker's step (say, the alert closed): part of life


def _wait_until_quiet(real: Clinic, timeout: float) -> None:
    """Until nothing is left to fall due and nothing that fell due is left undone."""
    chain = len(real.settings.escalation_policy.chain)
    handoff_chain = len(real.settings.handoff_policy.chain)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = datetime.now(UTC)
        at, overdue = to_iso(now), to_iso(now - real.settings.follow_up_grace)
        with real.store.read() as conn:
            undone = (
                schedule.alerts_past_deadline(conn, at, chain),
                schedule.follow_ups_to_escalate(conn, overdue, 5),
                schedule.handoffs_past_deadline(conn, at, handoff_chain),
            )
            upcoming = conn.execute(
                "SELECT (SELECT COUNT(*) FROM alerts WHERE status = 'new'"
                " AND escalation_level < 2) + (SELECT COUNT(*) FROM follow_ups"
                " WHERE status = 'pending' AND due_at > ?)",
                (overdue,),
            ).fetchone()[0]
        if not any(undone) and not upcoming:
            return
        time.sleep(0.2)
    raise AssertionError("the workers left due work undone")


@pytest.mark.slow
def test_killing_the_dispatcher_20_times_loses_nothing_and_doubles_nothing(
    clinic: Clinic, tmp_path: Path
) -> None:
    receiver = Receiver()
    real = _real_clinic(clinic, tmp_path, receiver.url)
    env = {**os.environ, "ONCALL_CONFIG": str(tmp_path / "oncall.toml")}
    workers = Workers(clinic.store.path, env, tmp_path)
    for _ in range(3):
        workers.start()
    rng = random.Random(4)
    fresh = [f"K-{n}" for n in range(200)]
    waiting: list[int] = []
    takeovers: list[float] = []
    started = time.monotonic()
    try:
        while len(takeovers) < KILLS:
            assert time.monotonic() - started < 90, "the kill rounds took too long"
            holder = _holder(clinic.store)
            while holder is None or holder[1] not in workers.alive():
                _make_work(real, rng, fresh, waiting)
                time.sleep(0.05)
                holder = _holder(clinic.store)
            # Let it work a random while, then kill it wherever it is.
            until = time.monotonic() + rng.uniform(0.1, 0.9)
            while time.monotonic() < until:
                _make_work(real, rng, fresh, waiting)
                time.sleep(0.05)
            os.kill(holder[1], signal.SIGKILL)
            killed_at = time.monotonic()
            workers.procs[holder[1]].wait()
            workers.start()  # keep three running
            while (now := _holder(clinic.store)) is None or now[0] == holder[0]:
                assert time.monotonic() - killed_at < 10, "no takeover within 10 s"
                _make_work(real, rng, fresh, waiting)
                time.sleep(0.02)
            takeovers.append(time.monotonic() - killed_at)
        _wait_until_quiet(real, timeout=20)
        time.sleep(1.0)  # a last delivery round
    finally:
        for pid in workers.alive():
            os.kill(pid, signal.SIGTERM)
        codes = [proc.wait(timeout=15) for proc in workers.procs.values()]
    assert codes.count(-signal.SIGKILL) == KILLS
    assert all(code in (0, -signal.SIGKILL) for code in codes), codes
    print(
        f"takeover after SIGKILL: max {max(takeovers):.2f} s, mean "
        f"{sum(takeovers) / len(takeovers):.2f} s over {len(takeovers)} kills"
    )
    assert max(takeovers) < 10
    receiver.close()
    steps = _assert_every_step_exactly_once(clinic.store)
    with clinic.store.read() as conn:
        queued = {r[0] for r in conn.execute("SELECT idempotency_key FROM outbox")}
    # The workers' outbox hook delivered them with their keys. A message a killed
    # worker had claimed waits out the notifier's claim (a minute) before it is sent
    # again, so not all arrive within this test; the notifier's own tests cover that.
    assert receiver.keys and set(receiver.keys) <= queued
    print(f"{len(receiver.keys)} of {len(queued)} messages received, by key")
    print(f"{steps} escalation steps and handoff reminders, each exactly once")
    with clinic.store.read() as conn:
        assert leases.current(conn, leases.DISPATCHER) is None  # released on SIGTERM
    logs = "".join(p.read_text() for p in tmp_path.glob("worker-*.log"))
    assert "Kappa Test" not in logs and "Casey Sample" not in logs and "Traceback" not in logs


def _assert_every_step_exactly_once(store: Store) -> int:
    with store.read() as conn:
        claims = conn.execute(
            "SELECT subject_type, subject_id, level, fired_at, detail FROM dispatch_claims"
            " WHERE subject_type IN ('alert', 'follow_up', 'handoff')"
        ).fetchall()
        keys = Counter(json.loads(c["detail"])["idempotency_key"] for c in claims)
        outbox = Counter(
            r[0]
            for r in conn.execute(
                "SELECT idempotency_key FROM outbox"
                " WHERE kind IN ('escalation', 'handoff_reminder')"
            )
        )
        audits = Counter(
            (r[0], r[1], json.loads(r[2])["level"])
            for r in conn.execute(
                "SELECT object_type, object_id, detail FROM audit_log WHERE action IN"
                " ('alert.escalated', 'follow_up.escalated', 'handoff.reminded')"
            )
        )
        bodies = [
            json.loads(r[0])
            for r in conn.execute("SELECT body FROM timeline_events WHERE kind = 'escalation'")
        ]
        events = Counter((b["subject"], b[f"{b['subject']}_id"], b["level"]) for b in bodies)
        # Commit order, not clock readings: audit ids follow the serialized write transactions.
        acked_in = {
            int(r[0]): r[1]
            for r in conn.execute(
                "SELECT object_id, id FROM audit_log WHERE action = 'alert.acknowledged'"
            )
        }
        escalated_in: dict[int, list[int]] = {}
        for r in conn.execute(
            "SELECT object_id, id FROM audit_log WHERE action = 'alert.escalated'"
        ):
            escalated_in.setdefault(int(r[0]), []).append(r[1])
        alerts = conn.execute(
            "SELECT id, status, acknowledged_at, escalation_level FROM alerts"
        ).fetchall()
        pending_handoffs = [
            r[0] for r in conn.execute("SELECT id FROM episodes WHERE status = 'handoff_pending'")
        ]
        follow_ups = [r[0] for r in conn.execute("SELECT id FROM follow_ups")]
    assert len(claims) > 100, "too little happened to prove anything"
    assert keys == outbox and set(keys.values()) == {1}, "an outbox message missing or doubled"
    assert sum(audits.values()) == len(claims) and set(audits.values()) == {1}
    assert set(events.values()) <= {1}
    levels: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for c in claims:
        levels.setdefault((c["subject_type"], c["subject_id"]), []).append(
            (c["level"], c["fired_at"])
        )
    for alert in alerts:
        steps = sorted(levels.get(("alert", alert["id"]), []))
        assert [lv for lv, _ in steps] == list(range(1, alert["escalation_level"] + 1))
        if alert["status"] == "new":
            assert alert["escalation_level"] == 2, alert["id"]
        else:  # acknowledging stopped the chain at once
            assert all(i < acked_in[alert["id"]] for i in escalated_in.get(alert["id"], []))
    for episode_id in pending_handoffs:
        assert [lv for lv, _ in sorted(levels[("handoff", episode_id)])] == [1, 2]
    for follow_up_id in follow_ups:  # every one went overdue: each escalated once
        assert [lv for lv, _ in levels[("follow_up", follow_up_id)]] == [1]
    return len(claims)


CONSOLE = r"""
import asyncio, json, sys
from oncall.clock import SystemClock
from oncall.config import Settings
from oncall.scheduler.engine import ConsoleScheduler
from oncall.services.context import ServiceContext
from oncall.store import people
from oncall.store.db import connect

db, login, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])


async def main():
    store = connect(db)
    with store.read() as conn:
        actor = people.staff_by_login(conn, login)
    ctx = ServiceContext(store, actor, SystemClock(), Settings(db_path=store.path))

    def show(reminder):
        print(json.dumps([reminder.follow_up.follow_up_id, reminder.overdue]), flush=True)

    scheduler = ConsoleScheduler(ctx, on_reminder=show, reminders_for=actor.id, dispatch=False)
    await scheduler.start()
    await asyncio.sleep(seconds)
    await scheduler.shutdown()


asyncio.run(main())
"""


def _consoles(db: Path, count: int, seconds: float) -> list[list[int | bool]]:
    """Run `count` console schedulers for pat at once; every reminder they showed."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONSOLE, str(db), "pat", str(seconds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    shown: list[list[int | bool]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        shown += [json.loads(line) for line in out.splitlines() if line.strip()]
    return shown


def test_reminders_that_fell_due_while_closed_fire_once_at_restart_marked_overdue(
    clinic: Clinic, tmp_path: Path
) -> None:
    real = _real_clinic(clinic, tmp_path)
    due_soon = [
        follow_up_id
        for n in range(30)
        for follow_up_id in schedule_follow_ups(
            real, [timedelta(seconds=0.5 + n / 30)], client_ref=f"K-{n}"
        )
    ]
    later = schedule_follow_ups(real, [timedelta(hours=1)], client_ref="K-99")
    time.sleep(2.0)  # every console closed while all thirty fell due
    shown = _consoles(clinic.store.path, count=3, seconds=2.0)
    assert sorted(entry[0] for entry in shown) == sorted(due_soon)  # once, across three
    assert all(entry[1] is True for entry in shown)
    assert _consoles(clinic.store.path, count=2, seconds=1.0) == []  # restarting adds nothing
    assert later[0] not in [entry[0] for entry in shown]
