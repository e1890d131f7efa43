"""Checks of the audit log beyond its chain: keyed rows, the append-only triggers, the head."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from oncall.store.audit import KEYED


def keyed_rows(conn: sqlite3.Connection) -> int:
    """How many audit rows carry a keyed hash."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE substr(hash, 1, ?) = ?", (len(KEYED), KEYED)
        ).fetchone()[0]
    )


APPEND_ONLY_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    """The append-only triggers of the audit log that are gone (or no longer refuse)."""
    present = {
        str(name): str(sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    return [
        name
        for name in APPEND_ONLY_TRIGGERS
        if "RAISE(ABORT" not in present.get(name, "").upper().replace(" ", "")
    ]


@dataclass(frozen=True)
class AuditHead:
    """The last row of the audit log: what an anchor records."""

    id: int
    hash: str
    at: str


def audit_head(conn: sqlite3.Connection) -> AuditHead | None:
    """The last audit row's id, hash and time (None for an empty log)."""
    row = conn.execute(
        "SELECT id, CAST(hash AS BLOB), CAST(at AS BLOB) FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return AuditHead(int(row[0]), bytes(row[1]).decode("utf-8"), bytes(row[2]).decode("utf-8"))


def hash_of_row(conn: sqlite3.Connection, row_id: int) -> str | None:
    """The stored hash of one audit row, or None when there is no such row."""
    row = conn.execute(
        "SELECT CAST(hash AS BLOB) FROM audit_log WHERE id = ?", (row_id,)
    ).fetchone()
    return None if row is None else bytes(row[0]).decode("utf-8")
