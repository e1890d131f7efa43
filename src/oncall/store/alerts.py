"""Alerts: insert with deduplication, the queue, and the acknowledgement claim."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from oncall.domain.models import Alert
from oncall.domain.timefmt import to_iso
from oncall.store import queue_groups
from oncall.store.rows import alert_from_row

ALERT_COLUMNS = (
    "source",
    "external_id",
    "client_ref",
    "kind",
    "severity",
    "severity_rank",
    "summary",
    "occurred_at",
    "location",
    "handoff",
    "raw",
    # Last, the columns a bulk import fills in per batch (from the database and the clock).
    "client_id",
    "unknown_client",
    "received_at",
    "ack_deadline_at",
    "status",
)
_MARKS = ", ".join("?" for _ in ALERT_COLUMNS)
_INSERT = (
    f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) VALUES ({_MARKS})"
    " ON CONFLICT (source, external_id) DO NOTHING"
)


def insert_alert(conn: sqlite3.Connection, values: tuple[object, ...]) -> int | None:
    """Insert one alert (values in ALERT_COLUMNS order) and count it in the queue; None when it
    is a duplicate."""
    cursor = conn.execute(_INSERT, values)
    if cursor.rowcount != 1 or not cursor.lastrowid:
        return None
    queue_groups.add_arrivals(conn, int(cursor.lastrowid) - 1)
    return int(cursor.lastrowid)


def insert_alerts(
    conn: sqlite3.Connection, rows: Sequence[tuple[object, ...]]
) -> list[tuple[str, str, int]]:
    """Insert many alerts (ALERT_COLUMNS order), skipping duplicates; what was added.

    Returns (source, external_id, id) of each row added, in the order of `rows`: the
    first row of each key that was not stored yet. Call inside a write (BEGIN IMMEDIATE)
    transaction: ids are assigned above the largest one, one by one, and no other
    connection can insert meanwhile, so the rows above the old maximum, in id order,
    are exactly the ones this call added.
    """
    cursor = _plain_cursor(conn)
    before = cursor.execute("SELECT COALESCE(MAX(id), 0) FROM alerts").fetchone()[0]
    cursor.executemany(_INSERT, rows)
    queue_groups.add_arrivals(conn, before)  # one statement for the batch, not one per row
    cursor.execute("SELECT source, external_id, id FROM alerts WHERE id > ? ORDER BY id", (before,))
    return cursor.fetchall()


def raw_by_keys(
    conn: sqlite3.Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The stored raw feed record of each (source, external_id) key that exists."""
    found: dict[tuple[str, str], str] = {}
    cursor = _plain_cursor(conn)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        clause = " OR ".join("(source = ? AND external_id = ?)" for _ in chunk)
        params = [part for key in chunk for part in key]
        cursor.execute(f"SELECT source, external_id, raw FROM alerts WHERE {clause}", params)
        for source, external_id, raw in cursor:
            found[(source, external_id)] = raw or ""
    return found


def _plain_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving plain tuples (cheaper than the connection's sqlite3.Row by the thousand)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


def existing_keys(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (source, external_id) keys are already stored."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        clause = " OR ".join("(source = ? AND external_id = ?)" for _ in chunk)
        params = [part for key in chunk for part in key]
        found.update(
            (r[0], r[1])
            for r in conn.execute(f"SELECT source, external_id FROM alerts WHERE {clause}", params)
        )
    return found


def alert_by_id(conn: sqlite3.Connection, alert_id: int) -> Alert | None:
    """The alert with this id."""
    row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return alert_from_row(row) if row else None


def alert_by_key(conn: sqlite3.Connection, source: str, external_id: str) -> Alert | None:
    """The alert with this deduplication key."""
    row = conn.execute(
        "SELECT * FROM alerts WHERE source = ? AND external_id = ?", (source, external_id)
    ).fetchone()
    return alert_from_row(row) if row else None


def claim_acknowledgement(conn: sqlite3.Connection, alert_id: int, staff_id: int, at: str) -> bool:
    """Mark the alert acknowledged by `staff_id` if nobody has; True for the one winner."""
    cursor = conn.execute(
        "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?"
        " WHERE id = ? AND status = 'new'",
        (staff_id, at, alert_id),
    )
    return cursor.rowcount == 1


def attach_to_episode(conn: sqlite3.Connection, alert_id: int, episode_id: int) -> None:
    """Record which episode an acknowledged alert belongs to."""
    conn.execute("UPDATE alerts SET episode_id = ? WHERE id = ?", (episode_id, alert_id))


def set_client(conn: sqlite3.Connection, alert_id: int, client_id: int) -> None:
    """Resolve an alert's unknown client reference to a client."""
    conn.execute(
        "UPDATE alerts SET client_id = ?, unknown_client = 0 WHERE id = ?", (client_id, alert_id)
    )


def close_episode_alerts(conn: sqlite3.Connection, episode_id: int) -> None:
    """Close every alert of an episode when the episode closes."""
    conn.execute("UPDATE alerts SET status = 'closed' WHERE episode_id = ?", (episode_id,))


def set_escalation_level(conn: sqlite3.Connection, alert_id: int, level: int) -> bool:
    """Raise an unacknowledged alert's escalation level; False if acknowledged or already there."""
    cursor = conn.execute(
        "UPDATE alerts SET escalation_level = ? WHERE id = ? AND status = 'new'"
        " AND escalation_level < ?",
        (level, alert_id, level),
    )
    return cursor.rowcount == 1


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ends: the sort key of its last row."""

    severity_rank: int
    received_at: str
    id: int

    @classmethod
    def after(cls, alert: Alert) -> QueueCursor:
        """The cursor just past `alert` in queue order."""
        return cls(alert.severity.rank, to_iso(alert.received_at), alert.id)


def queue_page(
    conn: sqlite3.Connection,
    *,
    statuses: tuple[str, ...] = ("new", "acknowledged"),
    after: QueueCursor | None = None,
    limit: int = 100,
) -> list[Alert]:
    """One page of the live queue, most severe first, then oldest first (keyset paging)."""
    marks = ", ".join("?" for _ in statuses)
    params: list[object] = list(statuses)
    keyset = ""
    if after is not None:
        keyset = " AND (severity_rank, received_at, id) > (?, ?, ?)"
        params += [after.severity_rank, after.received_at, after.id]
    rows = conn.execute(
        f"SELECT * FROM alerts WHERE status IN ({marks}){keyset}"
        " ORDER BY severity_rank, received_at, id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [alert_from_row(r) for r in rows]


def alerts_for_episode(conn: sqlite3.Connection, episode_id: int) -> list[Alert]:
    """The alerts attached to an episode, oldest first."""
    rows = conn.execute(
        "SELECT * FROM alerts WHERE episode_id = ? ORDER BY received_at, id", (episode_id,)
    ).fetchall()
    return [alert_from_row(r) for r in rows]


def unacknowledged_alerts(conn: sqlite3.Connection) -> list[Alert]:
    """Every alert nobody has acknowledged yet (for rebuilding escalation jobs)."""
    rows = conn.execute(
        "SELECT * FROM alerts WHERE status = 'new' ORDER BY ack_deadline_at, id"
    ).fetchall()
    return [alert_from_row(r) for r in rows]
