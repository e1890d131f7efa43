"""What falls due: the rows the scheduler plans jobs from and the dispatcher escalates.

Plan queries return only ids and times so a re-sync over ten thousand
follow-ups stays a few milliseconds; escalation queries return whole records.
"""

from __future__ import annotations

import sqlite3

from oncall.domain.models import Alert, Episode, FollowUp
from oncall.store.claims import FOLLOW_UP, HANDOFF, REMINDER
from oncall.store.rows import alert_from_row, episode_from_row, follow_up_from_row

_NOT_REMINDED = (
    "NOT EXISTS (SELECT 1 FROM dispatch_claims c WHERE c.subject_type = ?"
    " AND c.subject_id = f.id AND c.level = 0)"
)
_HANDOFF_LEVEL = (
    "(SELECT COALESCE(MAX(c.level), 0) FROM dispatch_claims c"
    " WHERE c.subject_type = ? AND c.subject_id = e.id)"
)


# When an unacknowledged alert's next chain step falls due: level n one deadline-interval
# after level n - 1 (domain/escalation.py), as a Julian day. The index alerts_next_step
# (migration 24) is on exactly this expression, so the soonest are read first.
NEXT_STEP_DAY = (
    "(julianday(ack_deadline_at)"
    " + escalation_level * (julianday(ack_deadline_at) - julianday(received_at)))"
)
NEXT_STEP_INDEXED_LEVELS = 2
"""Alerts below this level are in alerts_next_step: the settings' chain has two steps."""


def reminder_plan(
    conn: sqlite3.Connection, assignee_id: int | None, *, limit: int
) -> list[tuple[int, str]]:
    """(id, due_at) of the `limit` soonest pending follow-ups whose reminder has not fired,
    one person's or all, soonest first."""
    clauses = ["f.status = 'pending'", _NOT_REMINDED]
    params: list[object] = [REMINDER]
    if assignee_id is not None:
        clauses.append("f.assignee_id = ?")
        params.append(assignee_id)
    rows = conn.execute(
        f"SELECT f.id, f.due_at FROM follow_ups f WHERE {' AND '.join(clauses)}"
        " ORDER BY f.due_at, f.id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def alert_deadline_plan(
    conn: sqlite3.Connection, chain_length: int, *, limit: int
) -> list[sqlite3.Row]:
    """The `limit` unacknowledged alerts whose next chain step falls due soonest, soonest
    first: id, received_at, deadline, level."""
    # Through the index, reading stops after `limit` rows however many alerts wait; alerts
    # that climbed the whole chain are not in it. A longer chain reads them all (sorted).
    source = "alerts WHERE"
    if chain_length <= NEXT_STEP_INDEXED_LEVELS:
        source = (
            "alerts INDEXED BY alerts_next_step"
            f" WHERE escalation_level < {NEXT_STEP_INDEXED_LEVELS} AND"
        )
    return conn.execute(
        f"SELECT id, received_at, ack_deadline_at, escalation_level FROM {source}"
        f" status = 'new' AND escalation_level < ? ORDER BY {NEXT_STEP_DAY}, id LIMIT ?",
        (chain_length, limit),
    ).fetchall()


def handoff_deadline_plan(conn: sqlite3.Connection, chain_length: int) -> list[sqlite3.Row]:
    """Unconfirmed handoffs with reminders still to come: id, deadline, reminder level."""
    return conn.execute(
        f"SELECT e.id, e.handoff_deadline_at, {_HANDOFF_LEVEL} AS level FROM episodes e"
        " WHERE e.status = 'handoff_pending' AND e.handoff_deadline_at IS NOT NULL"
        f" AND e.handoff_confirmed_at IS NULL AND {_HANDOFF_LEVEL} < ?",
        (HANDOFF, HANDOFF, chain_length),
    ).fetchall()


def alerts_past_deadline(
    conn: sqlite3.Connection, now: str, chain_length: int, limit: int = 100
) -> list[Alert]:
    """Unacknowledged alerts whose next chain step is due by `now`, soonest due first."""
    # By when the next step falls due, not by deadline: a hundred alerts escalated once and
    # waiting their gap for the next step had the oldest deadlines, filled every batch, and
    # kept a newer alert's first step from being taken until they climbed the whole chain.
    # (A millisecond's slack for the Julian days' rounding; the caller checks to the
    # microsecond which steps are due.)
    source = "alerts WHERE"
    if chain_length <= NEXT_STEP_INDEXED_LEVELS:
        source = (
            "alerts INDEXED BY alerts_next_step"
            f" WHERE escalation_level < {NEXT_STEP_INDEXED_LEVELS} AND"
        )
    rows = conn.execute(
        f"SELECT * FROM {source} status = 'new' AND escalation_level < ?"
        f" AND {NEXT_STEP_DAY} <= julianday(?) + 1e-8 ORDER BY {NEXT_STEP_DAY}, id LIMIT ?",
        (chain_length, now, limit),
    ).fetchall()
    return [alert_from_row(r) for r in rows]


def follow_ups_to_escalate(
    conn: sqlite3.Connection, overdue_before: str, max_attempts: int, limit: int = 100
) -> list[FollowUp]:
    """Follow-ups overdue (due before `overdue_before`) or out of attempts, not yet escalated."""
    rows = conn.execute(
        "SELECT * FROM follow_ups f WHERE ((f.status = 'pending'"
        " AND (f.due_at < ? OR f.attempts >= ?)) OR f.status = 'exhausted')"
        " AND NOT EXISTS (SELECT 1 FROM dispatch_claims c WHERE c.subject_type = ?"
        " AND c.subject_id = f.id AND c.level = 1)"
        " ORDER BY f.due_at, f.id LIMIT ?",
        (overdue_before, max_attempts, FOLLOW_UP, limit),
    ).fetchall()
    return [follow_up_from_row(r) for r in rows]


def follow_ups_not_reminded(
    conn: sqlite3.Connection, due_before: str, limit: int = 100
) -> list[FollowUp]:
    """Pending follow-ups due before `due_before` whose reminder no console has shown."""
    rows = conn.execute(
        "SELECT * FROM follow_ups f WHERE f.status = 'pending' AND f.due_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM dispatch_claims c WHERE c.subject_type = ?"
        " AND c.subject_id = f.id)"
        " ORDER BY f.due_at, f.id LIMIT ?",
        (due_before, REMINDER, limit),
    ).fetchall()
    return [follow_up_from_row(r) for r in rows]


def handoffs_past_deadline(
    conn: sqlite3.Connection, now: str, chain_length: int, limit: int = 100
) -> list[tuple[Episode, int]]:
    """Unconfirmed handoffs past their deadline with reminders left, and the level reached."""
    rows = conn.execute(
        f"SELECT e.*, {_HANDOFF_LEVEL} AS reminder_level FROM episodes e"
        " WHERE e.status = 'handoff_pending' AND e.handoff_confirmed_at IS NULL"
        f" AND e.handoff_deadline_at <= ? AND {_HANDOFF_LEVEL} < ?"
        " ORDER BY e.handoff_deadline_at, e.id LIMIT ?",
        (HANDOFF, now, HANDOFF, chain_length, limit),
    ).fetchall()
    return [(episode_from_row(r), int(r["reminder_level"])) for r in rows]
