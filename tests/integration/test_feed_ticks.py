"""What the dispatcher calls each tick (FeedPoller.poll_due, OutboxDeliverer.deliver_due,
sync_directory_if_due): each does its work once when due and nothing between."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from local_http import Receiver, json_reply, serving

from conftest import Clinic
from oncall.commands.common import system_actor
from oncall.config import FeedSettings, TargetSettings
from oncall.domain.timefmt import to_iso
from oncall.feeds.alert_feed import FeedPoller
from oncall.feeds.directory_sync import sync_directory_if_due
from oncall.feeds.notifier import OutboxDeliverer
from oncall.services.context import ServiceContext
from oncall.store import outbox


async def test_ticks_poll_feeds_sync_the_directory_and_deliver_once_each_when_due(
    clinic: Clinic,
) -> None:
    alert = {
        "id": "d-1",
        "source": "app",
        "client_ref": "C-1",
        "kind": "craving",
        "severity": "low",
        "occurred_at": "2026-11-22T02:00:00Z",
    }
    page = {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "contents": [{"id": "svc-1", "name": "Harbor Warmline", "status": "active"}],
    }
    receiver = Receiver()
    with (
        serving(lambda r: json_reply(page if "services" in r.path else [alert])) as feed,
        serving(receiver) as desk,
    ):
        settings = replace(
            clinic.settings,
            feeds=(FeedSettings(name="app", url=feed.url("/alerts"), interval_s=10),),
            targets=(TargetSettings(name="desk", url=desk.url("/hook")),),
            resource_directory_url=feed.url("/hsds"),
        )
        ctx = ServiceContext(clinic.store, system_actor("dispatcher"), clinic.clock, settings)
        with clinic.store.write() as conn:
            outbox.enqueue(
                conn,
                kind="escalation",
                target="desk",
                payload={"step": 1},
                idempotency_key="esc-1",
                created_at=to_iso(clinic.clock.now()),
            )
        start = clinic.clock.now()
        async with FeedPoller(ctx) as poller, OutboxDeliverer(ctx) as deliverer:
            for _ in range(5):  # five ticks a second apart: one poll, one sync, one delivery
                now = clinic.clock.now()
                await poller.poll_due(now)
                await deliverer.deliver_due(now)
                await sync_directory_if_due(ctx, now)
                clinic.clock.advance(timedelta(seconds=1))
            assert poller.next_due(clinic.clock.now()) == start + timedelta(seconds=10)
            assert deliverer.next_due() is None
    assert receiver.counted == ["esc-1"]
    assert [r[0] for r in clinic.store.query("SELECT external_id FROM alerts")] == ["d-1"]
    assert [r[0] for r in clinic.store.query("SELECT id FROM resources WHERE national = 0")] == [
        "svc-1"
    ]
    assert sum(1 for r in feed.requests if r.path == "/alerts") == 1
    assert sum(1 for r in feed.requests if r.path == "/hsds/services") == 1
