"""Read-only queries for the supervisor's live board (W10)."""

from __future__ import annotations

import sqlite3


def unacknowledged(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    """Alerts nobody has acknowledged, most urgent and oldest first, with client names."""
    return conn.execute(
        "SELECT a.id, a.severity, a.kind, a.source, a.received_at, a.ack_deadline_at,"
        " a.escalation_level, a.client_ref, c.name AS client_name"
        " FROM alerts a LEFT JOIN clients c ON c.id = a.client_id"
        " WHERE a.status = 'new' ORDER BY a.severity_rank, a.received_at, a.id LIMIT ?",
        (limit,),
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
    """Open episodes and pending follow-ups per active staff member."""
    return conn.execute(
        "SELECT s.id, s.display_name, s.role,"
        " (SELECT COUNT(*) FROM episodes e WHERE e.opened_by = s.id AND e.status != 'closed')"
        "   AS open_episodes,"
        " (SELECT COUNT(*) FROM follow_ups f WHERE f.assignee_id = s.id"
        "   AND f.status = 'pending') AS pending_follow_ups"
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
