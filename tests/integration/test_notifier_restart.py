"""Deliverers in separate processes: a crash mid-send, a restart while the receiver is down,
and two dispatchers at once. The receiver counts every message exactly once by key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from local_http import Receiver, free_port, serving

from conftest import Clinic
from oncall.commands.common import system_actor
from oncall.config import TargetSettings
from oncall.domain.timefmt import to_iso
from oncall.feeds.notifier import DeliveryPolicy, OutboxDeliverer
from oncall.services.context import ServiceContext
from oncall.store import outbox

DELIVERER = r"""
import asyncio, json, sys, time
from datetime import datetime
from pathlib import Path
from oncall.clock import FrozenClock
from oncall.commands.common import system_actor
from oncall.config import Settings, TargetSettings
from oncall.feeds.notifier import DeliveryPolicy, OutboxDeliverer
from oncall.services.context import ServiceContext
from oncall.store.db import connect

db, url, now, batch, go = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
now = datetime.fromisoformat(now)
store = connect(db)
settings = Settings(db_path=Path(db), targets=(TargetSettings(name="desk", url=url),))
ctx = ServiceContext(store, system_actor("worker"), FrozenClock(now), settings)
while go and not Path(go).exists():
    time.sleep(0.001)

async def main() -> None:
    policy = DeliveryPolicy(batch=batch, timeout_s=10)
    async with OutboxDeliverer(ctx, policy=policy) as sender:
        delivered = []
        while True:
            results = await sender.deliver_due(now)
            if not results:
                break
            delivered += [r.idempotency_key for r in results if r.delivered]
    print(json.dumps(delivered), flush=True)

asyncio.run(main())
"""


def queue(clinic: Clinic, count: int) -> list[str]:
    keys = [f"escalation-{n}" for n in range(count)]
    with clinic.store.write() as conn:
        for key in keys:
            outbox.enqueue(
                conn,
                kind="escalation",
                target="desk",
                payload={"step": 1},
                idempotency_key=key,
                created_at=to_iso(clinic.clock.now()),
            )
    return keys


def start_deliverer(
    clinic: Clinic, url: str, now: datetime, *, batch: int = 50, go: Path | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            DELIVERER,
            str(clinic.store.path),
            url,
            now.isoformat(),
            str(batch),
            str(go or ""),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def statuses(clinic: Clinic) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in clinic.store.query("SELECT status, attempts FROM outbox")]


def wait_for(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


async def test_a_deliverer_killed_after_sending_is_replaced_and_the_resend_keeps_the_key(
    clinic: Clinic,
) -> None:
    keys = queue(clinic, 5)
    now = clinic.clock.now()
    receiver = Receiver(slow_first_s=30)  # counts the message, then holds the answer
    with serving(receiver) as server:
        first = start_deliverer(clinic, server.url("/hook"), now)
        wait_for(lambda: len(receiver.counted) == 5)
        os.kill(first.pid, signal.SIGKILL)  # dies before it can record the deliveries
        first.wait(timeout=10)
        assert statuses(clinic) == [("pending", 1)] * 5  # claimed, sent, not recorded
        ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, clinic.settings)
        targets = [TargetSettings(name="desk", url=server.url("/hook"))]
        async with OutboxDeliverer(ctx, targets=targets, policy=DeliveryPolicy()) as second:
            assert await second.deliver_due(now) == []  # the dead one's claim still holds
            later = now + timedelta(seconds=DeliveryPolicy().claim_s + 1)
            results = await second.deliver_due(later)
    assert sorted(r.idempotency_key for r in results if r.delivered) == sorted(keys)
    assert all(receiver.tries[key] == 2 for key in keys)  # sent twice ...
    assert sorted(receiver.counted) == sorted(keys)  # ... counted once, by the same key
    assert all(len({json.dumps(b) for b in receiver.bodies[key]}) == 1 for key in keys)
    assert statuses(clinic) == [("delivered", 2)] * 5


async def test_a_receiver_down_while_the_dispatcher_restarts_gets_everything_once(
    clinic: Clinic,
) -> None:
    keys = queue(clinic, 8)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    now = clinic.clock.now()
    first = start_deliverer(clinic, url, now)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert json.loads(out) == []
    assert statuses(clinic) == [("pending", 1)] * 8
    receiver = Receiver()
    with serving(receiver, port):
        second = start_deliverer(clinic, url, now + timedelta(hours=1))
        out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert sorted(json.loads(out)) == sorted(keys)
    assert receiver.tries == dict.fromkeys(keys, 1)
    assert statuses(clinic) == [("delivered", 2)] * 8


async def test_two_dispatchers_at_once_never_send_a_message_twice(
    clinic: Clinic, tmp_path: Path
) -> None:
    keys = queue(clinic, 60)
    receiver = Receiver()
    go = tmp_path / "go"
    with serving(receiver) as server:
        racers = [
            start_deliverer(clinic, server.url("/hook"), clinic.clock.now(), batch=4, go=go)
            for _ in range(2)
        ]
        time.sleep(0.5)  # both processes are up and spinning on the go file
        go.touch()
        outputs = [racer.communicate(timeout=90) for racer in racers]
    delivered = [json.loads(out) for out, _ in outputs]
    assert all(racer.returncode == 0 for racer in racers), [err for _, err in outputs]
    assert sorted(delivered[0] + delivered[1]) == sorted(keys)
    assert receiver.tries == dict.fromkeys(keys, 1)
    assert statuses(clinic) == [("delivered", 1)] * 60
