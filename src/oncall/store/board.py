"""Queries for the supervisor's live board (W10), and the owner changes made from it."""

from __future__ import annotations

import sqlite3

from oncall.store.claims import ALERT_ASSIGNMENT


def unacknowledged(conn: sqlite3.Connection, now: str, limit: int = 200) -> list[sqlite3.Row]:
    """Alerts nobody has acknowledged: past deadline first, then by severity, oldest first.

    A breached alert of any severity comes before a fresh one of a higher severity: a
    2-day-old moderate alert nobody claimed is the board's most urgent problem. Each row
    carries the colleague a supervisor last asked to take it (their latest assignment).
    """
    # Two reads in the queue index's own order rather than one sorted on the deadline test.
    # Measured with 20,000 alerts waiting: nearly all past deadline (what a backlog is),
    # 1 ms against 25 ms for the sorted read; none past deadline, about 22 ms either way.
    breached = _waiting(conn, "a.ack_deadline_at <= ?", now, limit)
    if len(breached) >= limit:
        return breached
    return breached + _waiting(conn, "a.ack_deadline_at > ?", now, limit - len(breached))


def _waiting(conn: sqlite3.Connection, deadline: str, now: str, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT a.id, a.severity, a.severity_rank, a.kind, a.source, a.received_at,"
        " a.ack_deadline_at, a.escalation_level, a.client_ref, a.client_id,"
        " c.name AS client_name, ("
        "   SELECT s.display_name FROM dispatch_claims d JOIN staff s ON s.id = d.target_staff_id"
        "   WHERE d.subject_type = ? AND d.subject_id = a.id ORDER BY d.level DESC LIMIT 1"
        " ) AS assigned_to"
        " FROM alerts a LEFT JOIN clients c ON c.id = a.client_id"
        f" WHERE a.status = 'new' AND {deadline}"
        " ORDER BY a.severity_rank, a.received_at, a.id LIMIT ?",
        (ALERT_ASSIGNMENT, now, limit),
    ).fetchall()


def pending_handoffs(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    """Episodes whose hotline handoff awaits confirmation, earliest deadline first."""
    return conn.execute(
        "SELECT e.id, e.handoff, e.handoff_deadline_at, e.opened_at, e.opened_by,"
        " s.display_name AS owner, c.name AS client_name"
        " FROM episodes e JOIN clients c ON c.id = e.client_id"
        " LEFT JOIN staff s ON s.id = e.opened_by"
        " WHERE e.status = 'handoff_pending' ORDER BY e.handoff_deadline_at, e.id LIMIT ?",
        (limit,),
    ).fetchall()


def open_episodes(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    """Episodes not closed: handoffs awaiting confirmation first (earliest deadline), then
    the ones whose timeline has been quiet longest (what may have been left behind)."""
    return conn.execute(
        "SELECT e.id, e.status, e.risk_level, e.handoff, e.handoff_deadline_at, e.opened_at,"
        " s.display_name AS owner, c.name AS client_name,"
        " (SELECT MAX(t.at) FROM timeline_events t WHERE t.episode_id = e.id) AS last_event_at"
        " FROM episodes e JOIN clients c ON c.id = e.client_id"
        " LEFT JOIN staff s ON s.id = e.opened_by"
        " WHERE e.status != 'closed'"
        " ORDER BY e.status != 'handoff_pending', e.handoff_deadline_at,"
        " last_event_at, e.id LIMIT ?",
        (limit,),
    ).fetchall()


def overdue_follow_ups(conn: sqlite3.Connection, now: str, limit: int = 200) -> list[sqlite3.Row]:
    """Pending follow-ups past due, and follow-ups whose attempts ran out, until resolved."""
    return conn.execute(
        "SELECT f.id, f.kind, f.due_at, f.status, f.attempts, f.episode_id,"
        " s.display_name AS assignee, c.name AS client_name"
        " FROM follow_ups f JOIN clients c ON c.id = f.client_id"
        " LEFT JOIN staff s ON s.id = f.assignee_id"
        " WHERE (f.status = 'pending' AND f.due_at < ?)"
        " OR (f.status = 'exhausted' AND f.completed_at IS NULL)"
        " ORDER BY f.due_at, f.id LIMIT ?",
        (now, limit),
    ).fetchall()


def workload(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Per active staff member: open episodes, pending follow-ups, and their last action.

    The last action is the newest timeline event they wrote on an episode they own that is
    still open (read through the episodes' own index: no scan of the whole timeline).
    """
    # Measured on 50,000 episodes and 200,000 timeline events: 1.2 ms. Written with
    # `status != 'closed'` the planner scanned the timeline instead: 490 ms, on every refresh.
    return conn.execute(
        "SELECT s.id, s.display_name, s.role,"
        " (SELECT COUNT(*) FROM episodes e WHERE e.opened_by = s.id"
        "   AND e.status IN ('open', 'handoff_pending')) AS open_episodes,"
        " (SELECT COUNT(*) FROM follow_ups f WHERE f.assignee_id = s.id"
        "   AND f.status = 'pending') AS pending_follow_ups,"
        " (SELECT MAX(t.at) FROM episodes e JOIN timeline_events t ON t.episode_id = e.id"
        "   WHERE e.opened_by = s.id AND e.status IN ('open', 'handoff_pending')"
        "   AND t.actor_id = s.id) AS last_action_at"
        " FROM staff s WHERE s.active = 1 ORDER BY open_episodes DESC, s.display_name"
    ).fetchall()


def failing_deliveries(conn: sqlite3.Connection, limit: int = 100) -> list[sqlite3.Row]:
    """Outbound messages that failed or are being retried."""
    return conn.execute(
        "SELECT id, kind, target, attempts, next_attempt_at, last_error, status, created_at"
        " FROM outbox WHERE status = 'failed' OR (status = 'pending' AND attempts > 0)"
        " ORDER BY created_at, id LIMIT ?",
        (limit,),
    ).fetchall()


def set_episode_owner(conn: sqlite3.Connection, episode_id: int, staff_id: int) -> None:
    """Give an open episode to another owner (escalations and access follow the owner)."""
    # opened_by is the owner's column (as staff_work.hand_over uses it); the timeline and
    # the audit log keep who opened it and who handed it on.
    conn.execute("UPDATE episodes SET opened_by = ? WHERE id = ?", (staff_id, episode_id))


def latest_assignee(conn: sqlite3.Connection, alert_id: int) -> int | None:
    """The colleague a supervisor last asked to take a waiting alert."""
    row = conn.execute(
        "SELECT target_staff_id FROM dispatch_claims WHERE subject_type = ? AND subject_id = ?"
        " ORDER BY level DESC LIMIT 1",
        (ALERT_ASSIGNMENT, alert_id),
    ).fetchone()
    return None if row is None else row[0]
