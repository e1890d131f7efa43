"""Two separate processes race to acknowledge the same 200 alerts: one winner each time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import Clinic, alert_record
from oncall.services.alerts import ingest_records

RACER = r"""
import json, random, sys, time
from pathlib import Path
from datetime import UTC, datetime
from oncall.clock import SystemClock
from oncall.services.alerts import acknowledge_alert
from oncall.services.context import ServiceContext
from oncall.services.errors import AlreadyAcknowledged
from oncall.store import people
from oncall.store.db import connect

db, login, go, ids = sys.argv[1], sys.argv[2], Path(sys.argv[3]), json.loads(sys.argv[4])
store = connect(db)
with store.read() as conn:
    actor = people.staff_by_login(conn, login)
ctx = ServiceContext(store, actor, SystemClock())
(go.parent / f"ready-{login}").touch()
while not go.exists():
    time.sleep(0.001)
# Each racer walks the alerts in its own random order, so both claim the same
# alert at nearly the same moment many times over.
random.Random(login).shuffle(ids)
results = {}
pause = random.Random(login + "-pause")
for alert_id in ids:
    # A short pause between claims (as between key presses) lets the other process
    # take the write lock; without it one process can hold it for the whole loop.
    time.sleep(pause.random() * 0.003)
    try:
        acknowledge_alert(ctx, alert_id)
        results[alert_id] = "won"
    except AlreadyAcknowledged as lost:
        results[alert_id] = "lost to " + lost.by_name
print(json.dumps(results))
"""


def test_two_processes_racing_to_acknowledge_have_exactly_one_winner(
    clinic: Clinic, tmp_path: Path
) -> None:
    records = [(n, alert_record(id=f"race-{n}", client_ref=f"C-{1 + n % 3}")) for n in range(200)]
    ids = ingest_records(clinic.ctx(), records, origin="test").accepted_ids
    assert len(ids) == 200
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(clinic.store.path), login, str(go), json.dumps(ids)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for login in ("alice", "bob")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{login}").exists() for login in ("alice", "bob")):
        assert time.monotonic() < deadline, "racers never became ready"
        time.sleep(0.01)
    go.touch()
    outputs = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        outputs.append({int(k): v for k, v in json.loads(out).items()})
    alice, bob = outputs
    names = {"alice": "Alice Rivera", "bob": "Bob Okafor"}
    for alert_id in ids:
        pair = (alice[alert_id], bob[alert_id])
        assert pair in {("won", f"lost to {names['alice']}"), (f"lost to {names['bob']}", "won")}, (
            alert_id,
            pair,
        )
    with clinic.store.read() as conn:
        rows = conn.execute(
            "SELECT a.id, s.login FROM alerts a JOIN staff s ON s.id = a.acknowledged_by"
        ).fetchall()
    winners = {row[0]: row[1] for row in rows}
    assert len(winners) == 200
    assert all(winners[i] == ("alice" if alice[i] == "won" else "bob") for i in ids)
    # Both really raced: each won some (200 claims interleaved over two processes).
    assert 0 < sum(v == "won" for v in alice.values()) < 200
