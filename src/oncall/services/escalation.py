"""Escalation (W6), follow-up escalation (W4) and handoff reminders (W7), each step exactly once.

Every step is one transaction: claim the step's row, raise what must be raised,
write the timeline event (when there is an episode) and the audit entry, and
queue the outbound message. Whichever process claims first acts; every other
process running the same rule finds the claim and does nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oncall.config import Settings
from oncall.domain.escalation import EscalationTarget, chain_levels_due
from oncall.domain.followup_plan import MAX_ATTEMPTS, attempts_ran_out, needs_escalation
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import AlertStatus, EpisodeStatus, EventKind, Role
from oncall.services.context import ServiceContext
from oncall.services.rota import Recipient, recipient
from oncall.store import alerts as alert_rows
from oncall.store import claims, outbox, schedule
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows

BATCH = 100
"""Most steps of each kind taken in one run, so a backlog never stalls the dispatcher."""

_LABELS = {
    EscalationTarget.BACKUP_ON_CALL: "the backup on call",
    EscalationTarget.SUPERVISOR: "the supervisor",
    EscalationTarget.EPISODE_OWNER: "the episode's owner",
}


ESCALATIONS_TARGET = "escalations"
"""The configured outbound target (settings `targets`) that receives steps with no target
of the recipient's own (one named "staff:<login>")."""


def outbox_target(settings: Settings, person: Staff | None, target: EscalationTarget) -> str:
    """Where a step's message goes: the recipient's own target, else "escalations".

    With neither configured the message names the recipient ("staff:<login>"); the
    deliverer reports it as undeliverable, so the supervisor sees it fail.
    """
    own = f"staff:{person.login}" if person else f"role:{target.value}"
    configured = {t.name for t in settings.targets}
    if own not in configured and ESCALATIONS_TARGET in configured:
        return ESCALATIONS_TARGET
    return own


def dispatcher_actor(login: str = "dispatcher") -> Staff:
    """The actor recorded for steps the dispatcher takes on nobody's behalf."""
    return Staff(id=0, login=login, display_name=login, role=Role.ADMIN)


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


class _AlreadyTaken(Exception):
    """Another process claimed the step first; roll back anything written."""


