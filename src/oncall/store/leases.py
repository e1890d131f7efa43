"""Leases: a row that elects one process (a console or `oncall worker`) to do shared work.

Taking and renewing are one atomic statement: the row is written only when it
is free, expired, or already ours, so two processes can never both hold it.
Times are wall-clock UTC text, compared as text (fixed-width ISO 8601).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

DISPATCHER = "dispatcher"
"""The lease whose holder runs escalations, reminders to others, the outbox and feeds."""
WORKER = "worker"
"""Renewed by every running `oncall worker`: while it is live, consoles leave dispatching alone."""


@dataclass(frozen=True)
class Lease:
    """Who holds a lease and until when."""

    name: str
    holder: str
    expires_at: str


def acquire(conn: sqlite3.Connection, name: str, holder: str, *, now: str, expires_at: str) -> bool:
    """Take or renew the lease for `holder` until `expires_at`; True when `holder` now has it."""
    cursor = conn.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?,?,?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        " expires_at = excluded.expires_at"
        " WHERE leases.expires_at < ? OR leases.holder = excluded.holder",
        (name, holder, expires_at, now),
    )
    return cursor.rowcount == 1


def release(conn: sqlite3.Connection, name: str, holder: str) -> bool:
    """Give the lease up at once (on a clean exit) so another process need not wait it out."""
    cursor = conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
    return cursor.rowcount == 1


def current(conn: sqlite3.Connection, name: str) -> Lease | None:
    """The lease row as it stands (it may have expired)."""
    row = conn.execute(
        "SELECT name, holder, expires_at FROM leases WHERE name = ?", (name,)
    ).fetchone()
    return Lease(row[0], row[1], row[2]) if row else None


def is_live(conn: sqlite3.Connection, name: str, *, now: str) -> bool:
    """Whether the lease is held by anyone and has not run out (a read, never a write)."""
    row = conn.execute(
        "SELECT 1 FROM leases WHERE name = ? AND expires_at >= ?", (name, now)
    ).fetchone()
    return row is not None
