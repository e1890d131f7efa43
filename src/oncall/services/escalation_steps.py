"""One escalation step written exactly once: claim, timeline event, audit entry, outbox message.

The shared half of services/escalation.py: whichever rule calls a step (an
alert's deadline, an overdue follow-up, an unconfirmed handoff) writes it here,
inside the transaction that checked the step is still due.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oncall.config import Settings
from oncall.domain.escalation import EscalationTarget
from oncall.domain.models import Staff
from oncall.domain.timefmt import from_iso, maybe_from_iso
from oncall.domain.types import EventKind, Role, ShiftRole
from oncall.routing import LEGACY_DEFAULT, ROLE_PREFIX, STAFF_PREFIX
from oncall.services.context import ServiceContext
from oncall.services.rota import Recipient
from oncall.store import claims, outbox, people
from oncall.store import episodes as episode_rows

LABELS = {
    EscalationTarget.BACKUP_ON_CALL: "the backup on call",
    EscalationTarget.SUPERVISOR: "the supervisor",
    EscalationTarget.EPISODE_OWNER: "the episode's owner",
    EscalationTarget.ASSIGNEE: "the follow-up's assignee",
}
"""Each chain target as a message names it."""


ESCALATIONS_TARGET = LEGACY_DEFAULT
"""Older settings' name for the program-wide default target (now `default = true`)."""


def outbox_target(settings: Settings, person: Staff | None, target: EscalationTarget) -> str:
    """The logical recipient a step's message is addressed to: "staff:<login>" or "role:<role>".

    The target it goes to is chosen when it is sent (oncall/routing.py): the person's own
    target, else the program's default; with neither it waits, shown as undeliverable.
    `settings` is kept for callers; the address no longer depends on it.
    """
    del settings
    return f"{STAFF_PREFIX}{person.login}" if person else f"{ROLE_PREFIX}{target.value}"


def dispatcher_actor(login: str = "dispatcher") -> Staff:
    """The actor recorded for steps the dispatcher takes on nobody's behalf."""
    return Staff(id=0, login=login, display_name=login, role=Role.ADMIN)


def earlier_step_sent_at(
    conn: sqlite3.Connection, subject_type: str, subject_id: int, level: int, key: str
) -> datetime | None:
    """When level `level` - 1 of a chain actually went out: its page's delivery, else the
    step itself (a page that could not be sent must not hold the next level back)."""
    earlier = [c for c in claims.claims_for(conn, subject_type, subject_id) if c.level == level - 1]
    if not earlier:
        return None
    fired = from_iso(earlier[0].fired_at)
    pages = outbox.messages_by_keys(conn, [key])
    delivered = maybe_from_iso(pages[0]["delivered_at"]) if pages else None
    return max(fired, delivered) if delivered else fired


def escalated_from(conn: sqlite3.Connection, alert_id: int, level: int, now: datetime) -> str:
    """Who the alert was with before this level: the primary on call, or the earlier level."""
    if level == 1:
        primary = [s for s in people.shifts_at(conn, now) if s.role is ShiftRole.PRIMARY]
        person = people.staff_by_id(conn, primary[0].staff_id) if primary else None
        return f"{person.display_name} (primary on call)" if person else "nobody on primary call"
    earlier = [c for c in claims.claims_for(conn, claims.ALERT, alert_id) if c.level == level - 1]
    person = (
        people.staff_by_id(conn, earlier[0].target_staff_id)
        if earlier and earlier[0].target_staff_id
        else None
    )
    role = (earlier[0].target_role or "earlier level").replace("_", " ") if earlier else "level"
    return f"{person.display_name} ({role})" if person else f"nobody ({role})"


@dataclass(frozen=True)
class EscalationStep:
    """One step taken: what escalated, to whom, and the outbox message's key."""

    subject_type: str
    """claims.ALERT, claims.FOLLOW_UP or claims.HANDOFF."""
    subject_id: int
    level: int
    target: EscalationTarget
    recipient_id: int | None
    recipient_name: str | None
    message: str
    idempotency_key: str
    episode_id: int | None
    claim_id: int


@dataclass
class EscalationRun:
    """The steps one run took."""

    steps: list[EscalationStep] = field(default_factory=list)


class AlreadyTaken(Exception):
    """Another process claimed the step first; roll back anything written."""


def record_step(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    *,
    subject: tuple[str, int, int],
    who: Recipient,
    message: str,
    key: str,
    outbox_kind: str,
    episode_id: int | None,
    client_id: int | None,
    facts: dict[str, Any],
    fired_by: str,
) -> EscalationStep:
    """Claim the step, then write its timeline event, audit entry and outbox message."""
    subject_type, subject_id, level = subject
    at = ctx.now_iso()
    person = who.staff
    detail = {"message": message, "how": who.how, "idempotency_key": key, **facts}
    claim_id = claims.claim(
        conn,
        subject_type=subject_type,
        subject_id=subject_id,
        level=level,
        fired_at=at,
        fired_by=fired_by or ctx.actor.login,
        target_role=who.target.value,
        target_staff_id=person.id if person else None,
        detail=detail,
    )
    if claim_id is None:
        raise AlreadyTaken
    body = {
        "subject": subject_type,
        f"{subject_type}_id": subject_id,
        "level": level,
        "target": who.target.value,
        "recipient_id": person.id if person else None,
        "recipient": person.display_name if person else None,
        "how": who.how,
        "message": message,
    }
    if episode_id is not None:
        episode_rows.insert_event(
            conn,
            episode_id=episode_id,
            at=at,
            actor_id=ctx.actor.id or None,
            kind=EventKind.ESCALATION,
            body=body,
        )
    action = {claims.HANDOFF: "handoff.reminded", claims.REMINDER: "follow_up.reminder_sent"}.get(
        subject_type, f"{subject_type}.escalated"
    )
    ctx.audit(conn, action, subject_type, subject_id, client_id=client_id, detail=body)
    recipient_info = (
        {"login": person.login, "name": person.display_name, "phone": person.phone}
        if person
        else None
    )
    # No client name or reference leaves the building in the message itself.
    outbox.enqueue(
        conn,
        kind=outbox_kind,
        target=outbox_target(ctx.settings, person, who.target),
        payload={
            **body,
            **facts,
            "recipient": recipient_info,
            "recipient_login": person.login if person else None,
            "episode_id": episode_id,
            "fired_at": at,
        },
        idempotency_key=key,
        created_at=at,
    )
    return EscalationStep(
        subject_type,
        subject_id,
        level,
        who.target,
        person.id if person else None,
        person.display_name if person else None,
        message,
        key,
        episode_id,
        claim_id,
    )
