"""Who may open which client's record: care relationships, break-the-glass grants, access log."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oncall.domain.timefmt import from_iso

MIGRATION_SQL = """
CREATE TABLE access_grants (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    client_id INTEGER NOT NULL REFERENCES clients(id),
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK (expires_at > granted_at)
);
CREATE INDEX access_grants_lookup ON access_grants(staff_id, client_id, expires_at);
CREATE INDEX follow_ups_client ON follow_ups(client_id, assignee_id);
"""
"""Break-the-glass grants (append-only: a grant is a record, never erased) and the index
that lets a follow-up assignment be found by client."""

# An episode someone opened, or whose alert they acknowledged, opens the record while it
# is open and until :closed_after has passed its closing (ack_access_hours_after_close).
# An acknowledged alert with no episode counts from its acknowledgement.
_NOT_CLOSED_LONG_AGO = "(status != 'closed' OR closed_at > :closed_after)"
_ALERT_CARE_GOING_ON = (
    "(CASE WHEN e.id IS NULL THEN a.acknowledged_at > :closed_after"
    " ELSE e.status != 'closed' OR e.closed_at > :closed_after END)"
)

# The care relationships that open a client's record to a clinician, peer or case
# manager, in the order they are reported. Each is one indexed EXISTS probe.
_RELATIONSHIPS = (
    ("caseload", "SELECT 1 FROM clients WHERE id = :client AND primary_clinician_id = :staff"),
    (
        "care_team",
        "SELECT 1 FROM care_team WHERE staff_id = :staff AND client_id = :client"
        " AND removed_at IS NULL",
    ),
    (
        "episode",
        "SELECT 1 FROM episodes WHERE client_id = :client AND opened_by = :staff"
        f" AND {_NOT_CLOSED_LONG_AGO}",
    ),
    (
        "alert",
        "SELECT 1 FROM alerts a LEFT JOIN episodes e ON e.id = a.episode_id"
        " WHERE a.client_id = :client AND a.acknowledged_by = :staff"
        f" AND {_ALERT_CARE_GOING_ON}",
    ),
    ("follow_up", "SELECT 1 FROM follow_ups WHERE client_id = :client AND assignee_id = :staff"),
    (
        "break_glass",
        "SELECT 1 FROM access_grants WHERE staff_id = :staff AND client_id = :client"
        " AND expires_at > :now",
    ),
)


def access_basis(
    conn: sqlite3.Connection, staff_id: int, client_id: int, now: str, *, closed_after: str
) -> str | None:
    """Why `staff_id` may open `client_id`'s record now (caseload, episode, …), or None.

    `closed_after`: an episode closed before this time no longer counts for who opened it
    or acknowledged its alert.
    """
    params = {"staff": staff_id, "client": client_id, "now": now, "closed_after": closed_after}
    for name, probe in _RELATIONSHIPS:
        if conn.execute(f"SELECT EXISTS ({probe})", params).fetchone()[0]:
            return name
    return None


def accessible_client_ids(
    conn: sqlite3.Connection, staff_id: int, now: str, *, closed_after: str
) -> set[int]:
    """Every client whose record `staff_id` may open now, through any relationship."""
    rows = conn.execute(
        "SELECT id FROM clients WHERE primary_clinician_id = :staff"
        " UNION SELECT client_id FROM care_team WHERE staff_id = :staff AND removed_at IS NULL"
        f" UNION SELECT client_id FROM episodes WHERE opened_by = :staff AND {_NOT_CLOSED_LONG_AGO}"
        " UNION SELECT a.client_id FROM alerts a LEFT JOIN episodes e ON e.id = a.episode_id"
        " WHERE a.acknowledged_by = :staff AND a.client_id IS NOT NULL"
        f" AND {_ALERT_CARE_GOING_ON}"
        " UNION SELECT client_id FROM follow_ups WHERE assignee_id = :staff"
        " UNION SELECT client_id FROM access_grants WHERE staff_id = :staff AND expires_at > :now",
        {"staff": staff_id, "now": now, "closed_after": closed_after},
    ).fetchall()
    return {int(r[0]) for r in rows}


@dataclass(frozen=True)
class AccessGrant:
    """A break-the-glass grant: one person, one client, a reason, until a time."""

    id: int
    staff_id: int
    client_id: int
    reason: str
    granted_at: datetime
    expires_at: datetime


def _grant(row: sqlite3.Row) -> AccessGrant:
    return AccessGrant(
        id=int(row["id"]),
        staff_id=int(row["staff_id"]),
        client_id=int(row["client_id"]),
        reason=str(row["reason"]),
        granted_at=from_iso(row["granted_at"]),
        expires_at=from_iso(row["expires_at"]),
    )


def insert_grant(
    conn: sqlite3.Connection,
    *,
    staff_id: int,
    client_id: int,
    reason: str,
    granted_at: str,
    expires_at: str,
) -> AccessGrant:
    """Record a break-the-glass grant and return it."""
    cursor = conn.execute(
        "INSERT INTO access_grants (staff_id, client_id, reason, granted_at, expires_at)"
        " VALUES (?,?,?,?,?)",
        (staff_id, client_id, reason, granted_at, expires_at),
    )
    row = conn.execute("SELECT * FROM access_grants WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return _grant(row)


@dataclass(frozen=True)
class AccessLogRow:
    """One audit entry about a client, with the client's reference for printing."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    client_ref: str | None
    detail: dict[str, Any]


def access_log(
    conn: sqlite3.Connection,
    *,
    since: str,
    client_id: int | None = None,
    actor: str | None = None,
    limit: int = 10_000,
) -> list[AccessLogRow]:
    """Audit entries since a time, for one client and/or one actor, oldest first."""
    clauses = ["a.at >= ?"]
    params: list[object] = [since]
    if client_id is not None:
        clauses.append("a.client_id = ?")
        params.append(client_id)
    if actor is not None:
        clauses.append("a.actor = ?")
        params.append(actor)
    # audit_client (client_id, at) serves the usual question; audit_at the rest.
    rows = conn.execute(
        "SELECT a.id, a.at, a.actor, a.action, a.object_type, a.object_id, a.detail,"
        " c.external_ref FROM audit_log a LEFT JOIN clients c ON c.id = a.client_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY a.id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [
        AccessLogRow(
            id=int(r[0]),
            at=from_iso(r[1]),
            actor=str(r[2]),
            action=str(r[3]),
            object_type=str(r[4]),
            object_id=r[5],
            client_ref=r[7],
            detail=json.loads(r[6] or "{}"),
        )
        for r in rows
    ]


def sensitive_names(conn: sqlite3.Connection) -> set[str]:
    """Every client's and emergency contact's name, now and before an edit (for redaction)."""
    rows = conn.execute(
        "SELECT name FROM clients UNION SELECT preferred_name FROM clients"
        " WHERE preferred_name IS NOT NULL UNION SELECT name FROM emergency_contacts"
    ).fetchall()
    # Names since corrected are still names: a log line may hold the earlier one. (A file
    # from before migration 14 has no history table.)
    with contextlib.suppress(sqlite3.OperationalError):
        rows += conn.execute(
            "SELECT old_value FROM client_changes WHERE field IN ('name', 'preferred_name')"
            " AND old_value IS NOT NULL"
        ).fetchall()
    return {str(r[0]) for r in rows if r[0]}
