"""Use cases: ingest, acknowledge, episode work, closing, follow-ups, consent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.models import Location
from oncall.domain.overdose import OverdoseFlag
from oncall.domain.types import (
    ContactChannel,
    ContactResult,
    Disposition,
    EpisodeStatus,
    EventKind,
    FollowUpKind,
    FollowUpStatus,
    RiskLevel,
)
from oncall.services import closing, episodes, followups
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.errors import AlreadyAcknowledged, ConsentMissing, Refused, ValidationFailed
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store.audit import audit_entries
from oncall.store.outbox import messages

HANDOFF = {
    "org": "988 Orange County",
    "counselor": "K-17",
    "reference": "988-55812",
    "callback": "+1-714-555-0101",
}


def _ingest(clinic: Clinic, *records: object) -> list[int]:
    report = ingest_records(clinic.ctx(), enumerate(records, 1), origin="test")
    return report.accepted_ids


def test_ingest_deduplicates_and_flags_unknown_clients(clinic: Clinic) -> None:
    first = alert_record(id="a-1")
    again = alert_record(id="a-1", summary="different text, same key")
    unknown = alert_record(id="a-2", client_ref="C-404")
    report = ingest_records(clinic.ctx(), [(1, first), (2, again), (3, unknown)], origin="t")
    assert (report.accepted, report.duplicates, report.unknown_clients) == (2, 1, 1)
    with clinic.store.read() as conn:
        stored = alert_rows.alert_by_key(conn, "app", "a-1")
        flagged = alert_rows.alert_by_key(conn, "app", "a-2")
    assert stored is not None and stored.summary == "Client reports thoughts of suicide"
    assert flagged is not None and flagged.unknown_client and flagged.client_id is None


def test_ack_deadline_follows_severity(clinic: Clinic) -> None:
    ids = _ingest(
        clinic, alert_record(id="i", severity="imminent"), alert_record(id="l", severity="low")
    )
    with clinic.store.read() as conn:
        imminent, low = (alert_rows.alert_by_id(conn, i) for i in ids)
    assert imminent and low
    assert imminent.ack_deadline_at - imminent.received_at == timedelta(minutes=2)
    assert low.ack_deadline_at - low.received_at == timedelta(minutes=60)


def test_queue_is_sorted_by_severity_then_age(clinic: Clinic) -> None:
    _ingest(clinic, alert_record(id="low-old", severity="low"))
    clinic.clock.advance(timedelta(minutes=1))
    _ingest(clinic, alert_record(id="high-new", severity="high"))
    clinic.clock.advance(timedelta(minutes=1))
    _ingest(clinic, alert_record(id="imm", severity="imminent"))
    with clinic.store.read() as conn:
        page = alert_rows.queue_page(conn, limit=2)
        rest = alert_rows.queue_page(conn, after=alert_rows.QueueCursor.after(page[-1]))
    assert [a.external_id for a in page + rest] == ["imm", "high-new", "low-old"]


def test_acknowledge_opens_episode_and_second_alert_attaches(clinic: Clinic) -> None:
    first, second = _ingest(clinic, alert_record(id="a-1"), alert_record(id="a-2"))
    ack = acknowledge_alert(clinic.ctx("alice"), first)
    assert ack.episode is not None and not ack.attached_to_existing
    assert ack.episode.status is EpisodeStatus.OPEN
    again = acknowledge_alert(clinic.ctx("bob"), second)
    assert again.attached_to_existing and again.episode is not None
    assert again.episode.id == ack.episode.id
    with clinic.store.read() as conn:
        kinds = [e.kind for e in episode_rows.timeline(conn, ack.episode.id)]
    assert kinds == [EventKind.ALERT_ATTACHED, EventKind.ALERT_ATTACHED]


def test_second_claimant_is_told_who_has_it(clinic: Clinic) -> None:
    (alert_id,) = _ingest(clinic, alert_record())
    acknowledge_alert(clinic.ctx("alice"), alert_id)
    # In the clinic's time, as every screen shows it (the clock is 11:00 UTC, 03:00 PST).
    told = "already acknowledged by Alice Rivera at 03:00:00 PST"
    with pytest.raises(AlreadyAcknowledged, match=told):
        acknowledge_alert(clinic.ctx("bob"), alert_id)


def _open_episode(clinic: Clinic, **fields: object) -> int:
    (alert_id,) = _ingest(clinic, alert_record(**fields))
    ack = acknowledge_alert(clinic.ctx(), alert_id)
    assert ack.episode is not None
    return ack.episode.id


def test_hotline_handoff_blocks_closing_until_confirmed(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic, source="hotline", handoff=HANDOFF)
    ctx = clinic.ctx()
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode and episode.status is EpisodeStatus.HANDOFF_PENDING
    assert episode.handoff_deadline_at == clinic.clock.now() + timedelta(minutes=30)
    with pytest.raises(Refused, match="handoff"):
        closing.close_episode(
            ctx,
            episode_id,
            disposition=Disposition.STABILIZED,
            summary="ok",
            follow_ups=[],
            no_follow_up_reason="none needed",
        )
    episodes.confirm_handoff(ctx, episode_id)
    make_safe_to_close(ctx, episode_id)
    closed = closing.close_episode(
        ctx,
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Safe with sister",
        follow_ups=[],
        no_follow_up_reason="Seen in clinic tomorrow",
    )
    assert closed.episode.status is EpisodeStatus.CLOSED
    assert closed.outcome_report_queued
    (message,) = messages(ctx.store.conn)
    assert message["kind"] == "hotline_outcome" and "988-55812" in message["payload"]


def test_outcome_report_without_consent_is_not_sent_and_is_audited(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic, client_ref="C-2", source="hotline", handoff=HANDOFF)
    ctx = clinic.ctx()
    episodes.confirm_handoff(ctx, episode_id)
    make_safe_to_close(ctx, episode_id)
    closed = closing.close_episode(
        ctx,
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Safe",
        follow_ups=[],
        no_follow_up_reason="n/a",
    )
    assert not closed.outcome_report_queued
    assert messages(ctx.store.conn) == []
    actions = [e.action for e in audit_entries(ctx.store.conn, client_id=clinic.clients["C-2"])]
    assert "consent.refused" in actions


def test_close_refuses_without_disposition_summary_or_plan(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    with pytest.raises(Refused) as refused:
        closing.close_episode(
            clinic.ctx(), episode_id, disposition=None, summary=" ", follow_ups=[]
        )
    message = str(refused.value)
    assert "disposition" in message and "summary" in message and "follow-ups" in message


def test_cssrs_sets_risk_and_close_schedules_the_plan(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    answers = CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False)
    episodes.record_cssrs(ctx, episode_id, answers)
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode and episode.risk_level is RiskLevel.MODERATE
    plan = closing.propose_follow_ups(ctx, episode_id)
    assert [d.kind for d in plan] == [FollowUpKind.CONTACT_24H, FollowUpKind.CALL_72H]
    make_safe_to_close(ctx, episode_id)
    done = closing.close_episode(
        ctx,
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Stabilized by phone",
        follow_ups=plan,
    )
    assert [f.due_at - clinic.clock.now() for f in done.follow_ups] == [
        timedelta(hours=24),
        timedelta(hours=72),
    ]


def test_overdose_flags_raise_risk(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    episodes.record_cssrs(
        ctx, episode_id, CssrsAnswers(q1=True, q2=False, q3=None, q4=None, q5=None, q6=False)
    )
    episodes.record_overdose_screen(ctx, episode_id, [OverdoseFlag.USING_ALONE])
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode and episode.risk_level is RiskLevel.MODERATE


def test_emergency_contact_needs_consent_and_refusal_is_audited(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic, client_ref="C-2")
    ctx = clinic.ctx()
    with ctx.store.read() as conn:
        contact_id = conn.execute(
            "SELECT id FROM emergency_contacts WHERE client_id = ?", (clinic.clients["C-2"],)
        ).fetchone()[0]
    with pytest.raises(ConsentMissing, match="not consented"):
        episodes.notify_emergency_contact(ctx, episode_id, contact_id, what_was_said="x")
    actions = [e.action for e in audit_entries(ctx.store.conn, client_id=clinic.clients["C-2"])]
    assert "consent.refused" in actions


def test_emergency_services_records_the_disclosure_fields(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    with pytest.raises(ValidationFailed, match="affiliation"):
        episodes.record_emergency_services(
            clinic.ctx(),
            episode_id,
            service="911",
            recipient_name="Dispatcher 12",
            recipient_affiliation="",
            nature_of_emergency="overdose",
        )
    event = episodes.record_emergency_services(
        clinic.ctx(),
        episode_id,
        service="911",
        recipient_name="Dispatcher 12",
        recipient_affiliation="Orange County 911",
        nature_of_emergency="suspected overdose",
    )
    assert event.body["disclosed_by"] == "Alice Rivera"
    assert event.body["disclosed_at"].startswith("2026-11-22T11:00")


def test_amendment_points_at_the_event_it_corrects(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    note = episodes.add_note(ctx, episode_id, "Client at home")
    fix = episodes.amend_event(ctx, episode_id, note.id, "Client at sister's home")
    assert fix.amends == note.id and fix.kind is EventKind.AMENDMENT
    with ctx.store.read() as conn:
        assert episode_rows.event_by_id(conn, note.id) == note


def test_location_is_confirmed_and_validated(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    with pytest.raises(ValidationFailed, match="Latitude"):
        episodes.confirm_location(clinic.ctx(), episode_id, Location("home", lat=123.0))
    episode = episodes.confirm_location(
        clinic.ctx(), episode_id, Location("Sister's home", zip="92701")
    )
    assert episode.location == Location("Sister's home", zip="92701")
    assert episode.location_confirmed_at == clinic.clock.now()


def test_follow_up_attempts_run_out_after_five(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    plan = [
        closing.FollowUpDraft(
            FollowUpKind.CALL_72H, clinic.clock.now() + timedelta(days=3), clinic.staff["pat"].id
        )
    ]
    make_safe_to_close(ctx, episode_id)
    closed = closing.close_episode(
        ctx, episode_id, disposition=Disposition.STABILIZED, summary="ok", follow_ups=plan
    )
    fu_id = closed.follow_ups[0].id
    for _ in range(4):
        result = followups.record_follow_up_attempt(
            ctx, fu_id, channel=ContactChannel.PHONE, result=ContactResult.NO_ANSWER
        )
        assert result.status is FollowUpStatus.PENDING
    last = followups.record_follow_up_attempt(
        ctx, fu_id, channel=ContactChannel.PHONE, result=ContactResult.NO_ANSWER
    )
    assert last.status is FollowUpStatus.EXHAUSTED and last.attempts == 5
    with pytest.raises(Refused, match="exhausted"):
        followups.record_follow_up_attempt(
            ctx, fu_id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
        )
    with ctx.store.read() as conn:
        assert len(follow_up_rows.attempts_for(conn, fu_id)) == 5


def test_closed_episode_takes_no_new_events_but_accepts_amendments(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    note = episodes.add_note(ctx, episode_id, "first")
    make_safe_to_close(ctx, episode_id)
    closing.close_episode(
        ctx,
        episode_id,
        disposition=Disposition.NO_CRISIS,
        summary="ok",
        follow_ups=[],
        no_follow_up_reason="no crisis",
    )
    with pytest.raises(Refused, match="closed"):
        episodes.add_note(ctx, episode_id, "late note")
    assert episodes.amend_event(ctx, episode_id, note.id, "corrected").amends == note.id
