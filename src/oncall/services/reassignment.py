"""A supervisor moves work to a named colleague from the board, or pages one by hand (W10).

Each action is one transaction: the change, its audit entry, a notice in the
colleague's console (a dispatch claim aimed at them, as escalations are), and for
what cannot wait (a waiting alert, an open episode, a page) an outbox message
addressed the way escalations address staff. No client name or typed text leaves in
a message: only ids, severity, kind and ages.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from oncall.domain.escalation import EscalationTarget
from oncall.domain.followup_work import follow_up_ref
from oncall.domain.models import Alert, Staff
from oncall.domain.types import AlertStatus, EpisodeStatus, EventKind, Role, ShiftRole
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, PermissionDenied, Refused, ValidationFailed
from oncall.services.escalation_steps import outbox_target
from oncall.services.followup_changes import hand_over_follow_up
from oncall.services.risk import current_levels
from oncall.services.rota import on_call_now
from oncall.store import alerts as alert_rows
from oncall.store import board as board_rows
from oncall.store import claims, outbox, people
from oncall.store import episodes as episode_rows

SUPERVISING = (Role.SUPERVISOR, Role.ADMIN)
PAGE_KIND = "page"
"""The outbox kind of these messages (escalation steps are "escalation")."""


@dataclass(frozen=True)
class Colleague:
    """Someone work can go to, as the chooser lists them."""

    staff_id: int
    name: str
    role: Role
    on_call: tuple[ShiftRole, ...]
    """The rota roles they hold now (empty: not on call)."""


@dataclass(frozen=True)
class Handed:
    """What was done: said in a sentence for the supervisor, and the message's key if paged."""

    message: str
    to_staff_id: int
    idempotency_key: str | None


def _supervising(ctx: ServiceContext, what: str) -> None:
    if ctx.actor.role not in SUPERVISING:
        raise PermissionDenied(f"{what} from the board is for supervisors and admins.")


def colleagues(ctx: ServiceContext) -> list[Colleague]:
    """Active staff, those on call now first (primary, backup, supervisor), then by name."""
    rota = on_call_now(ctx)
    order = list(ShiftRole)
    roles: dict[int, list[ShiftRole]] = {}
    for role in order:
        for entry in rota.for_role(role):
            roles.setdefault(entry.staff_id, []).append(role)
    with ctx.store.read() as conn:
        staff = people.list_staff(conn, active_only=True)
    found = [Colleague(s.id, s.display_name, s.role, tuple(roles.get(s.id, ()))) for s in staff]
    found.sort(key=lambda c: (min((order.index(r) for r in c.on_call), default=9), c.name))
    return found


def _colleague(conn: sqlite3.Connection, staff_id: int) -> Staff:
    person = people.staff_by_id(conn, staff_id)
    if person is None or not person.active:
        raise ValidationFailed("Work can go only to someone who is active staff.")
    return person


