"""Working follow-ups after the episode closed (W4): attempts, outcomes, reschedules, handovers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import Clinic
from followup_support import closed_episode_follow_ups, save_plan
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.followup_work import FollowUpOutcome
from oncall.domain.types import (
    ContactChannel,
    ContactResult,
    EventKind,
    FollowUpKind,
    FollowUpStatus,
    RiskLevel,
)
from oncall.services import closing, episodes, followups
from oncall.services.board import read_board
from oncall.services.errors import PermissionDenied, Refused, ValidationFailed
from oncall.services.escalation_notices import notices_since
from oncall.services.followup_changes import hand_over_follow_up, reschedule_follow_up
from oncall.services.followup_workspace import view_follow_up
from oncall.services.reminders import claim_reminders, due_now
from oncall.services.shift_handoff import build_shift_handoff
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store.audit import audit_entries
from oncall.ui.widgets.timeline_text import describe
from scheduling_support import open_episode

MISS = {"channel": ContactChannel.PHONE, "result": ContactResult.NO_ANSWER}


def _timeline_bodies(clinic: Clinic, follow_up_id: int) -> list[dict[str, object]]:
    with clinic.store.read() as conn:
        row = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        assert row is not None
        events = episode_rows.timeline(conn, row.episode_id, limit=1000)
    return [e.body for e in events if e.kind is EventKind.FOLLOW_UP_ACTIVITY]


def test_an_attempt_on_a_closed_episodes_follow_up_goes_on_its_timeline(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H])
    after = followups.record_follow_up_attempt(clinic.ctx("pat"), fu, **MISS, note="Rang twice")
    assert after.status is FollowUpStatus.PENDING and after.attempts == 1
    (body,) = _timeline_bodies(clinic, fu)
    assert body["action"] == "attempt" and body["result"] == "no_answer"
    assert body["note"] == "Rang twice" and body["follow_up_id"] == fu
    actions = [e.action for e in audit_entries(clinic.store.conn, client_id=after.client_id)]
    assert "follow_up.attempt" in actions


def test_complete_with_an_outcome_then_nothing_more(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H])
    done = followups.complete_follow_up(
        clinic.ctx("pat"), fu, FollowUpOutcome.SEEN_IN_PROGRAM, "Came to group on Tuesday"
    )
    assert done.status is FollowUpStatus.DONE and done.completed_at == clinic.clock.now()
    assert done.result == "Seen in the program (session or visit): Came to group on Tuesday"
    with pytest.raises(Refused, match=f"F-{fu} is already done"):
        followups.record_follow_up_attempt(clinic.ctx("pat"), fu, **MISS)
    assert due_now(clinic.ctx("pat")).upcoming == []


def test_a_reschedule_keeps_the_attempts_and_reminds_again(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H])
    ctx = clinic.ctx("pat")
    for _ in range(2):
        followups.record_follow_up_attempt(ctx, fu, **MISS)
    later = clinic.clock.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="Say why"):
        reschedule_follow_up(ctx, fu, later, "  ")
    with pytest.raises(ValidationFailed, match="past"):
        reschedule_follow_up(ctx, fu, clinic.clock.now() - timedelta(hours=1), "asked")
    new = reschedule_follow_up(ctx, fu, later, "Client asked for a call after work")
    assert (new.status, new.attempts, new.due_at) == (FollowUpStatus.PENDING, 2, later)
    with clinic.store.read() as conn:
        old = follow_up_rows.follow_up_by_id(conn, fu)
    assert old is not None and old.status is FollowUpStatus.CANCELLED
    assert old.result == f"Rescheduled as F-{new.id}: Client asked for a call after work"
    # The new deadline gets its own reminder, once.
    clinic.clock.advance(timedelta(days=1))
    batch = claim_reminders(ctx, [new.id], fired_by="test", started_at=clinic.clock.now())
    assert [r.follow_up.follow_up_id for r in batch.won] == [new.id]
    # Three more misses make five in all: the limit holds across the reschedule.
    for _ in range(3):
        last = followups.record_follow_up_attempt(ctx, new.id, **MISS)
    assert last.status is FollowUpStatus.EXHAUSTED and last.attempts == 5
    assert len(view_follow_up(ctx, new.id).attempts) == 5


def test_hand_over_to_an_active_colleague_only(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H], due_in=timedelta(0))
    clinic.clock.advance(timedelta(minutes=5))
    with clinic.store.write() as conn:
        conn.execute("UPDATE staff SET active = 0 WHERE login = 'sue'")
    ctx = clinic.ctx("pat")
    with pytest.raises(ValidationFailed, match="active staff"):
        hand_over_follow_up(ctx, fu, clinic.staff["sue"].id)
    moved = hand_over_follow_up(ctx, fu, clinic.staff["bob"].id, "Bob knows the family")
    assert moved.assignee_id == clinic.staff["bob"].id
    assert [c.follow_up_id for c in due_now(clinic.ctx("bob")).follow_ups] == [fu]
    assert due_now(ctx).follow_ups == []
    assert _timeline_bodies(clinic, fu)[-1]["note"] == "Bob knows the family"
    # Bob's console is told, without the client's name.
    notices, _ = notices_since(clinic.ctx("bob"), 0, clinic.staff["bob"].id)
    assert [n.message for n in notices] == [
        f"Follow-up F-{fu} (call 72h) handed to Bob Okafor by Pat Moreno: F6 lists it."
    ]


def test_a_caring_contact_is_done_when_sent_but_a_call_needs_the_client(clinic: Clinic) -> None:
    caring, call = closed_episode_follow_ups(
        clinic, [FollowUpKind.CARING_CONTACT, FollowUpKind.CALL_72H]
    )
    ctx = clinic.ctx("pat")
    sent = followups.record_caring_contact(
        ctx, caring, channel=ContactChannel.TEXT, message="Thinking of you this week."
    )
    assert sent.status is FollowUpStatus.DONE and sent.attempts == 1
    (attempt,) = view_follow_up(ctx, caring).attempts
    assert (attempt.result, attempt.note) == ("message_sent", "Thinking of you this week.")
    with pytest.raises(Refused, match="needs the client reached"):
        followups.record_caring_contact(ctx, call, channel=ContactChannel.TEXT, message="Hi")


def test_only_someone_caring_for_the_client_may_work_the_follow_up(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H], client_ref="C-3")
    with clinic.store.write() as conn:
        conn.execute("UPDATE clients SET primary_clinician_id = NULL WHERE external_ref = 'C-3'")
    with pytest.raises(PermissionDenied):
        followups.complete_follow_up(clinic.ctx("bob"), fu, FollowUpOutcome.REACHED_SAFE)
    assert followups.complete_follow_up(clinic.ctx("sue"), fu, FollowUpOutcome.REACHED_SAFE)


def test_the_workspace_shows_plan_and_latest_risk_and_audits_one_view(clinic: Clinic) -> None:
    earlier = open_episode(clinic, client_ref="C-2")
    episodes.record_cssrs(
        clinic.ctx(), earlier, CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
    )
    with clinic.store.write() as conn:
        episode_rows.update_episode(conn, earlier, status="closed")
    save_plan(clinic)
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.DAILY_CHECKIN])
    ctx = clinic.ctx("pat")
    view = view_follow_up(ctx, fu)
    view_follow_up(ctx, fu, audited=False)
    assert view.ref == f"F-{fu}" and view.assignee == "Pat Moreno"
    assert view.plan is not None and view.plan.sections["internal_coping"] == ["Walk the dog"]
    assert view.risk is RiskLevel.HIGH and view.risk_set_at == clinic.clock.now()
    assert "Pat Moreno" not in [s.display_name for s in view.colleagues]
    viewed = [e for e in audit_entries(clinic.store.conn) if e.action == "follow_up.viewed"]
    assert len(viewed) == 1


def test_closing_plans_follow_ups_for_the_clients_primary_clinician(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, "bob", client_ref="C-1")  # bob on call; alice is primary
    episodes.record_cssrs(
        clinic.ctx("bob"),
        episode_id,
        CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False),
    )
    plan = closing.propose_follow_ups(clinic.ctx("bob"), episode_id)
    assert plan and {d.assignee_id for d in plan} == {clinic.staff["alice"].id}
    with clinic.store.write() as conn:
        conn.execute("UPDATE staff SET active = 0 WHERE login = 'alice'")
    plan = closing.propose_follow_ups(clinic.ctx("bob"), episode_id)
    assert {d.assignee_id for d in plan} == {clinic.staff["bob"].id}


def test_the_shift_handoff_names_follow_ups_apart_from_episodes(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H])
    (item,) = build_shift_handoff(clinic.ctx("sue")).follow_ups_due
    assert item.situation.startswith(f"Follow-up F-{fu}: call 72h due ")
    assert item.situation.endswith("from episode #1.")


def test_attempts_run_out_then_the_supervisor_resolves_it_off_the_board(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H])
    for _ in range(5):
        followups.record_follow_up_attempt(clinic.ctx("pat"), fu, **MISS)
    sue = clinic.ctx("sue")
    assert [o.follow_up_id for o in read_board(sue).overdue] == [fu]
    resolved = followups.complete_follow_up(
        sue, fu, FollowUpOutcome.NOT_REACHED, "Mobile team asked for a wellness check"
    )
    # Not reached is never "done" (nor on time), but it is off the board once resolved.
    assert resolved.status is FollowUpStatus.EXHAUSTED and resolved.completed_at is not None
    assert resolved.result == (
        "Not reached: wellness check or outreach requested: Mobile team asked for a wellness check"
    )
    assert read_board(sue).overdue == []
    with pytest.raises(Refused, match="already exhausted"):
        followups.complete_follow_up(sue, fu, FollowUpOutcome.REACHED_SAFE)


def test_follow_up_activity_reads_in_words_on_the_episode_timeline(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H])
    ctx = clinic.ctx("pat")
    followups.record_follow_up_attempt(ctx, fu, **MISS, note="Voicemail full")
    new = reschedule_follow_up(ctx, fu, clinic.clock.now() + timedelta(days=1), "Asked for Monday")
    with clinic.store.read() as conn:
        events = episode_rows.timeline(conn, new.episode_id, limit=100)
    zone, now = clinic.settings.zone, clinic.clock.now()
    lines = [describe(e, zone, now) for e in events if e.kind is EventKind.FOLLOW_UP_ACTIVITY]
    assert lines == [
        f"Follow-up F-{fu} attempt by phone: no answer. Voicemail full",
        f"Follow-up F-{fu} rescheduled to Nov 23 03:00 as F-{new.id}. Asked for Monday",
    ]
