"""Changing who does a follow-up or when (W4): reschedule with a reason, hand to a colleague."""

from __future__ import annotations

from datetime import datetime

from oncall.domain.followup_work import MAX_OUTCOME_NOTE, follow_up_ref
from oncall.domain.models import FollowUp
from oncall.domain.timefmt import to_iso
from oncall.services.context import ServiceContext
from oncall.services.errors import ValidationFailed
from oncall.services.followups import log_activity, pending_follow_up
from oncall.store import claims, people
from oncall.store import followups as follow_up_rows


def _reason(text: str, what: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise ValidationFailed(f"Say why the follow-up is {what}.")
    if len(reason) > MAX_OUTCOME_NOTE:
        raise ValidationFailed(
            f"The reason is {len(reason):,} characters; the limit is {MAX_OUTCOME_NOTE:,}."
        )
    return reason


def reschedule_follow_up(
    ctx: ServiceContext, follow_up_id: int, due_at: datetime, reason: str
) -> FollowUp:
    """Move a follow-up to a new due time for a stated reason; returns the follow-up now due.

    The new time gets a new follow-up that replaces this one: a reminder and an
    escalation fire once per follow-up (their claims are keyed by it), so moving the
    old row's time would leave the new deadline with neither. The attempts made so far
    carry over, so rescheduling never resets the limit of five.
    """
    text = _reason(reason, "rescheduled")
    now = ctx.clock.now()
    if due_at.tzinfo is None:
        raise ValidationFailed("The new due time needs a time zone.")
    if due_at <= now:
        raise ValidationFailed("The new due time is in the past; choose a later one.")
    at = to_iso(now)
    with ctx.store.write() as conn:
        old = pending_follow_up(ctx, conn, follow_up_id)
        new = follow_up_rows.insert_follow_up(
            conn,
            episode_id=old.episode_id,
            client_id=old.client_id,
            kind=old.kind.value,
            due_at=to_iso(due_at),
            assignee_id=old.assignee_id,
            created_at=at,
            created_by=ctx.actor.id,
            attempts=old.attempts,
            replaces_id=old.id,
        )
        follow_up_rows.finish_follow_up(
            conn,
            old.id,
            status="cancelled",
            result=f"Rescheduled as {follow_up_ref(new.id)}: {text}",
            completed_at=at,
        )
        detail = {
            "replaced_by": new.id,
            "from_due_at": to_iso(old.due_at),
            "due_at": to_iso(due_at),
            "reason": text,
        }
        log_activity(ctx, conn, old, "rescheduled", detail)
        return new


def hand_over_follow_up(
    ctx: ServiceContext, follow_up_id: int, to_staff_id: int, note: str = ""
) -> FollowUp:
    """Give a follow-up to an active colleague; the note says what they need to know."""
    text = " ".join(note.split())[:MAX_OUTCOME_NOTE]
    with ctx.store.write() as conn:
        follow_up = pending_follow_up(ctx, conn, follow_up_id)
        colleague = people.staff_by_id(conn, to_staff_id)
        if colleague is None or not colleague.active:
            raise ValidationFailed("A follow-up can go only to someone who is active staff.")
        if colleague.id == follow_up.assignee_id:
            raise ValidationFailed(
                f"Follow-up {follow_up_ref(follow_up_id)} is already {colleague.display_name}'s."
            )
        follow_up_rows.reassign(conn, follow_up.id, colleague.id)
        # The colleague's console announces it (a reminder already shown to the first
        # assignee is not shown again). No client name: notices may reach a wall screen.
        kind = follow_up.kind.value.replace("_", " ")
        claims.claim(
            conn,
            subject_type=claims.HANDOVER,
            subject_id=follow_up.id,
            level=len(claims.claims_for(conn, claims.HANDOVER, follow_up.id)) + 1,
            fired_at=ctx.now_iso(),
            fired_by=f"staff:{ctx.actor.login}",
            target_role="assignee",
            target_staff_id=colleague.id,
            detail={
                "message": f"Follow-up {follow_up_ref(follow_up.id)} ({kind}) handed to "
                f"{colleague.display_name} by {ctx.actor.display_name}: F6 lists it."
            },
        )
        detail = {"from_staff_id": follow_up.assignee_id, "to_staff_id": colleague.id}
        return log_activity(ctx, conn, follow_up, "handed_over", {**detail, "note": text})
