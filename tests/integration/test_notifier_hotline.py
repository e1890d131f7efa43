"""W7 over HTTP: a hotline outcome report reaches the hotline only with the client's consent."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from local_http import Receiver, serving

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.commands.common import system_actor
from oncall.config import TargetSettings
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Disposition
from oncall.feeds.notifier import OutboxDeliverer
from oncall.services import closing, episodes
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.store import outbox


def close_hotline_episode(clinic: Clinic, client_ref: str, handoff: dict[str, Any]) -> int:
    """A hotline alert for the client, acknowledged, handoff confirmed, episode closed."""
    record = alert_record(
        id=f"hl-{client_ref}", source="hotline", client_ref=client_ref, handoff=handoff
    )
    (alert_id,) = ingest_records(clinic.ctx(), [record], origin="test").accepted_ids
    episode = acknowledge_alert(clinic.ctx(), alert_id).episode
    assert episode is not None
    episodes.confirm_handoff(clinic.ctx(), episode.id)
    make_safe_to_close(clinic.ctx(), episode.id)
    closing.close_episode(
        clinic.ctx(),
        episode.id,
        disposition=Disposition.MOBILE_CRISIS,
        summary="Mobile crisis team met the client at home",
        follow_ups=[],
        no_follow_up_reason="Admitted to crisis residential",
    )
    return episode.id


def deliverer(clinic: Clinic, targets: list[TargetSettings] | None = None) -> OutboxDeliverer:
    ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, clinic.settings)
    return OutboxDeliverer(ctx, targets=targets or [])


async def test_the_outcome_goes_to_the_configured_hotline_only_for_the_consenting_client(
    clinic: Clinic,
) -> None:
    receiver, thief = Receiver(), Receiver()
    with serving(receiver) as hotline, serving(thief) as stranger:
        handoff = {
            "org": "988 Orange County",
            "counselor": "K-17",
            "reference": "988-55812",
            "callback": "+1-714-555-0101",
            # The alert names its own endpoint: it must not choose where a disclosure goes.
            "endpoint": stranger.url("/steal"),
        }
        configured = TargetSettings(name="988 Orange County", url=hotline.url("/outcomes?t=tok"))
        clinic.settings = replace(clinic.settings, targets=(configured,))
        consented = close_hotline_episode(clinic, "C-1", handoff)
        refused = close_hotline_episode(clinic, "C-2", {**handoff, "reference": "988-55813"})
        async with deliverer(clinic, [configured]) as sender:
            results = await sender.deliver_due(clinic.clock.now())
            assert await sender.deliver_due(clinic.clock.now()) == []
    assert stranger.requests == []
    assert [r.delivered for r in results] == [True]
    assert receiver.counted == [f"hotline-outcome-episode-{consented}"]
    (request,) = hotline.requests
    assert request.path == "/outcomes" and request.query == {"t": ["tok"]}
    report = request.json()
    assert report["kind"] == "hotline_outcome"
    assert report["data"]["reference"] == "988-55812"
    assert report["data"]["outcome"] == "mobile_crisis"
    sent = json.dumps(report)
    assert "Jordan" not in sent and "Casey" not in sent and "555-0142" not in sent
    audit = clinic.store.query(
        "SELECT object_id, detail FROM audit_log WHERE action = 'consent.refused'"
    )
    assert [(int(a[0]), json.loads(a[1])["action"]) for a in audit] == [
        (refused, "hotline_outcome_report")
    ]
    (disclosed,) = clinic.store.query(
        "SELECT object_id, detail FROM audit_log WHERE action = 'disclosure.hotline_outcome'"
    )
    assert int(disclosed[0]) == consented
    assert json.loads(disclosed[1])["url"] == hotline.url("/outcomes") + "?…"


async def test_a_report_queued_to_an_alerts_endpoint_by_an_older_version_is_not_sent(
    clinic: Clinic,
) -> None:
    thief = Receiver()
    with serving(thief) as stranger:
        with clinic.store.write() as conn:
            outbox.enqueue(
                conn,
                kind="hotline_outcome",
                target=stranger.url("/steal"),
                payload={"reference": "988-1", "counselor": "K-17", "outcome": "resolved"},
                idempotency_key="hotline-outcome-episode-old",
                created_at=to_iso(clinic.clock.now()),
            )
        async with deliverer(clinic) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert stranger.requests == []
    assert not result.delivered
    assert "goes only to a target configured for its hotline" in (result.error or "")


async def test_without_an_endpoint_the_outcome_goes_to_the_target_named_for_the_hotline(
    clinic: Clinic,
) -> None:
    receiver = Receiver()
    with serving(receiver) as hotline:
        episode_id = close_hotline_episode(
            clinic, "C-3", {"org": "Crisis Line West", "reference": "CLW-9"}
        )
        named = TargetSettings(name="Crisis Line West", url=hotline.url("/w7"))
        async with deliverer(clinic, [named]) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert result.delivered
    assert receiver.counted == [f"hotline-outcome-episode-{episode_id}"]
    assert hotline.requests[0].path == "/w7"


async def test_without_a_target_for_its_hotline_the_report_waits_with_a_clear_error(
    clinic: Clinic,
) -> None:
    clinic.settings = replace(clinic.settings, targets=())
    close_hotline_episode(
        clinic,
        "C-1",
        {"org": "Crisis Line West", "reference": "CLW-9", "endpoint": "http://127.0.0.1:9/x"},
    )
    async with deliverer(clinic) as sender:
        (result,) = await sender.deliver_due(clinic.clock.now())
    assert not result.delivered and not result.gave_up
    assert "no target named 'Crisis Line West' is configured" in (result.error or "")
