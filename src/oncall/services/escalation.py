"""Escalation (W6), follow-up escalation (W4) and handoff reminders (W7), each step exactly once.

Every step is one transaction: claim the step's row, raise what must be raised,
write the timeline event (when there is an episode) and the audit entry, and
queue the outbound message. Whichever process claims first acts; every other
process running the same rule finds the claim and does nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from oncall.domain.escalation import EscalationTarget, chain_levels_due
from oncall.domain.followup_plan import MAX_ATTEMPTS, attempts_ran_out, needs_escalation
from oncall.domain.followup_work import follow_up_ref
from oncall.domain.timefmt import to_iso
from oncall.domain.types import AlertStatus, EpisodeStatus
from oncall.services.context import ServiceContext
from oncall.services.escalation_steps import (
    LABELS,
    AlreadyTaken,
    EscalationRun,
    EscalationStep,
    dispatcher_actor,
    earlier_step_sent_at,
    escalated_from,
    outbox_target,
    record_step,
)
from oncall.services.rota import Recipient, recipient
from oncall.store import alerts as alert_rows
from oncall.store import claims, people, schedule
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows

__all__ = [
    "EscalationRun",
    "EscalationStep",
    "dispatcher_actor",
    "outbox_target",
    "run_due_escalations",
]

BATCH = 100
"""Most steps of each kind taken in one run, so a backlog never stalls the dispatcher."""
REMINDER_BY_MESSAGE_AFTER = timedelta(minutes=2)
"""A due follow-up no console has shown by then: its assignee is not at a console, so
the reminder goes out as a message (the outbox) instead."""


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
        if level > 1:
            # Never two levels in one instant (a worker back from downtime once paged backup
            # and supervisor together): the gap runs from when the earlier level went out.
            gap = alert.ack_deadline_at - alert.received_at
            key = f"escalation-alert-{alert.id}-level-{level - 1}"
            sent = earlier_step_sent_at(conn, claims.ALERT, alert.id, level, key)
            if sent is None or now < sent + gap:
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
            f" not acknowledged after {waited}: escalated to {LABELS[target]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return record_step(
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
                "alert_id": alert.id,
                "escalated_from": escalated_from(conn, alert.id, level, now),
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
            f"Follow-up {follow_up_ref(follow_up.id)} ({what}) {reason}"
            f"{f' after {follow_up.attempts} attempts' if out_of_attempts else ''}:"
            f" escalated to {LABELS[EscalationTarget.SUPERVISOR]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return record_step(
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


def _reminder_message_step(
    ctx: ServiceContext, follow_up_id: int, now: datetime, fired_by: str
) -> EscalationStep | None:
    """Remind an assignee who is not at a console, by message, once."""
    with ctx.store.write() as conn:
        follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        if follow_up is None or follow_up.status.value != "pending":
            return None
        if claims.claims_for(conn, claims.REMINDER, follow_up.id):
            return None  # a console showed it meanwhile
        person = people.staff_by_id(conn, follow_up.assignee_id)
        who = Recipient(EscalationTarget.ASSIGNEE, person, "assignee, not at a console")
        what = follow_up.kind.value.replace("_", " ")
        late = int((now - follow_up.due_at).total_seconds() // 60)
        message = (
            f"Follow-up {follow_up_ref(follow_up.id)} ({what}) has been due for {late} min"
            " and no console of its assignee showed it: reminded by message."
        )
        return record_step(
            ctx,
            conn,
            subject=(claims.REMINDER, follow_up.id, 1),
            who=who,
            message=message,
            key=f"reminder-followup-{follow_up.id}",
            outbox_kind="reminder",
            episode_id=None,  # a reminder is not a clinical event; the audit log has it
            client_id=follow_up.client_id,
            facts={
                "follow_up_kind": follow_up.kind.value,
                "due_at": to_iso(follow_up.due_at),
                "attempts": follow_up.attempts,
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
        if level > 1:
            key = f"handoff-reminder-episode-{episode.id}-level-{level - 1}"
            sent = earlier_step_sent_at(conn, claims.HANDOFF, episode.id, level, key)
            if sent is None or now < sent + policy.confirm_within:
                return None
        target = policy.target(level)
        who = recipient(conn, target, now, owner_id=episode.opened_by)
        org = episode.handoff.org if episode.handoff else "the hotline"
        message = (
            f"Handoff from {org} on episode {episode.id} not confirmed by its deadline:"
            f" reminder to {LABELS[target]}"
            f"{f' ({who.staff.display_name})' if who.staff else ' (nobody to notify)'}."
        )
        return record_step(
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
        unshown = schedule.follow_ups_not_reminded(
            conn, to_iso(now - REMINDER_BY_MESSAGE_AFTER), BATCH
        )
    for alert in alerts:
        interval = alert.ack_deadline_at - alert.received_at
        # Only the next level: a later one waits its gap after this one goes out.
        for level in chain_levels_due(
            alert.ack_deadline_at, interval, alert.escalation_level, chain, now
        )[:1]:
            try:
                _taken(_alert_step(ctx, alert.id, level, now, fired_by), run)
            except AlreadyTaken:
                continue
    for follow_up in follow_ups:
        try:
            _taken(_follow_up_step(ctx, follow_up.id, now, fired_by), run)
        except AlreadyTaken:
            continue
    for follow_up in unshown:
        try:
            _taken(_reminder_message_step(ctx, follow_up.id, now, fired_by), run)
        except AlreadyTaken:
            continue
    for episode, reached in handoffs:
        for level in range(reached + 1, len(ctx.settings.handoff_policy.chain) + 1)[:1]:
            try:
                _taken(_handoff_step(ctx, episode.id, level, now, fired_by), run)
            except AlreadyTaken:
                continue
    return run
