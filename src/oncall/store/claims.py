"""Dispatch claims: the row that lets a side effect (an escalation step, a reminder) happen once.

Every process may notice the same thing falling due; only the one whose INSERT
lands acts, in the same transaction that writes the step's timeline event,
audit entry and outbox message. A claim row is also the step's lasting record:
who was notified, when, and by which process.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from oncall.store.rows import dumps

MIGRATION_SQL = """
CREATE TABLE dispatch_claims (
    id INTEGER PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    fired_at TEXT NOT NULL,
    fired_by TEXT NOT NULL,
    target_role TEXT,
    target_staff_id INTEGER REFERENCES staff(id),
    detail TEXT NOT NULL DEFAULT '{}',
    UNIQUE (subject_type, subject_id, level)
);
CREATE INDEX dispatch_claims_target ON dispatch_claims(target_staff_id, id);
"""

ALERT = "alert"
"""An unacknowledged alert's escalation step (level 1 backup, 2 supervisor)."""
FOLLOW_UP = "follow_up"
"""An overdue or exhausted follow-up's escalation to the supervisor (level 1)."""
HANDOFF = "handoff"
"""An unconfirmed hotline handoff's reminder (level 1 owner, 2 supervisor); id is the episode."""
REMINDER = "follow_up_reminder"
"""A follow-up's due reminder in its assignee's console (level 0)."""
HANDOVER = "follow_up_handover"
"""A follow-up handed to a colleague: a notice in their console (level n: the n-th handover)."""
ALERT_ASSIGNMENT = "alert_assignment"
"""A supervisor asked a colleague to take a waiting alert (level n: the n-th time)."""
EPISODE_REASSIGNMENT = "episode_reassignment"
"""A supervisor gave an open episode to a colleague (level n: the n-th time)."""
MANUAL_PAGE = "manual_page"
"""A supervisor paged a colleague by hand; id is the alert it is about, 0 for none."""
SHIFT_CHANGE = "shift_change"
"""A supervisor gave a colleague a shift (cover or swap); id is the shift they now hold."""


@dataclass(frozen=True)
class Claim:
    """One claimed side effect, as read back."""

    id: int
    subject_type: str
    subject_id: int
    level: int
    fired_at: str
    fired_by: str
    target_role: str | None
    target_staff_id: int | None
    detail: dict[str, Any]


def _claim(row: sqlite3.Row) -> Claim:
    return Claim(
        id=row["id"],
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        level=row["level"],
        fired_at=row["fired_at"],
        fired_by=row["fired_by"],
        target_role=row["target_role"],
        target_staff_id=row["target_staff_id"],
        detail=json.loads(row["detail"]),
    )


def claim(
    conn: sqlite3.Connection,
    *,
    subject_type: str,
    subject_id: int,
    level: int,
    fired_at: str,
    fired_by: str,
    target_role: str | None = None,
    target_staff_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int | None:
    """Claim one side effect; the new claim's id for the one winner, None if already claimed."""
    cursor = conn.execute(
        "INSERT INTO dispatch_claims (subject_type, subject_id, level, fired_at, fired_by,"
        " target_role, target_staff_id, detail) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT (subject_type, subject_id, level) DO NOTHING",
        (
            subject_type,
            subject_id,
            level,
            fired_at,
            fired_by,
            target_role,
            target_staff_id,
            dumps(detail or {}),
        ),
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None


def claims_for(conn: sqlite3.Connection, subject_type: str, subject_id: int) -> list[Claim]:
    """A subject's claims by level (an alert's escalation record, say)."""
    rows = conn.execute(
        "SELECT * FROM dispatch_claims WHERE subject_type = ? AND subject_id = ? ORDER BY level",
        (subject_type, subject_id),
    ).fetchall()
    return [_claim(r) for r in rows]


def claims_after(
    conn: sqlite3.Connection,
    after_id: int,
    *,
    subject_types: tuple[str, ...],
    target_staff_id: int | None = None,
    limit: int = 200,
) -> list[Claim]:
    """Claims newer than `after_id` of these types, optionally for one recipient, oldest first."""
    marks = ", ".join("?" for _ in subject_types)
    params: list[object] = [after_id, *subject_types]
    who = ""
    if target_staff_id is not None:
        who = " AND target_staff_id = ?"
        params.append(target_staff_id)
    rows = conn.execute(
        f"SELECT * FROM dispatch_claims WHERE id > ? AND subject_type IN ({marks}){who}"
        " ORDER BY id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [_claim(r) for r in rows]


def last_claim_id(conn: sqlite3.Connection) -> int:
    """The newest claim's id (0 when there are none)."""
    row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM dispatch_claims").fetchone()
    return int(row[0])
