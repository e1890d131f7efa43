"""What outlives one console: a lock the next start must honour, drafts of unsaved forms.

Drafts hold what a clinician typed (client information): they are read by their
author only (every query here takes the staff id), and never copied to the audit log.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Draft:
    """The fields of a form left unsaved when its console was cut off."""

    id: int
    staff_id: int
    form_kind: str
    episode_id: int
    title: str
    fields: list[dict[str, Any]]
    saved_at: str


def set_console_lock(conn: sqlite3.Connection, staff_id: int, *, at: str, reason: str) -> None:
    """Note that the staff member's console is locked (kept until their PIN is entered)."""
    conn.execute(
        "INSERT INTO console_locks (staff_id, locked_at, reason) VALUES (?,?,?)"
        " ON CONFLICT (staff_id) DO NOTHING",
        (staff_id, at, reason),
    )


def clear_console_lock(conn: sqlite3.Connection, staff_id: int) -> None:
    """The right PIN was entered: the next console starts open."""
    conn.execute("DELETE FROM console_locks WHERE staff_id = ?", (staff_id,))


def console_locked(conn: sqlite3.Connection, staff_id: int) -> bool:
    """Whether the staff member's last console was left locked."""
    found = conn.execute("SELECT 1 FROM console_locks WHERE staff_id = ?", (staff_id,))
    return found.fetchone() is not None


def keep_draft(
    conn: sqlite3.Connection,
    staff_id: int,
    form_kind: str,
    episode_id: int,
    *,
    title: str,
    fields: list[dict[str, Any]],
    at: str,
) -> int:
    """Store (or replace) the author's draft of one form on one episode; its id."""
    row = conn.execute(
        "INSERT INTO form_drafts (staff_id, form_kind, episode_id, title, fields, saved_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (staff_id, form_kind, episode_id) DO UPDATE SET"
        " title = excluded.title, fields = excluded.fields, saved_at = excluded.saved_at"
        " RETURNING id",
        (staff_id, form_kind, episode_id, title, json.dumps(fields, ensure_ascii=False), at),
    ).fetchone()
    return int(row[0])


_COLUMNS = "id, staff_id, form_kind, episode_id, title, fields, saved_at"


def _draft(row: sqlite3.Row | tuple[Any, ...]) -> Draft:
    return Draft(
        int(row[0]), int(row[1]), str(row[2]), int(row[3]), str(row[4]), json.loads(row[5]),
        str(row[6]),
    )  # fmt: skip


def drafts_of(conn: sqlite3.Connection, staff_id: int) -> list[Draft]:
    """The author's drafts, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM form_drafts WHERE staff_id = ? ORDER BY saved_at, id",
        (staff_id,),
    )
    return [_draft(row) for row in rows]


def draft_for(
    conn: sqlite3.Connection, staff_id: int, form_kind: str, episode_id: int
) -> Draft | None:
    """The author's draft of this form on this episode, if one was kept."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM form_drafts"
        " WHERE staff_id = ? AND form_kind = ? AND episode_id = ?",
        (staff_id, form_kind, episode_id),
    ).fetchone()
    return _draft(row) if row else None


def drop_draft(conn: sqlite3.Connection, staff_id: int, draft_id: int) -> bool:
    """Remove the author's draft (used or discarded); whether there was one."""
    cursor = conn.execute(
        "DELETE FROM form_drafts WHERE id = ? AND staff_id = ?", (draft_id, staff_id)
    )
    return cursor.rowcount == 1
