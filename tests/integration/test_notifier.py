"""The outbox deliverer against a real receiver on 127.0.0.1: keys, retries, payloads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from local_http import Receiver, Reply, free_port, serving

from conftest import Clinic
from oncall.commands.common import system_actor
from oncall.config import TargetSettings
from oncall.domain.timefmt import to_iso
from oncall.feeds.notifier import DeliveryPolicy, OutboxDeliverer
from oncall.services.context import ServiceContext
from oncall.services.feed_status import retry_delivery
from oncall.store import outbox

POLICY = DeliveryPolicy(max_attempts=4, base_delay_s=10, max_delay_s=60, timeout_s=2)


def queue(
    clinic: Clinic,
    count: int,
    *,
    kind: str = "escalation",
    target: str = "desk",
    payload: dict[str, Any] | None = None,
) -> list[str]:
    """Put `count` messages in the outbox; returns their keys."""
    keys = [f"{kind}-{n}" for n in range(count)]
    with clinic.store.write() as conn:
        for key in keys:
            outbox.enqueue(
                conn,
                kind=kind,
                target=target,
                payload=payload or {"alert_id": 7, "step": 1, "severity": "high"},
                idempotency_key=key,
                created_at=to_iso(clinic.clock.now()),
            )
    return keys


def deliverer(clinic: Clinic, url: str, **target: Any) -> OutboxDeliverer:
    ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, clinic.settings)
    desk = TargetSettings(name="desk", url=url, **target)
    return OutboxDeliverer(
        ctx, targets=[desk], policy=POLICY, environ={"PD_KEY": "R0UT1NG-KEY-SECRET"}
    )


def rows(clinic: Clinic) -> list[Any]:
    return clinic.store.query("SELECT * FROM outbox ORDER BY id")


async def run_until_settled(clinic: Clinic, sender: OutboxDeliverer, ticks: int = 50) -> None:
    """Tick the deliverer, jumping the clock to each next try, until nothing is due."""
    for _ in range(ticks):
        await sender.deliver_due(clinic.clock.now())
        due = sender.next_due()
        if due is None:
            return
        clinic.clock.set(max(due, clinic.clock.now()))


async def test_a_receiver_failing_the_first_deliveries_counts_each_message_once(
    clinic: Clinic,
) -> None:
    keys = queue(clinic, 5)
    receiver = Receiver(fail_first=2)
    start = clinic.clock.now()
    with serving(receiver) as server:
        async with deliverer(clinic, server.url("/hook")) as sender:
            first = await sender.deliver_due(clinic.clock.now())
            assert [r.delivered for r in first] == [False] * 5
            assert all(
                start + timedelta(seconds=5)
                <= (r.next_attempt_at or start)
                <= start + timedelta(seconds=10)
                for r in first
            )
            after_one = rows(clinic)[0]
            assert after_one["attempts"] == 1 and "answered 500" in after_one["last_error"]
            await run_until_settled(clinic, sender)
    assert sorted(receiver.counted) == sorted(keys)
    assert all(receiver.tries[key] == 3 for key in keys)  # two refusals, one success
    for row in rows(clinic):
        assert row["status"] == "delivered" and row["attempts"] == 3
        assert row["last_error"] is None and row["sending_until"] is None


async def test_a_webhook_carries_the_key_and_no_personal_details(clinic: Clinic) -> None:
    payload = {
        "alert_id": 7,
        "summary": "Alert 7 unacknowledged for 10 min",
        "client": {"name": "Jordan Test", "phone": "+1-714-555-0142", "ref": "C-1"},
    }
    (key,) = queue(clinic, 1, payload=payload)
    receiver = Receiver()
    with serving(receiver) as server:
        async with deliverer(clinic, server.url("/hook")) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert result.delivered
    (body,) = receiver.bodies[key]
    assert body["idempotency_key"] == key and body["kind"] == "escalation"
    assert body["data"] == {
        "alert_id": 7,
        "summary": "Alert 7 unacknowledged for 10 min",
        "client": {"ref": "C-1"},
    }
    assert server.requests[0].headers["idempotency-key"] == key


async def test_a_pagerduty_target_gets_an_events_v2_trigger_with_the_key_as_dedup_key(
    clinic: Clinic,
) -> None:
    (key,) = queue(
        clinic,
        1,
        payload={
            "summary": "Alert 7 not acknowledged",
            "severity": "imminent",
            "phone": "+1-714-555-0142",
        },
    )
    receiver = Receiver()
    with serving(receiver) as server:
        async with deliverer(
            clinic, server.url("/v2/enqueue"), kind="pagerduty", routing_key="${PD_KEY}"
        ) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert result.delivered
    (event,) = receiver.bodies[key]
    assert event["routing_key"] == "R0UT1NG-KEY-SECRET"
    assert event["event_action"] == "trigger" and event["dedup_key"] == key
    # Built from the facts only: a payload's free text never reaches PagerDuty.
    assert event["payload"]["summary"] == "oncall: escalation to you"
    assert event["payload"]["severity"] == "critical" and event["payload"]["source"] == "oncall"
    assert event["payload"]["custom_details"] == {"severity": "imminent"}


async def test_after_the_last_attempt_a_message_is_failed_visible_and_retryable(
    clinic: Clinic,
) -> None:
    queue(clinic, 1)
    port = free_port()  # the receiver is down
    async with deliverer(clinic, f"http://127.0.0.1:{port}/hook") as sender:
        await run_until_settled(clinic, sender)
        (row,) = rows(clinic)
        assert row["status"] == "failed" and row["attempts"] == POLICY.max_attempts
        assert "could not connect" in row["last_error"] and "attempt 4" in row["last_error"]
        assert sender.next_due() is None
        supervisor = clinic.ctx("sue")
        retry_delivery(supervisor, row["id"])
        receiver = Receiver()
        with serving(receiver, port):
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert result.delivered and len(receiver.counted) == 1
    audit = clinic.store.query("SELECT actor FROM audit_log WHERE action = 'outbox.retried'")
    assert [a[0] for a in audit] == ["sue"]


async def test_a_refusal_that_retrying_cannot_fix_fails_at_once(clinic: Clinic) -> None:
    queue(clinic, 1)
    with serving(lambda _: Reply(400, b"bad event")) as server:
        async with deliverer(clinic, server.url("/hook")) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert result.gave_up and "400 Bad Request" in (result.error or "")
    assert rows(clinic)[0]["status"] == "failed"


async def test_an_unknown_target_is_reported_and_retried_later(clinic: Clinic) -> None:
    queue(clinic, 1, target="sms-gateway")
    async with deliverer(clinic, "http://127.0.0.1:9/unused") as sender:
        (result,) = await sender.deliver_due(clinic.clock.now())
    assert not result.delivered and not result.gave_up
    assert "no target named 'sms-gateway' is configured" in rows(clinic)[0]["last_error"]


async def test_a_claimed_message_is_not_sent_by_a_second_deliverer(clinic: Clinic) -> None:
    queue(clinic, 3)
    receiver = Receiver()
    with serving(receiver) as server:
        async with (
            deliverer(clinic, server.url("/hook")) as one,
            deliverer(clinic, server.url("/hook")) as two,
        ):
            claimed = one._claim(clinic.clock.now(), clinic.clock.now() + timedelta(minutes=1))
            assert len(claimed) == 3
            assert await two.deliver_due(clinic.clock.now()) == []
            later = clinic.clock.now() + timedelta(minutes=2)  # the first one died
            results = await two.deliver_due(later)
    assert [r.delivered for r in results] == [True] * 3
    assert len(server.requests) == 3
