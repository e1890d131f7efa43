"""What outlives one console: a lock the next start must honour, drafts of unsaved forms.

Drafts hold what a clinician typed (client information): they are read by their
author only (every query here takes the staff id), and never copied to the audit log.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

NEW_CLIENT = "new client"
"""The subject of a form that makes a client (intake): there is no record yet."""


@dataclass(frozen=True)
class DraftSubject:
    """What a draft's form is about: an episode, a client's record, or a new client."""

    episode_id: int | None = None
    client_id: int | None = None

    @property
    def key(self) -> str:
        """The subject as stored: a draft is one per author, form kind and subject."""
        if self.episode_id is not None:
            return f"episode:{self.episode_id}"
        if self.client_id is not None:
            return f"client:{self.client_id}"
        return NEW_CLIENT


@dataclass(frozen=True)
class Draft:
    """The fields of a form left unsaved when its console was cut off."""

    id: int
    staff_id: int
    form_kind: str
    subject: DraftSubject
    title: str
    fields: list[dict[str, Any]]
    saved_at: str
    client_ref: str | None = None
    """The client's reference (a draft on a client's record), to say where to reopen it."""

    @property
    def episode_id(self) -> int | None:
        """The episode the form records on (None: a client's record or a new client)."""
        return self.subject.episode_id


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
    subject: DraftSubject,
    *,
    title: str,
    fields: list[dict[str, Any]],
    at: str,
) -> int:
    """Store (or replace) the author's draft of one form about one subject; its id."""
    row = conn.execute(
        "INSERT INTO form_drafts (staff_id, form_kind, subject, episode_id, client_id, title,"
        " fields, saved_at) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT (staff_id, form_kind, subject) DO UPDATE SET"
        " title = excluded.title, fields = excluded.fields, saved_at = excluded.saved_at"
        " RETURNING id",
        (
            staff_id, form_kind, subject.key, subject.episode_id, subject.client_id, title,
            json.dumps(fields, ensure_ascii=False), at,
        ),
    ).fetchone()  # fmt: skip
    return int(row[0])


_COLUMNS = (
    "d.id, d.staff_id, d.form_kind, d.episode_id, d.client_id, d.title, d.fields, d.saved_at,"
    " c.external_ref"
)
_FROM = "form_drafts d LEFT JOIN clients c ON c.id = d.client_id"


def _draft(row: sqlite3.Row | tuple[Any, ...]) -> Draft:
    subject = DraftSubject(row[3], row[4])
    return Draft(
        int(row[0]), int(row[1]), str(row[2]), subject, str(row[5]), json.loads(row[6]),
        str(row[7]), row[8],
    )  # fmt: skip


def drafts_of(conn: sqlite3.Connection, staff_id: int) -> list[Draft]:
    """The author's drafts, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE d.staff_id = ? ORDER BY d.saved_at, d.id",
        (staff_id,),
    )
    return [_draft(row) for row in rows]


def draft_for(
    conn: sqlite3.Connection, staff_id: int, form_kind: str, subject: DraftSubject
) -> Draft | None:
    """The author's draft of this form about this subject, if one was kept."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM}"
        " WHERE d.staff_id = ? AND d.form_kind = ? AND d.subject = ?",
        (staff_id, form_kind, subject.key),
    ).fetchone()
    return _draft(row) if row else None


def drop_draft(conn: sqlite3.Connection, staff_id: int, draft_id: int) -> bool:
    """Remove the author's draft (used or discarded); whether there was one."""
    cursor = conn.execute(
        "DELETE FROM form_drafts WHERE id = ? AND staff_id = ?", (draft_id, staff_id)
    )
    return cursor.rowcount == 1
