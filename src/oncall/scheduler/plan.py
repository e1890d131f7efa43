"""The jobs the database calls for next: the soonest pending reminders and alert deadlines.

The plan is recomputed from the database at start and on every change, and the
running jobs are brought in line with it by key, so nothing is kept apart from
the database and a re-sync costs a read and a set difference.

Only the soonest few of each kind are read (an index gives them in due order), never
one job per waiting alert: a flood of 200,000 alerts made 200,000 jobs (about 2 KB
each; a rebuild took 7.5 s and every change of another console re-read them all, 3 s).
What was left out falls due no sooner than the first one left out, the plan's
`horizon`: the scheduler reads again by then, so every deadline still fires on time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


REMINDER_WINDOW = 1000
"""Reminders planned at a time: a burst of this many overdue ones is claimed in one go."""
DEADLINE_WINDOW = 100
"""Alert deadlines planned at a time (the dispatcher takes every step due, not one each)."""


Jobs = dict[str, PlannedJob]
"""Planned jobs by key."""


@dataclass
class Plan:
    """The soonest jobs by key, and when to read again for the ones left out."""

    jobs: Jobs = field(default_factory=dict)
    horizon: datetime | None = None
    """When the first job left out falls due (None: nothing was left out)."""

    def leave_out_from(self, due: datetime) -> None:
        """Something due at `due` was not planned: read again by then."""
        if self.horizon is None or due < self.horizon:
            self.horizon = due

    def add(self, job: PlannedJob) -> None:
        """Plan `job`."""
        self.jobs[job.key] = job


def read_plan(
    store: Store,
    *,
    reminders_for: Audience,
    escalation: EscalationPolicy,
    handoff: HandoffPolicy,
    deadlines: bool = True,
    reminder_window: int = REMINDER_WINDOW,
    deadline_window: int = DEADLINE_WINDOW,
) -> Plan:
    """The soonest jobs: reminders for the audience, and each alert's or handoff's next step."""
    plan = Plan()
    with store.read() as conn:
        if reminders_for is not None:
            assignee = None if isinstance(reminders_for, Scope) else reminders_for
            rows = schedule.reminder_plan(conn, assignee, limit=reminder_window + 1)
            for follow_up_id, due_iso in rows[:reminder_window]:
                plan.add(PlannedJob(JobKind.REMINDER, follow_up_id, due_iso))
            if len(rows) > reminder_window:
                plan.leave_out_from(from_iso(rows[-1][1]))
        if not deadlines:
            return plan
        alert_rows = schedule.alert_deadline_plan(
            conn, len(escalation.chain), limit=deadline_window + 1
        )
        handoff_rows = schedule.handoff_deadline_plan(conn, len(handoff.chain))
    for number, row in enumerate(alert_rows):
        received, deadline = from_iso(row["received_at"]), from_iso(row["ack_deadline_at"])
        # Level n falls due n - 1 intervals after the deadline (domain/escalation.py).
        due = deadline + row["escalation_level"] * (deadline - received)
        if number == deadline_window:
            plan.leave_out_from(due)
        else:
            plan.add(PlannedJob(JobKind.ALERT_DEADLINE, row["id"], to_iso(due)))
    for row in handoff_rows:
        due = from_iso(row["handoff_deadline_at"]) + row["level"] * handoff.confirm_within
        plan.add(PlannedJob(JobKind.HANDOFF_DEADLINE, row["id"], to_iso(due)))
    return plan
