"""PagerDuty pages a responder can act on, that close when the alert does, and that never
arrive in a burst: against a PagerDuty-shaped receiver on 127.0.0.1."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise

from local_http import PagerDutyReceiver, serving

from closing_support import make_safe_to_close
from conftest import Clinic
from oncall.commands.common import system_actor
from oncall.config import Settings, TargetSettings
from oncall.domain.types import Disposition
from oncall.feeds.notifier import DeliveryPolicy, OutboxDeliverer
from oncall.feeds.pagerduty import DETAIL_KEYS
from oncall.services.alerts import acknowledge_alert
from oncall.services.closing import close_episode
from oncall.services.context import ServiceContext
from oncall.services.escalation import dispatcher_actor, run_due_escalations
from scheduling_support import new_alert

POLICY = DeliveryPolicy(timeout_s=2, page_spacing_s=5, backlog_pages=3)
ENV = {"PD_KEY": "R0UT1NG-PD"}


def pager(clinic: Clinic, url: str) -> Settings:
    target = TargetSettings("pager", url, kind="pagerduty", routing_key="${PD_KEY}", default=True)
    return replace(clinic.settings, targets=(target,))


def dispatcher(clinic: Clinic, settings: Settings) -> ServiceContext:
    return ServiceContext(clinic.store, dispatcher_actor(), clinic.clock, settings)


def sender(clinic: Clinic, settings: Settings, policy: DeliveryPolicy = POLICY) -> OutboxDeliverer:
    ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, settings)
    return OutboxDeliverer(ctx, policy=policy, environ=ENV)


async def test_a_page_says_what_how_urgent_how_old_and_from_whom_without_phi(
    clinic: Clinic,
) -> None:
    receiver = PagerDutyReceiver()
    with serving(receiver) as server:
        settings = pager(clinic, server.url("/v2/enqueue"))
        alert_id = new_alert(clinic, severity="high", kind="overdose", client_ref="C-1")
        clinic.clock.advance(timedelta(minutes=47))
        run_due_escalations(dispatcher(clinic, settings))
        async with sender(clinic, settings) as worker:
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered
    (event,) = receiver.events
    summary = event["payload"]["summary"]
    assert summary == (
        f"HIGH overdose alert #{alert_id} unacknowledged 47 min: level 1 escalated to"
        " backup on call (from Alice Rivera (primary on call))"
    )
    assert event["payload"]["severity"] == "error"
    assert event["dedup_key"] == f"escalation-alert-{alert_id}-level-1"
    details = event["payload"]["custom_details"]
    assert set(details) <= set(DETAIL_KEYS) and details["alert_id"] == alert_id
    text = json.dumps(event)
    for personal in ("Jordan", "Test", "555-0142", "thoughts of suicide", "92701", "Orange"):
        assert personal not in text  # no client name, phone, place or free text
    (headers,) = receiver.headers
    assert headers["idempotency-key"] == event["dedup_key"]
    assert headers["content-type"] == "application/json"


async def test_acknowledging_acknowledges_and_closing_resolves_the_same_incident(
    clinic: Clinic,
) -> None:
    receiver = PagerDutyReceiver()
    with serving(receiver) as server:
        settings = pager(clinic, server.url("/v2/enqueue"))
        alert_id = new_alert(clinic, severity="imminent", client_ref="C-1")
        clinic.clock.advance(timedelta(minutes=2))
        run_due_escalations(dispatcher(clinic, settings))  # level 1: the backup
        async with sender(clinic, settings) as worker:
            await worker.deliver_due(clinic.clock.now())
            clinic.clock.advance(timedelta(minutes=2, seconds=1))
            run_due_escalations(dispatcher(clinic, settings))  # level 2 queued, not yet sent
            ack = acknowledge_alert(clinic.ctx("bob"), alert_id)
            clinic.clock.advance(timedelta(seconds=10))
            await worker.deliver_due(clinic.clock.now())
            assert ack.episode is not None
            make_safe_to_close(clinic.ctx("bob"), ack.episode.id)
            close_episode(
                clinic.ctx("bob"),
                ack.episode.id,
                disposition=Disposition.STABILIZED,
                summary="Stabilized by phone.",
                follow_ups=[],
                no_follow_up_reason="Client declined follow-up calls.",
            )
            clinic.clock.advance(timedelta(seconds=10))
            await worker.deliver_due(clinic.clock.now())
    key = f"escalation-alert-{alert_id}-level-1"
    assert [(e["event_action"], e["dedup_key"]) for e in receiver.events] == [
        ("trigger", key),
        ("acknowledge", key),
        ("resolve", key),
    ]
    assert receiver.incidents == {("R0UT1NG-PD", key): "resolved"}
    (level_two,) = clinic.store.query(
        "SELECT status, last_error FROM outbox WHERE idempotency_key = ?",
        (f"escalation-alert-{alert_id}-level-2",),
    )
    assert level_two[0] == "cancelled" and "acknowledged first" in level_two[1]


async def test_after_downtime_one_summary_then_paced_pages_and_never_two_levels_at_once(
    clinic: Clinic,
) -> None:
    receiver = PagerDutyReceiver(clock=clinic.clock)
    alerts = [new_alert(clinic, severity="high") for _ in range(6)]
    alerts += [new_alert(clinic, severity="imminent") for _ in range(6)]
    clinic.clock.advance(timedelta(hours=70))  # no dispatcher ran all this time
    start = clinic.clock.now()
    with serving(receiver) as server:
        settings = pager(clinic, server.url("/v2/enqueue"))
        # Claims of 5 a tick: the backlog is larger than one claim, and still counted whole.
        async with sender(clinic, settings, replace(POLICY, batch=5)) as worker:
            for _ in range(200):  # a dispatcher's ticks, one a second
                run_due_escalations(dispatcher(clinic, settings))
                await worker.deliver_due(clinic.clock.now())
                clinic.clock.advance(timedelta(seconds=1))
    triggers = receiver.triggers()
    stamps = [s for s, e in zip(receiver.stamps, receiver.events, strict=True) if e in triggers]
    first = triggers[0]["payload"]
    assert first["summary"] == (
        "oncall: 12 pages waited while no dispatcher ran (6 imminent, 6 high);"
        " each follows, one every 5 s, most urgent first"
    )
    assert first["severity"] == "critical" and stamps[0] == start
    assert all(b - a >= timedelta(seconds=5) for a, b in pairwise(stamps))
    level_one = [e for e in triggers if str(e["dedup_key"]).endswith("-level-1")]
    assert len(level_one) == 12
    assert [e["payload"]["severity"] for e in level_one[:6]] == ["critical"] * 6
    sent_at: dict[str, datetime] = {
        str(e["dedup_key"]): s for s, e in zip(stamps, triggers, strict=True)
    }
    for alert_id in alerts:
        one = sent_at[f"escalation-alert-{alert_id}-level-1"]
        two = sent_at.get(f"escalation-alert-{alert_id}-level-2")
        if two is not None:  # the supervisor only a full gap after the backup's page
            gap = timedelta(minutes=2 if alert_id in alerts[6:] else 5)
            assert two - one >= gap
    assert any(f"escalation-alert-{a}-level-2" in sent_at for a in alerts[6:])
