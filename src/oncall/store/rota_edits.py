"""Changing who holds a shift: the rows a cover or a swap writes (services/rota_changes.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oncall.domain.models import Shift
from oncall.domain.timefmt import to_iso
from oncall.store.rows import shift_from_row


def shift_by_id(conn: sqlite3.Connection, shift_id: int) -> Shift | None:
    """The shift with this id."""
    row = conn.execute("SELECT * FROM on_call_shifts WHERE id = ?", (shift_id,)).fetchone()
    return shift_from_row(row) if row else None


def shifts_of(
    conn: sqlite3.Connection, staff_id: int, start: datetime, end: datetime
) -> list[Shift]:
    """One person's shifts overlapping [start, end), in time order."""
    rows = conn.execute(
        "SELECT * FROM on_call_shifts WHERE staff_id = ? AND starts_at < ? AND ends_at > ?"
        " ORDER BY starts_at, id",
        (staff_id, to_iso(end), to_iso(start)),
    ).fetchall()
    return [shift_from_row(r) for r in rows]


def set_holder(conn: sqlite3.Connection, shift_id: int, staff_id: int) -> None:
    """Give the whole shift to `staff_id`."""
    conn.execute("UPDATE on_call_shifts SET staff_id = ? WHERE id = ?", (staff_id, shift_id))


def split(conn: sqlite3.Connection, shift: Shift, at: datetime, staff_id: int) -> int:
    """End `shift` at `at` and give the rest to `staff_id`; returns the new shift's id."""
    conn.execute("UPDATE on_call_shifts SET ends_at = ? WHERE id = ?", (to_iso(at), shift.id))
    cursor = conn.execute(
        "INSERT INTO on_call_shifts (staff_id, role, starts_at, ends_at) VALUES (?,?,?,?)",
        (staff_id, shift.role.value, to_iso(at), to_iso(shift.ends_at)),
    )
    return int(cursor.lastrowid or 0)
