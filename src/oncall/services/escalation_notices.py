"""Escalation notices: the steps a console shows its user as they happen, whoever took them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import from_iso
from oncall.services.context import ServiceContext
from oncall.store import claims

# The kinds of notice, named here for the console (which never imports the store).
from oncall.store.claims import (
    ALERT_ASSIGNMENT,
    EPISODE_REASSIGNMENT,
    HANDOVER,
    MANUAL_PAGE,
    SHIFT_CHANGE,
)

__all__ = [
    "ALERT_ASSIGNMENT",
    "EPISODE_REASSIGNMENT",
    "HANDOVER",
    "MANUAL_PAGE",
    "NOTICE_TYPES",
    "SHIFT_CHANGE",
    "EscalationNotice",
    "latest_notice_id",
    "notices_since",
]

NOTICE_TYPES = (
    claims.ALERT,
    claims.FOLLOW_UP,
    claims.HANDOFF,
    claims.HANDOVER,
    claims.ALERT_ASSIGNMENT,
    claims.EPISODE_REASSIGNMENT,
    claims.MANUAL_PAGE,
    claims.SHIFT_CHANGE,
)


@dataclass(frozen=True)
class EscalationNotice:
    """One escalation step or handoff reminder, as a console announces it."""

    claim_id: int
    subject_type: str
    """One of NOTICE_TYPES (an escalation, a handover, or a supervisor's assignment or page)."""
    subject_id: int
    level: int
    target_role: str | None
    recipient_id: int | None
    message: str
    """Says what escalated and to whom; no client name (it may reach a wall screen)."""
    fired_at: datetime


def latest_notice_id(ctx: ServiceContext) -> int:
    """Where a console starts watching: notices before this were before it opened."""
    with ctx.store.read() as conn:
        return claims.last_claim_id(conn)


def notices_since(
    ctx: ServiceContext, after_id: int, recipient_id: int | None, *, limit: int = 200
) -> tuple[list[EscalationNotice], int]:
    """Steps claimed after `after_id` (for one recipient, or all), and the id to watch from."""
    with ctx.store.read() as conn:
        # Read the high-water mark first: a claim committed in between is seen next time.
        newest = claims.last_claim_id(conn)
        found = claims.claims_after(
            conn, after_id, subject_types=NOTICE_TYPES, target_staff_id=recipient_id, limit=limit
        )
    found = [c for c in found if c.id <= newest]
    if len(found) == limit:
        newest = found[-1].id
    notices = [
        EscalationNotice(
            c.id,
            c.subject_type,
            c.subject_id,
            c.level,
            c.target_role,
            c.target_staff_id,
            str(c.detail.get("message", "")),
            from_iso(c.fired_at),
        )
        for c in found
    ]
    return notices, max(newest, after_id)
