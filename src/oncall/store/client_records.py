"""Changing a client's record: field edits with their history, consent records, care teams."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import from_iso

CLIENT_FIELDS = frozenset(
    {
        "name",
        "preferred_name",
        "pronouns",
        "date_of_birth",
        "phone",
        "address",
        "county",
        "zip",
        "program",
        "primary_clinician_id",
        "consent_emergency_contact",
        "consent_hotline_report",
        "consent_date",
        "consent_emergency_contact_until",
        "consent_hotline_report_until",
        # Kept from an EHR import (migration 15).
        "identifier_system",
        "gender",
        "email",
        "language",
        "lat",
        "lon",
    }
)
"""The client columns an edit may change (the external reference is the EHR's key: never)."""

CONTACT_FIELDS = frozenset({"name", "relation", "phone", "consent_to_contact", "consent_until"})
"""The emergency-contact columns an edit may change."""


@dataclass(frozen=True)
class FieldChange:
    """One field's earlier and new value, kept when a record is edited."""

    id: int
    client_id: int
    contact_id: int | None
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: int | None
    changed_at: datetime


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _apply(
    conn: sqlite3.Connection,
    *,
    table: str,
    row_id: int,
    client_id: int,
    contact_id: int | None,
    allowed: frozenset[str],
    values: dict[str, object],
    changed_by: int,
    at: str,
) -> list[FieldChange]:
    """Write the values that differ and keep each earlier value; returns what changed."""
    if unknown := set(values) - allowed:
        raise ValueError(f"{table} has no editable column {sorted(unknown)}")
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if row is None:
        raise LookupError(f"no {table} row {row_id}")
    changes: list[FieldChange] = []
    for column in sorted(values):
        old, new = _text(row[column]), _text(values[column])
        if old == new:
            continue
        value = values[column]
        stored = int(value) if isinstance(value, bool) else value
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (stored, row_id))
        cursor = conn.execute(
            "INSERT INTO client_changes (client_id, contact_id, field, old_value, new_value,"
            " changed_by, changed_at) VALUES (?,?,?,?,?,?,?)",
            (client_id, contact_id, column, old, new, changed_by, at),
        )
        changes.append(
            FieldChange(
                int(cursor.lastrowid or 0),
                client_id,
                contact_id,
                column,
                old,
                new,
                changed_by,
                from_iso(at),
            )
        )
    return changes


def update_client(
    conn: sqlite3.Connection, client_id: int, values: dict[str, object], *, by: int, at: str
) -> list[FieldChange]:
    """Change a client's fields, keeping every earlier value; returns what changed."""
    return _apply(
        conn,
        table="clients",
        row_id=client_id,
        client_id=client_id,
        contact_id=None,
        allowed=CLIENT_FIELDS,
        values=values,
        changed_by=by,
        at=at,
    )


def update_contact(
    conn: sqlite3.Connection,
    client_id: int,
    contact_id: int,
    values: dict[str, object],
    *,
    by: int,
    at: str,
) -> list[FieldChange]:
    """Change an emergency contact's fields, keeping every earlier value."""
    return _apply(
        conn,
        table="emergency_contacts",
        row_id=contact_id,
        client_id=client_id,
        contact_id=contact_id,
        allowed=CONTACT_FIELDS,
        values=values,
        changed_by=by,
        at=at,
    )


def field_changes(conn: sqlite3.Connection, client_id: int) -> list[FieldChange]:
    """Every edit of a client's record and contacts, oldest first."""
    rows = conn.execute(
        "SELECT * FROM client_changes WHERE client_id = ? ORDER BY id", (client_id,)
    ).fetchall()
    return [
        FieldChange(
            int(r["id"]),
            int(r["client_id"]),
            r["contact_id"],
            str(r["field"]),
            r["old_value"],
            r["new_value"],
            r["changed_by"],
            from_iso(r["changed_at"]),
        )
        for r in rows
    ]


def insert_consent(
    conn: sqlite3.Connection,
    *,
    client_id: int,
    contact_id: int | None,
    scope: str,
    given: bool,
    dated: str,
    recorded_by: int,
    recorded_at: str,
    until: str | None = None,
) -> int:
    """Record a consent given (until a day, or until revoked) or revoked; returns its id."""
    cursor = conn.execute(
        "INSERT INTO consents (client_id, contact_id, scope, given, dated, recorded_by,"
        " recorded_at, until) VALUES (?,?,?,?,?,?,?,?)",
        (client_id, contact_id, scope, int(given), dated, recorded_by, recorded_at, until),
    )
    return int(cursor.lastrowid or 0)


@dataclass(frozen=True)
class ConsentRecord:
    """One consent given or revoked: its scope, the client's date, who recorded it and when."""

    id: int
    contact_id: int | None
    scope: str
    given: bool
    dated: str
    recorded_by: int
    recorded_at: datetime
    until: str | None = None
    """The last day a consent given holds (None: until revoked)."""


def consent_records(conn: sqlite3.Connection, client_id: int) -> list[ConsentRecord]:
    """Every consent given or revoked for a client, oldest first."""
    rows = conn.execute(
        "SELECT * FROM consents WHERE client_id = ? ORDER BY id", (client_id,)
    ).fetchall()
    return [
        ConsentRecord(
            int(r["id"]),
            r["contact_id"],
            str(r["scope"]),
            bool(r["given"]),
            str(r["dated"]),
            int(r["recorded_by"]),
            from_iso(r["recorded_at"]),
            r["until"],
        )
        for r in rows
    ]


def care_team_ids(conn: sqlite3.Connection, client_id: int) -> list[int]:
    """The staff ids on a client's care team now, in the order they joined."""
    rows = conn.execute(
        "SELECT staff_id FROM care_team WHERE client_id = ? AND removed_at IS NULL ORDER BY id",
        (client_id,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def add_to_care_team(
    conn: sqlite3.Connection, client_id: int, staff_id: int, *, by: int, at: str
) -> None:
    """Put someone on a client's care team (nothing happens if they are on it)."""
    conn.execute(
        "INSERT INTO care_team (client_id, staff_id, added_by, added_at) VALUES (?,?,?,?)"
        " ON CONFLICT (staff_id, client_id) WHERE removed_at IS NULL DO NOTHING",
        (client_id, staff_id, by, at),
    )


def end_care_team(
    conn: sqlite3.Connection, client_id: int, staff_id: int, *, by: int, at: str
) -> None:
    """Take someone off a client's care team (the membership stays on record, ended)."""
    conn.execute(
        "UPDATE care_team SET removed_by = ?, removed_at = ?"
        " WHERE client_id = ? AND staff_id = ? AND removed_at IS NULL",
        (by, at, client_id, staff_id),
    )


def queued_outcome_reports(conn: sqlite3.Connection, client_id: int) -> list[tuple[int, int]]:
    """(message id, episode id) of the client's hotline outcome reports not yet delivered."""
    rows = conn.execute(
        "SELECT outbox.id, episodes.id FROM episodes JOIN outbox"
        " ON outbox.idempotency_key = 'hotline-outcome-episode-' || episodes.id"
        " WHERE episodes.client_id = ? AND outbox.kind = 'hotline_outcome'"
        " AND outbox.status IN ('pending', 'failed') ORDER BY outbox.id",
        (client_id,),
    ).fetchall()
    return [(int(r[0]), int(r[1])) for r in rows]
