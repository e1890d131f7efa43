"""Follow-up attempts and outcomes (W4): an attempt, a caring contact, a completion, a cancel."""

from __future__ import annotations

import sqlite3
from typing import Any

from oncall.domain.followup_plan import MAX_ATTEMPTS, status_after_attempt
from oncall.domain.followup_work import (
    CARING_CONTACT_RESULT,
    MAX_OUTCOME_NOTE,
    FollowUpOutcome,
    caring_contact_only,
    follow_up_ref,
    may_complete,
    status_after_outcome,
)
from oncall.domain.models import FollowUp
from oncall.domain.types import ContactChannel, ContactResult, EventKind, FollowUpStatus
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows

MAX_NOTE = 4000


def pending_follow_up(
    ctx: ServiceContext, conn: sqlite3.Connection, follow_up_id: int, *, resolving: bool = False
) -> FollowUp:
    """The follow-up, if the user may work it and it is still pending; refused otherwise.

    `resolving`: an exhausted follow-up nobody has resolved yet is accepted too.
    """
    follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
    ref = follow_up_ref(follow_up_id)
    if follow_up is None:
        raise NotFound(f"There is no follow-up {ref}.")
    require_client_access(ctx, conn, follow_up.client_id)
    if resolving and may_complete(follow_up.status, follow_up.completed_at):
        return follow_up
    if follow_up.status is not FollowUpStatus.PENDING:
        raise Refused(f"Follow-up {ref} is already {follow_up.status.value}.")
    return follow_up


def log_activity(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    follow_up: FollowUp,
    action: str,
    detail: dict[str, Any],
) -> FollowUp:
    """Put one follow-up action on its episode's timeline and in the audit log; re-read it.

    The episode is usually closed by now: the timeline of a closed episode takes no
    new crisis events, but post-crisis follow-up belongs to the episode's story, and
    the timeline is append-only, so writing it here adds to the record and rewrites
    nothing. It has its own kind, so the episode's "first contact" figure and its
    crisis events are not mixed with contacts made days later.
    """
    body = {"follow_up_id": follow_up.id, "follow_up_kind": follow_up.kind.value, "action": action}
    episode_rows.insert_event(
        conn,
        episode_id=follow_up.episode_id,
        at=ctx.now_iso(),
        actor_id=ctx.actor.id,
        kind=EventKind.FOLLOW_UP_ACTIVITY,
        body={**body, **detail},
    )
    audited = {k: v for k, v in detail.items() if k not in ("note", "reason")}
    ctx.audit(
        conn,
        f"follow_up.{action}",
        "follow_up",
        follow_up.id,
        client_id=follow_up.client_id,
        detail=audited,
    )
    fresh = follow_up_rows.follow_up_by_id(conn, follow_up.id)
    assert fresh is not None
    return fresh


def record_follow_up_attempt(
    ctx: ServiceContext,
    follow_up_id: int,
    *,
    channel: ContactChannel,
    result: ContactResult,
    note: str = "",
) -> FollowUp:
    """Log one attempt; reaching the client completes it, a fifth miss exhausts it."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        follow_up = pending_follow_up(ctx, conn, follow_up_id)
        if follow_up.attempts >= MAX_ATTEMPTS:
            raise Refused(
                f"Follow-up {follow_up_ref(follow_up_id)} has had its {MAX_ATTEMPTS} attempts."
            )
        reached = result is ContactResult.REACHED
        status = status_after_attempt(follow_up.attempts, reached)
        text = note.strip()[:MAX_NOTE]
        follow_up_rows.record_attempt(
            conn,
            follow_up_id=follow_up_id,
            at=at,
            actor_id=ctx.actor.id,
            channel=channel.value,
            result=result.value,
            note=text,
        )
        if status is not FollowUpStatus.PENDING:
            follow_up_rows.finish_follow_up(
                conn,
                follow_up_id,
                status=status.value,
                result=result.value if reached else "attempts ran out",
                completed_at=at if reached else None,
            )
        detail = {"channel": channel.value, "result": result.value, "status": status.value}
        return log_activity(ctx, conn, follow_up, "attempt", {**detail, "note": text})


def record_caring_contact(
    ctx: ServiceContext, follow_up_id: int, *, channel: ContactChannel, message: str
) -> FollowUp:
    """A caring contact's brief message was sent: the attempt is logged and it is done."""
    text = message.strip()
    if not text:
        raise ValidationFailed("Say what the message said (a line is enough).")
    if len(text) > MAX_OUTCOME_NOTE:
        raise ValidationFailed(
            f"The message is {len(text):,} characters; the limit is {MAX_OUTCOME_NOTE:,}."
        )
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        follow_up = pending_follow_up(ctx, conn, follow_up_id)
        if not caring_contact_only(follow_up.kind):
            raise Refused(
                f"Follow-up {follow_up_ref(follow_up_id)} needs the client reached, not only a "
                "message: record an attempt instead."
            )
        follow_up_rows.record_attempt(
            conn,
            follow_up_id=follow_up_id,
            at=at,
            actor_id=ctx.actor.id,
            channel=channel.value,
            result=CARING_CONTACT_RESULT,
            note=text,
        )
        follow_up_rows.finish_follow_up(
            conn, follow_up_id, status="done", result="caring contact sent", completed_at=at
        )
        detail = {"channel": channel.value, "status": "done", "note": text}
        return log_activity(ctx, conn, follow_up, "caring_contact", detail)


def complete_follow_up(
    ctx: ServiceContext, follow_up_id: int, outcome: FollowUpOutcome, note: str = ""
) -> FollowUp:
    """Mark a follow-up done with how it ended (contact made, seen in clinic, declined, …)."""
    text = note.strip()
    if len(text) > MAX_OUTCOME_NOTE:
        raise ValidationFailed(
            f"The note is {len(text):,} characters; the limit is {MAX_OUTCOME_NOTE:,}."
        )
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        # One whose attempts ran out may still be resolved: it stays on the supervisor's
        # board until someone says what came of it.
        follow_up = pending_follow_up(ctx, conn, follow_up_id, resolving=True)
        result = f"{outcome.label}: {text}" if text else outcome.label
        status = status_after_outcome(outcome)
        follow_up_rows.finish_follow_up(
            conn, follow_up_id, status=status.value, result=result, completed_at=at
        )
        detail = {"outcome": outcome.value, "status": status.value, "note": text}
        return log_activity(ctx, conn, follow_up, "completed", detail)


def cancel_follow_up(ctx: ServiceContext, follow_up_id: int, reason: str) -> FollowUp:
    """Cancel a pending follow-up with a stated reason."""
    if not reason.strip():
        raise Refused("Say why the follow-up is cancelled.")
    text = reason.strip()[:500]
    with ctx.store.write() as conn:
        follow_up = pending_follow_up(ctx, conn, follow_up_id)
        follow_up_rows.finish_follow_up(
            conn, follow_up_id, status="cancelled", result=text, completed_at=ctx.now_iso()
        )
        return log_activity(ctx, conn, follow_up, "cancelled", {"reason": text})
