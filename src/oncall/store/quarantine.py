"""Records that failed validation, kept with the reason so nothing is silently lost."""

from __future__ import annotations

import sqlite3


def quarantine_record(
    conn: sqlite3.Connection,
    *,
    source: str,
    received_at: str,
    record_number: int | None,
    external_id: str | None,
    field: str | None,
    message: str,
    raw: str | None,
) -> int:
    """Keep one rejected record and why it was rejected."""
    cursor = conn.execute(
        "INSERT INTO quarantine (source, received_at, record_number, external_id, field, message,"
        " raw) VALUES (?,?,?,?,?,?,?)",
        (source, received_at, record_number, external_id, field, message, raw),
    )
    return int(cursor.lastrowid or 0)
