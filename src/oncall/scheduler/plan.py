"""The jobs the database calls for right now: one per pending reminder and per next deadline.

The plan is recomputed from the database at start and on every change, and the
running jobs are brought in line with it by key, so nothing is kept apart from
the database and a re-sync costs a read and a set difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from oncall.domain.escalation import EscalationPolicy, HandoffPolicy
from oncall.domain.timefmt import from_iso, to_iso
from oncall.store import schedule
from oncall.store.db import Store


class Scope(Enum):
    """An audience wider than one person."""

    EVERYONE = "everyone"


EVERYONE = Scope.EVERYONE
"""Reminders (or notices) for every assignee: a supervisor's wall console, a benchmark."""

Audience = int | Scope | None
"""A staff id, EVERYONE, or None for nobody."""


class JobKind(Enum):
    """What a planned job does when it fires."""

    REMINDER = "reminder"
    """A follow-up fell due: claim its reminder and show it to the assignee."""
    ALERT_DEADLINE = "alert"
    """An unacknowledged alert's next escalation step fell due: the dispatcher acts."""
    HANDOFF_DEADLINE = "handoff"
    """An unconfirmed handoff's next reminder fell due: the dispatcher acts."""


@dataclass(frozen=True)
class PlannedJob:
    """One date job: its key, what it does, for which record, and when (stored UTC text)."""

    kind: JobKind
    subject_id: int
    due_iso: str

    @property
    def key(self) -> str:
        """The job's id in APScheduler ("reminder:12")."""
        return f"{self.kind.value}:{self.subject_id}"

    @property
    def due_at(self) -> datetime:
        """When it falls due, by the injected clock."""
        return from_iso(self.due_iso)


Plan = dict[str, PlannedJob]


def read_plan(
    store: Store,
    *,
    reminders_for: Audience,
    escalation: EscalationPolicy,
    handoff: HandoffPolicy,
    deadlines: bool = True,
) -> Plan:
    """The jobs the database calls for: reminders for the audience, and each next deadline."""
    plan: Plan = {}
    with store.read() as conn:
        if reminders_for is not None:
            assignee = None if isinstance(reminders_for, Scope) else reminders_for
            for follow_up_id, due_iso in schedule.reminder_plan(conn, assignee):
                job = PlannedJob(JobKind.REMINDER, follow_up_id, due_iso)
                plan[job.key] = job
        if not deadlines:
            return plan
        alert_rows = schedule.alert_deadline_plan(conn, len(escalation.chain))
        handoff_rows = schedule.handoff_deadline_plan(conn, len(handoff.chain))
    for row in alert_rows:
        received, deadline = from_iso(row["received_at"]), from_iso(row["ack_deadline_at"])
        # Level n falls due n - 1 intervals after the deadline (domain/escalation.py).
        due = deadline + row["escalation_level"] * (deadline - received)
        job = PlannedJob(JobKind.ALERT_DEADLINE, row["id"], to_iso(due))
        plan[job.key] = job
    for row in handoff_rows:
        due = from_iso(row["handoff_deadline_at"]) + row["level"] * handoff.confirm_within
        job = PlannedJob(JobKind.HANDOFF_DEADLINE, row["id"], to_iso(due))
        plan[job.key] = job
    return plan