def _record_step(
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
        raise _AlreadyTaken
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
    action = {claims.HANDOFF: "handoff.reminded"}.get(subject_type, f"{subject_type}.escalated")
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


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min" if minutes < 120 else f"{minutes / 60:g} h"


def _alert_step(
    ctx: ServiceContext, alert_id: int, level: int, now: datetime, fired_by: str
) -> EscalationStep | None:
    policy = ctx.settings.escalation_policy
    with ctx.store.write() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
        # Acknowledging stops the chain: the level only rises while the alert is new.
        if alert is None or alert.status is not AlertStatus.NEW:
            return None
        if not alert_rows.set_escalation_level(conn, alert_id, level):
            return None
        episode = (
            episode_rows.open_episode_for_client(conn, alert.client_id)
            if alert.client_id is not None
            else None
        )
        target = policy.target(level)
        who = recipient(conn, target, now)
        waited = _minutes(now - alert.received_at)
        message = (
            f"Alert {alert.id} ({alert.severity.value}, {alert.kind.value.replace('_', ' ')})"
            f" not acknowledged after {waited}: escalated to {_LABELS[target]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return _record_step(
            ctx,
            conn,
            subject=(claims.ALERT, alert.id, level),
            who=who,
            message=message,
            key=f"escalation-alert-{alert.id}-level-{level}",
            outbox_kind="escalation",
            episode_id=episode.id if episode else None,
            client_id=alert.client_id,
            facts={
                "severity": alert.severity.value,
                "kind": alert.kind.value,
                "source": alert.source,
                "received_at": to_iso(alert.received_at),
                "ack_deadline_at": to_iso(alert.ack_deadline_at),
            },
            fired_by=fired_by,
        )


def _follow_up_step(
    ctx: ServiceContext, follow_up_id: int, now: datetime, fired_by: str
) -> EscalationStep | None:
    grace = ctx.settings.follow_up_grace
    with ctx.store.write() as conn:
        follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        if follow_up is None or not needs_escalation(follow_up, now, grace):
            return None
        out_of_attempts = follow_up.status.value == "exhausted" or attempts_ran_out(
            follow_up.attempts
        )
        reason = "attempts ran out" if out_of_attempts else "overdue"
        who = recipient(conn, EscalationTarget.SUPERVISOR, now)
        what = follow_up.kind.value.replace("_", " ")
        message = (
            f"Follow-up {follow_up.id} ({what}) {reason}"
            f"{f' after {follow_up.attempts} attempts' if out_of_attempts else ''}:"
            f" escalated to {_LABELS[EscalationTarget.SUPERVISOR]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return _record_step(
            ctx,
            conn,
            subject=(claims.FOLLOW_UP, follow_up.id, 1),
            who=who,
            message=message,
            key=f"escalation-followup-{follow_up.id}",
            outbox_kind="escalation",
            episode_id=follow_up.episode_id,
            client_id=follow_up.client_id,
            facts={
                "reason": reason,
                "follow_up_kind": follow_up.kind.value,
                "due_at": to_iso(follow_up.due_at),
                "attempts": follow_up.attempts,
                "assignee_id": follow_up.assignee_id,
            },
            fired_by=fired_by,
        )


def _handoff_step(
    ctx: ServiceContext, episode_id: int, level: int, now: datetime, fired_by: str
) -> EscalationStep | None:
    policy = ctx.settings.handoff_policy
    with ctx.store.write() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if (
            episode is None
            or episode.status is not EpisodeStatus.HANDOFF_PENDING
            or episode.handoff_confirmed_at is not None
            or episode.handoff_deadline_at is None
        ):
            return None
        due = chain_levels_due(
            episode.handoff_deadline_at, policy.confirm_within, level - 1, len(policy.chain), now
        )
        if level not in due:
            return None
        target = policy.target(level)
        who = recipient(conn, target, now, owner_id=episode.opened_by)
        org = episode.handoff.org if episode.handoff else "the hotline"
        message = (
            f"Handoff from {org} on episode {episode.id} not confirmed by its deadline:"
            f" reminder to {_LABELS[target]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return _record_step(
            ctx,
            conn,
            subject=(claims.HANDOFF, episode.id, level),
            who=who,
            message=message,
            key=f"handoff-reminder-episode-{episode.id}-level-{level}",
            outbox_kind="handoff_reminder",
            episode_id=episode.id,
            client_id=episode.client_id,
            facts={
                "org": org,
                "reference": episode.handoff.reference if episode.handoff else None,
                "handoff_deadline_at": to_iso(episode.handoff_deadline_at),
            },
            fired_by=fired_by,
        )


def _taken(step: EscalationStep | None, run: EscalationRun) -> None:
    if step is not None:
        run.steps.append(step)


def run_due_escalations(
    ctx: ServiceContext, now: datetime | None = None, *, fired_by: str = ""
) -> EscalationRun:
    """Take every escalation step and handoff reminder due by `now`, each exactly once."""
    now = now or ctx.clock.now()
    at = to_iso(now)
    run = EscalationRun()
    chain = len(ctx.settings.escalation_policy.chain)
    with ctx.store.read() as conn:
        alerts = schedule.alerts_past_deadline(conn, at, chain, BATCH)
        overdue_before = to_iso(now - ctx.settings.follow_up_grace)
        follow_ups = schedule.follow_ups_to_escalate(conn, overdue_before, MAX_ATTEMPTS, BATCH)
        handoffs = schedule.handoffs_past_deadline(
            conn, at, len(ctx.settings.handoff_policy.chain), BATCH
        )
    for alert in alerts:
        interval = alert.ack_deadline_at - alert.received_at
        for level in chain_levels_due(
            alert.ack_deadline_at, interval, alert.escalation_level, chain, now
        ):
            try:
                _taken(_alert_step(ctx, alert.id, level, now, fired_by), run)
            except _AlreadyTaken:
                continue
    for follow_up in follow_ups:
        try:
            _taken(_follow_up_step(ctx, follow_up.id, now, fired_by), run)
        except _AlreadyTaken:
            continue
    for episode, reached in handoffs:
        for level in range(reached + 1, len(ctx.settings.handoff_policy.chain) + 1):
            try:
                _taken(_handoff_step(ctx, episode.id, level, now, fired_by), run)
            except _AlreadyTaken:
                continue
    return run
