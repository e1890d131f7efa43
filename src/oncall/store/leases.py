"""Leases: a row that elects one process (a console or `oncall worker`) to do shared work.

Taking and renewing are one atomic statement: the row is written only when it
is free, expired, or already ours, so two processes can never both hold it.
Times are wall-clock UTC text, compared as text (fixed-width ISO 8601).

The leases live in a small file of their own beside the database (`oncall.db.leases`),
attached to every connection as `lease`: a renewal every 1.5 s then leaves the database's
`PRAGMA data_version` alone, so no other console re-reads its screen and its scheduler's
plan because a lease was renewed (issue 17: 6 commits/s from idle consoles, each making
every console refresh). Nothing in it outlives the processes: it needs no backup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = "lease"
"""The name the lease file is attached under."""
_LEASE_FILE = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
"""

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


def lease_file(db_path: Path) -> Path:
    """Where the leases of the database at `db_path` are kept."""
    return db_path.with_name(db_path.name + ".leases")


def attach(conn: sqlite3.Connection, path: Path) -> None:
    """Attach the lease file at `path` (made owner-only by the caller) and make its table."""
    conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
    conn.execute(f"PRAGMA {SCHEMA}.journal_mode = WAL")
    # A lease is only worth its time to live: losing the last renewal to a power cut costs
    # nothing, so it is not synced to disk each time as the clinical record is.
    conn.execute(f"PRAGMA {SCHEMA}.synchronous = NORMAL")
    conn.execute(_LEASE_FILE)


def acquire(conn: sqlite3.Connection, name: str, holder: str, *, now: str, expires_at: str) -> bool:
    """Take or renew the lease for `holder` until `expires_at`; True when `holder` now has it."""
    cursor = conn.execute(
        f"INSERT INTO {SCHEMA}.leases (name, holder, expires_at) VALUES (?,?,?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        " expires_at = excluded.expires_at"
        " WHERE leases.expires_at < ? OR leases.holder = excluded.holder",
        (name, holder, expires_at, now),
    )
    return cursor.rowcount == 1


def release(conn: sqlite3.Connection, name: str, holder: str) -> bool:
    """Give the lease up at once (on a clean exit) so another process need not wait it out."""
    cursor = conn.execute(
        f"DELETE FROM {SCHEMA}.leases WHERE name = ? AND holder = ?", (name, holder)
    )
    return cursor.rowcount == 1


def current(conn: sqlite3.Connection, name: str) -> Lease | None:
    """The lease row as it stands (it may have expired)."""
    row = conn.execute(
        f"SELECT name, holder, expires_at FROM {SCHEMA}.leases WHERE name = ?", (name,)
    ).fetchone()
    return Lease(row[0], row[1], row[2]) if row else None


def is_live(conn: sqlite3.Connection, name: str, *, now: str) -> bool:
    """Whether the lease is held by anyone and has not run out (a read, never a write)."""
    row = conn.execute(
        f"SELECT 1 FROM {SCHEMA}.leases WHERE name = ? AND expires_at >= ?", (name, now)
    ).fetchone()
    return row is not None
