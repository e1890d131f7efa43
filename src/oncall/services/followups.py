"""Follow-up attempts and outcomes (W4)."""

from __future__ import annotations

from oncall.domain.followup_plan import MAX_ATTEMPTS, status_after_attempt
from oncall.domain.models import FollowUp
from oncall.domain.types import ContactChannel, ContactResult, FollowUpStatus
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused
from oncall.store import followups as follow_up_rows


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
        follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        if follow_up is None:
            raise NotFound(f"There is no follow-up {follow_up_id}.")
        require_client_access(ctx, conn, follow_up.client_id)
        if follow_up.status is not FollowUpStatus.PENDING:
            raise Refused(f"Follow-up {follow_up_id} is already {follow_up.status.value}.")
        if follow_up.attempts >= MAX_ATTEMPTS:
            raise Refused(f"Follow-up {follow_up_id} has had its {MAX_ATTEMPTS} attempts.")
        reached = result is ContactResult.REACHED
        status = status_after_attempt(follow_up.attempts, reached)
        follow_up_rows.record_attempt(
            conn,
            follow_up_id=follow_up_id,
            at=at,
            actor_id=ctx.actor.id,
            channel=channel.value,
            result=result.value,
            note=note.strip()[:4000],
        )
        if status is not FollowUpStatus.PENDING:
            follow_up_rows.finish_follow_up(
                conn,
                follow_up_id,
                status=status.value,
                result=result.value if reached else "attempts ran out",
                completed_at=at if reached else None,
            )
        ctx.audit(
            conn,
            "follow_up.attempt",
            "follow_up",
            follow_up_id,
            client_id=follow_up.client_id,
            detail={"channel": channel.value, "result": result.value, "status": status.value},
        )
        fresh = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        assert fresh is not None
        return fresh


def cancel_follow_up(ctx: ServiceContext, follow_up_id: int, reason: str) -> FollowUp:
    """Cancel a pending follow-up with a stated reason."""
    if not reason.strip():
        raise Refused("Say why the follow-up is cancelled.")
    with ctx.store.write() as conn:
        follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        if follow_up is None:
            raise NotFound(f"There is no follow-up {follow_up_id}.")
        require_client_access(ctx, conn, follow_up.client_id)
        if follow_up.status is not FollowUpStatus.PENDING:
            raise Refused(f"Follow-up {follow_up_id} is already {follow_up.status.value}.")
        follow_up_rows.finish_follow_up(
            conn,
            follow_up_id,
            status="cancelled",
            result=reason.strip()[:500],
            completed_at=ctx.now_iso(),
        )
        ctx.audit(
            conn,
            "follow_up.cancelled",
            "follow_up",
            follow_up_id,
            client_id=follow_up.client_id,
            detail={"reason": reason.strip()[:500]},
        )
        fresh = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        assert fresh is not None
        return fresh
