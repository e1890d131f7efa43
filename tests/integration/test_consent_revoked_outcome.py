"""Consent to the outcome report revoked or lapsed: no report goes to the hotline (W7)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from local_http import Receiver, serving
from test_notifier_hotline import close_hotline_episode, deliverer

from conftest import Clinic
from oncall.config import TargetSettings
from oncall.services.client_care import ConsentState, record_consent, until_key
from oncall.services.feed_status import feed_status

TODAY = date(2026, 11, 22)  # the clinic's date at the frozen clock
HANDOFF = {"org": "988 Orange County", "counselor": "K-17", "reference": "988-55812"}


async def test_a_report_waiting_for_a_retry_is_cancelled_when_consent_is_revoked(
    clinic: Clinic,
) -> None:
    receiver = Receiver(fail_first=1)  # the hotline is down at first: the report waits
    with serving(receiver) as hotline:
        target = TargetSettings(name="988 Orange County", url=hotline.url("/outcomes"))
        clinic.settings = replace(clinic.settings, targets=(target,))
        kept = close_hotline_episode(clinic, "C-3", {**HANDOFF, "reference": "988-3"})
        episode_id = close_hotline_episode(clinic, "C-1", HANDOFF)
        async with deliverer(clinic, [target]) as sender:
            first = await sender.deliver_due(clinic.clock.now())
            assert [r.delivered for r in first] == [False, False]
            # The client withdraws consent before the retry.
            revoke = ConsentState(True, False, {})
            record_consent(clinic.ctx("alice"), clinic.clients["C-1"], revoke, date(2026, 11, 22))
            clinic.clock.advance(timedelta(hours=1))
            again = await sender.deliver_due(clinic.clock.now())
            assert await sender.deliver_due(clinic.clock.now()) == []
    # Only the other client's report went out, on its retry.
    assert [r.delivered for r in again] == [True]
    assert receiver.counted == [f"hotline-outcome-episode-{kept}"]
    assert receiver.tries[f"hotline-outcome-episode-{episode_id}"] == 1
    # Shown where outbox messages are shown: cancelled, with why.
    messages = {m.id: m for m in feed_status(clinic.ctx("sue"), messages=10).messages}
    [cancelled] = [m for m in messages.values() if m.status == "cancelled"]
    assert cancelled.last_error == (
        "Cancelled: the client revoked consent to the outcome report (dated 2026-11-22,"
        " recorded by Alice Rivera)."
    )
    [audit] = clinic.store.query(
        "SELECT object_id, client_id, detail FROM audit_log WHERE action = 'outbox.cancelled'"
    )
    assert (int(audit[0]), audit[1]) == (cancelled.id, clinic.clients["C-1"])
    assert json.loads(audit[2])["episode_id"] == episode_id


async def test_no_outcome_report_is_queued_once_the_consent_has_lapsed(clinic: Clinic) -> None:
    receiver = Receiver()
    with serving(receiver) as hotline:
        target = TargetSettings(name="988 Orange County", url=hotline.url("/outcomes"))
        clinic.settings = replace(clinic.settings, targets=(target,))
        until = ConsentState(True, True, {}, {until_key("hotline_outcome_report"): TODAY})
        record_consent(clinic.ctx("alice"), clinic.clients["C-1"], until, TODAY)
        clinic.clock.advance(timedelta(days=1))  # the consent held through TODAY only
        episode_id = close_hotline_episode(clinic, "C-1", HANDOFF)
        async with deliverer(clinic, [target]) as sender:
            assert await sender.deliver_due(clinic.clock.now()) == []
    assert receiver.tries == {}
    [refused] = clinic.store.query(
        "SELECT object_id, detail FROM audit_log WHERE action = 'consent.refused'"
    )
    assert int(refused[0]) == episode_id
    assert json.loads(refused[1])["reason"] == (
        "no consent to report outcomes to the hotline on file (it ended on 2026-11-22)"
    )


async def test_a_report_queued_while_consent_held_is_not_sent_after_it_lapsed(
    clinic: Clinic,
) -> None:
    receiver = Receiver(fail_first=1)  # the hotline is down on the day the episode closes
    with serving(receiver) as hotline:
        target = TargetSettings(name="988 Orange County", url=hotline.url("/outcomes"))
        clinic.settings = replace(clinic.settings, targets=(target,))
        until = ConsentState(True, True, {}, {until_key("hotline_outcome_report"): TODAY})
        record_consent(clinic.ctx("alice"), clinic.clients["C-1"], until, TODAY)
        episode_id = close_hotline_episode(clinic, "C-1", HANDOFF)  # queued: consent holds
        async with deliverer(clinic, [target]) as sender:
            [first] = await sender.deliver_due(clinic.clock.now())
            assert not first.delivered
            clinic.clock.advance(timedelta(days=1))  # the retry comes after the last day
            assert await sender.deliver_due(clinic.clock.now()) == []
    assert receiver.counted == []
    assert receiver.tries == {f"hotline-outcome-episode-{episode_id}": 1}
    [message] = feed_status(clinic.ctx("sue"), messages=10).messages
    assert message.status == "cancelled"
    assert message.last_error == (
        "Cancelled before sending: the client's consent to the outcome report ended on 2026-11-22."
    )
    [audit] = clinic.store.query(
        "SELECT client_id FROM audit_log WHERE action = 'outbox.cancelled'"
    )
    assert audit[0] == clinic.clients["C-1"]