def _age(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // (24 * 60)} days"


def _notify(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    *,
    subject: tuple[str, int],
    person: Staff,
    message: str,
    page: bool,
    facts: dict[str, Any],
) -> str | None:
    """A notice in the colleague's console and, when `page`, a message to their target."""
    subject_type, subject_id = subject
    level = len(claims.claims_for(conn, subject_type, subject_id)) + 1
    at = ctx.now_iso()
    claims.claim(
        conn,
        subject_type=subject_type,
        subject_id=subject_id,
        level=level,
        fired_at=at,
        fired_by=f"staff:{ctx.actor.login}",
        target_role="colleague",
        target_staff_id=person.id,
        detail={"message": message},
    )
    if not page:
        return None
    key = f"{subject_type}-{subject_id}-{level}"
    outbox.enqueue(
        conn,
        kind=PAGE_KIND,
        # Addressed as escalations address staff ("staff:<login>"); routed when it is sent.
        target=outbox_target(ctx.settings, person, EscalationTarget.BACKUP_ON_CALL),
        payload={
            "summary": message,
            "message": message,
            "recipient_login": person.login,
            "recipient": {"login": person.login, "name": person.display_name},
            "from": ctx.actor.login,
            "fired_at": at,
            **facts,
        },
        idempotency_key=key,
        created_at=at,
    )
    return key


def _on_timeline(
    ctx: ServiceContext, conn: sqlite3.Connection, alert: Alert, person: Staff, message: str
) -> None:
    """On the client's open episode, if there is one, as an escalation step is."""
    if alert.client_id is None:
        return
    episode = episode_rows.open_episode_for_client(conn, alert.client_id)
    if episode is None:
        return
    episode_rows.insert_event(
        conn,
        episode_id=episode.id,
        at=ctx.now_iso(),
        actor_id=ctx.actor.id,
        kind=EventKind.ESCALATION,
        body={
            "subject": "alert",
            "alert_id": alert.id,
            "by_hand": True,
            "recipient_id": person.id,
            "recipient": person.display_name,
            "message": message,
        },
    )


def assign_alert(ctx: ServiceContext, alert_id: int, to_staff_id: int) -> Handed:
    """Ask a colleague to take a waiting alert: they are paged and told in their console.

    The alert stays waiting, its deadline and escalation chain running, until someone
    acknowledges it: asking is not claiming, and nothing is safer for being asked.
    """
    _supervising(ctx, "Assigning an alert")
    now = ctx.clock.now()
    with ctx.store.write() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
        if alert is None:
            raise NotFound(f"There is no alert {alert_id}.")
        if alert.status is not AlertStatus.NEW:
            raise Refused(
                f"Alert {alert_id} is acknowledged already: its episode is handed on instead."
            )
        person = _colleague(conn, to_staff_id)
        if board_rows.latest_assignee(conn, alert_id) == person.id:
            raise ValidationFailed(f"{person.display_name} was already asked to take it.")
        late = (
            f"{_age(now - alert.ack_deadline_at)} past its deadline"
            if now >= alert.ack_deadline_at
            else f"due in {_age(alert.ack_deadline_at - now)}"
        )
        message = (
            f"Alert {alert.id} ({alert.severity.value}, {alert.kind.value.replace('_', ' ')}),"
            f" waiting {_age(now - alert.received_at)}, {late}: {ctx.actor.display_name}"
            f" asks {person.display_name} to take it (acknowledge it in the queue with a)."
        )
        _on_timeline(ctx, conn, alert, person, message)
        ctx.audit(
            conn,
            "alert.assigned",
            "alert",
            alert.id,
            client_id=alert.client_id,
            detail={"to_staff_id": person.id, "to": person.login},
        )
        key = _notify(
            ctx,
            conn,
            subject=(claims.ALERT_ASSIGNMENT, alert.id),
            person=person,
            message=message,
            page=True,
            facts={
                "alert_id": alert.id,
                "severity": alert.severity.value,
                "kind": alert.kind.value,
            },
        )
    return Handed(message, person.id, key)


def reassign_episode(ctx: ServiceContext, episode_id: int, to_staff_id: int) -> Handed:
    """Give an open episode to a colleague: they own it (escalations, access) from now on."""
    _supervising(ctx, "Reassigning an episode")
    with ctx.store.write() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode #{episode_id}.")
        if episode.status is EpisodeStatus.CLOSED:
            raise Refused(f"Episode #{episode_id} is closed; its follow-ups can be handed on.")
        person = _colleague(conn, to_staff_id)
        if person.id == episode.opened_by:
            raise ValidationFailed(f"Episode #{episode_id} is already {person.display_name}'s.")
        before = people.staff_by_id(conn, episode.opened_by)
        before_name = before.display_name if before else "unknown"
        board_rows.set_episode_owner(conn, episode.id, person.id)
        body = {
            "change": "owner",
            "from": before_name,
            "to": person.display_name,
            "by": ctx.actor.display_name,
        }
        episode_rows.insert_event(
            conn,
            episode_id=episode.id,
            at=ctx.now_iso(),
            actor_id=ctx.actor.id,
            kind=EventKind.STATUS_CHANGE,
            body=body,
        )
        ctx.audit(
            conn,
            "episode.reassigned",
            "episode",
            episode.id,
            client_id=episode.client_id,
            detail={"from_staff_id": episode.opened_by, "to_staff_id": person.id},
        )
        state = episode.status.value.replace("_", " ")
        level = current_levels(conn, [episode.id])[episode.id]
        risk = level.value if level else "not screened"
        message = (
            f"Episode #{episode.id} ({state}, risk {risk}) handed from {before_name} to"
            f" {person.display_name} by {ctx.actor.display_name}: it is in their open episodes."
        )
        key = _notify(
            ctx,
            conn,
            subject=(claims.EPISODE_REASSIGNMENT, episode.id),
            person=person,
            message=message,
            page=True,
            facts={"episode_id": episode.id, "severity": "info"},
        )
    return Handed(message, person.id, key)


def reassign_follow_up(ctx: ServiceContext, follow_up_id: int, to_staff_id: int) -> Handed:
    """Give a follow-up to a colleague (as its workspace's hand-over does), from the board.

    Their console announces it; no page: it is due later, and its reminder goes out as
    a message when it comes due and no console shows it.
    """
    _supervising(ctx, "Reassigning a follow-up")
    with ctx.store.write() as conn:
        person = _colleague(conn, to_staff_id)
        hand_over_follow_up(ctx, follow_up_id, person.id, "")
    message = (
        f"Follow-up {follow_up_ref(follow_up_id)} handed to {person.display_name};"
        " their console announces it."
    )
    return Handed(message, person.id, None)


def page_colleague(ctx: ServiceContext, to_staff_id: int, alert_id: int | None = None) -> Handed:
    """Page a colleague by hand (a backup when the rota's is not enough), about an alert or not."""
    _supervising(ctx, "Paging a colleague")
    now = ctx.clock.now()
    with ctx.store.write() as conn:
        person = _colleague(conn, to_staff_id)
        facts: dict[str, Any] = {}
        about = "the on-call queue"
        alert = alert_rows.alert_by_id(conn, alert_id) if alert_id is not None else None
        if alert_id is not None and alert is None:
            raise NotFound(f"There is no alert {alert_id}.")
        if alert is not None:
            waiting = " waiting" if alert.status is AlertStatus.NEW else ""
            about = (
                f"alert {alert.id} ({alert.severity.value}, {alert.kind.value.replace('_', ' ')},"
                f"{waiting} {_age(now - alert.received_at)})"
            )
            facts = {
                "alert_id": alert.id,
                "severity": alert.severity.value,
                "kind": alert.kind.value,
            }
        message = f"{ctx.actor.display_name} pages {person.display_name} to help with {about}."
        if alert is not None:
            _on_timeline(ctx, conn, alert, person, message)
        ctx.audit(
            conn,
            "page.sent",
            "staff",
            person.id,
            client_id=alert.client_id if alert is not None else None,
            detail={"to": person.login, "alert_id": alert_id, "by_hand": True},
        )
        key = _notify(
            ctx,
            conn,
            subject=(claims.MANUAL_PAGE, alert_id or 0),
            person=person,
            message=message,
            page=True,
            facts=facts,
        )
    return Handed(message, person.id, key)
