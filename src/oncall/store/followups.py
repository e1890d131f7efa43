"""Follow-ups and their attempts."""

from __future__ import annotations

import sqlite3

from oncall.domain.models import FollowUp
from oncall.store.rows import follow_up_from_row

MIGRATION_SQL = """
ALTER TABLE follow_ups ADD COLUMN replaces_id INTEGER REFERENCES follow_ups(id);
"""
"""A rescheduled follow-up is a new row (its own reminder and escalation claims) that
points at the one it replaces, so the attempts before the reschedule stay with it."""


def insert_follow_up(
    conn: sqlite3.Connection,
    *,
    episode_id: int,
    client_id: int,
    kind: str,
    due_at: str,
    assignee_id: int,
    created_at: str,
    created_by: int | None,
    attempts: int = 0,
    replaces_id: int | None = None,
) -> FollowUp:
    """Schedule one follow-up (a replacement carries the attempts of the one it replaces)."""
    cursor = conn.execute(
        "INSERT INTO follow_ups (episode_id, client_id, kind, due_at, assignee_id, status,"
        " created_at, created_by, attempts, replaces_id) VALUES (?,?,?,?,?,'pending',?,?,?,?)",
        (
            episode_id,
            client_id,
            kind,
            due_at,
            assignee_id,
            created_at,
            created_by,
            attempts,
            replaces_id,
        ),
    )
    row = conn.execute("SELECT * FROM follow_ups WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return follow_up_from_row(row)


def follow_up_by_id(conn: sqlite3.Connection, follow_up_id: int) -> FollowUp | None:
    """One follow-up."""
    row = conn.execute("SELECT * FROM follow_ups WHERE id = ?", (follow_up_id,)).fetchone()
    return follow_up_from_row(row) if row else None


def follow_ups_for_episode(conn: sqlite3.Connection, episode_id: int) -> list[FollowUp]:
    """An episode's follow-ups by due time."""
    rows = conn.execute(
        "SELECT * FROM follow_ups WHERE episode_id = ? ORDER BY due_at, id", (episode_id,)
    ).fetchall()
    return [follow_up_from_row(r) for r in rows]


def pending_follow_ups(
    conn: sqlite3.Connection,
    *,
    assignee_id: int | None = None,
    due_before: str | None = None,
    limit: int = 100_000,
) -> list[FollowUp]:
    """Pending follow-ups by due time, optionally one person's or due before a time."""
    clauses = ["status = 'pending'"]
    params: list[object] = []
    if assignee_id is not None:
        clauses.append("assignee_id = ?")
        params.append(assignee_id)
    if due_before is not None:
        clauses.append("due_at < ?")
        params.append(due_before)
    rows = conn.execute(
        f"SELECT * FROM follow_ups WHERE {' AND '.join(clauses)} ORDER BY due_at, id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [follow_up_from_row(r) for r in rows]


def record_attempt(
    conn: sqlite3.Connection,
    *,
    follow_up_id: int,
    at: str,
    actor_id: int | None,
    channel: str,
    result: str,
    note: str,
) -> int:
    """Store one attempt and count it on the follow-up; returns the new attempt count."""
    conn.execute(
        "INSERT INTO follow_up_attempts (follow_up_id, at, actor_id, channel, result, note)"
        " VALUES (?,?,?,?,?,?)",
        (follow_up_id, at, actor_id, channel, result, note),
    )
    conn.execute("UPDATE follow_ups SET attempts = attempts + 1 WHERE id = ?", (follow_up_id,))
    row = conn.execute("SELECT attempts FROM follow_ups WHERE id = ?", (follow_up_id,)).fetchone()
    return int(row[0])


def finish_follow_up(
    conn: sqlite3.Connection,
    follow_up_id: int,
    *,
    status: str,
    result: str | None,
    completed_at: str | None,
) -> None:
    """Set a follow-up's final status and result."""
    conn.execute(
        "UPDATE follow_ups SET status = ?, result = ?, completed_at = ? WHERE id = ?",
        (status, result, completed_at, follow_up_id),
    )


def attempts_for(conn: sqlite3.Connection, follow_up_id: int) -> list[sqlite3.Row]:
    """A follow-up's attempts, oldest first."""
    return conn.execute(
        "SELECT * FROM follow_up_attempts WHERE follow_up_id = ? ORDER BY at, id", (follow_up_id,)
    ).fetchall()


def reassign(conn: sqlite3.Connection, follow_up_id: int, assignee_id: int) -> None:
    """Give a follow-up to another person."""
    conn.execute("UPDATE follow_ups SET assignee_id = ? WHERE id = ?", (assignee_id, follow_up_id))


def attempts_in_chain(conn: sqlite3.Connection, follow_up_id: int) -> list[sqlite3.Row]:
    """Attempts on a follow-up and on those it replaced, oldest first, with who made them."""
    return conn.execute(
        "WITH RECURSIVE chain(id) AS (SELECT ? UNION ALL"
        " SELECT f.replaces_id FROM follow_ups f JOIN chain ON f.id = chain.id"
        " WHERE f.replaces_id IS NOT NULL)"
        " SELECT a.*, s.display_name AS actor_name FROM follow_up_attempts a"
        " JOIN chain ON a.follow_up_id = chain.id LEFT JOIN staff s ON s.id = a.actor_id"
        " ORDER BY a.at, a.id",
        (follow_up_id,),
    ).fetchall()


def replaced_by(conn: sqlite3.Connection, follow_up_id: int) -> int | None:
    """The follow-up that replaced this one when it was rescheduled, if any."""
    row = conn.execute(
        "SELECT id FROM follow_ups WHERE replaces_id = ? ORDER BY id DESC LIMIT 1",
        (follow_up_id,),
    ).fetchone()
    return int(row[0]) if row else None
