"""The outbox: messages that must leave, written in the transaction that causes them."""

from __future__ import annotations

import sqlite3
from typing import Any

from oncall.store.rows import dumps


def enqueue(
    conn: sqlite3.Connection,
    *,
    kind: str,
    target: str,
    payload: dict[str, Any],
    idempotency_key: str,
    created_at: str,
) -> bool:
    """Queue one message; False when a message with this key is already queued."""
    cursor = conn.execute(
        "INSERT INTO outbox (kind, target, payload, idempotency_key, created_at, next_attempt_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (idempotency_key) DO NOTHING",
        (kind, target, dumps(payload), idempotency_key, created_at, created_at),
    )
    return cursor.rowcount == 1


def messages(
    conn: sqlite3.Connection, *, status: str | None = None, limit: int = 200
) -> list[sqlite3.Row]:
    """Outbox rows, newest first, optionally of one status."""
    if status is None:
        return conn.execute("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return conn.execute(
        "SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit)
    ).fetchall()
