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


def claim_due(
    conn: sqlite3.Connection, *, now: str, until: str, holder: str, limit: int
) -> list[sqlite3.Row]:
    """Claim due pending messages for sending (one attempt each), oldest due first.

    A message claimed by another sender is skipped until its claim expires, so two
    dispatchers never send one message at the same time. Run inside `Store.write()`.
    """
    return conn.execute(
        "UPDATE outbox SET sending_until = ?, sending_by = ?, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
        " AND (sending_until IS NULL OR sending_until <= ?)"
        " ORDER BY next_attempt_at, id LIMIT ?) RETURNING *",
        (until, holder, now, now, limit),
    ).fetchall()


def mark_delivered(
    conn: sqlite3.Connection, message_id: int, *, at: str, sent_to: str | None = None
) -> bool:
    """Record a delivery (whoever sent it: delivered is the truth once the receiver has it)."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'delivered', delivered_at = ?, last_error = NULL,"
        " sending_until = NULL, sending_by = NULL, sent_to = ?"
        " WHERE id = ? AND status != 'delivered'",
        (at, sent_to, message_id),
    )
    return cursor.rowcount == 1


def mark_attempt_failed(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    holder: str,
    error: str,
    next_attempt_at: str,
    give_up: bool,
) -> bool:
    """Record a failed attempt: retry at `next_attempt_at`, or status failed when giving up.

    Only the holder of the claim may do this, and never to a delivered message.
    """
    cursor = conn.execute(
        "UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ?,"
        " sending_until = NULL, sending_by = NULL"
        " WHERE id = ? AND status = 'pending' AND sending_by = ?",
        ("failed" if give_up else "pending", error[:1000], next_attempt_at, message_id, holder),
    )
    return cursor.rowcount == 1


def retry_failed(conn: sqlite3.Connection, message_id: int, *, at: str) -> bool:
    """Put a failed message back in line now, with a fresh count of attempts."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?,"
        " sending_until = NULL, sending_by = NULL WHERE id = ? AND status = 'failed'",
        (at, message_id),
    )
    return cursor.rowcount == 1


def message_by_id(conn: sqlite3.Connection, message_id: int) -> sqlite3.Row | None:
    """One outbox row."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM outbox WHERE id = ?", (message_id,)
    ).fetchone()
    return row


def status_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many messages are pending, delivered, failed and cancelled."""
    counts = {"pending": 0, "delivered": 0, "failed": 0, "cancelled": 0}
    for status, count in conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
        counts[status] = count
    return counts


def next_due_at(conn: sqlite3.Connection) -> str | None:
    """When the earliest pending message falls due (None when nothing is pending)."""
    row = conn.execute(
        "SELECT MIN(MAX(next_attempt_at, COALESCE(sending_until, ''))) FROM outbox"
        " WHERE status = 'pending'"
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def postpone(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    holder: str,
    next_attempt_at: str,
    error: str | None = None,
) -> bool:
    """Give a claimed message back unsent, to be tried at `next_attempt_at`.

    The attempt the claim counted is taken back: nothing was sent (the page waits for
    its turn, or for a target), so it never brings the message nearer to failed.
    """
    cursor = conn.execute(
        "UPDATE outbox SET attempts = MAX(attempts - 1, 0), next_attempt_at = ?,"
        " last_error = COALESCE(?, last_error), sending_until = NULL, sending_by = NULL"
        " WHERE id = ? AND status = 'pending' AND sending_by = ?",
        (next_attempt_at, error[:1000] if error else None, message_id, holder),
    )
    return cursor.rowcount == 1


def cancel(conn: sqlite3.Connection, message_id: int, *, at: str, by: str, reason: str) -> bool:
    """Cancel a message not yet delivered (pending or failed); it is never sent."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?,"
        " last_error = ?, sending_until = NULL, sending_by = NULL"
        " WHERE id = ? AND status IN ('pending', 'failed')",
        (at, by, reason[:1000], message_id),
    )
    return cursor.rowcount == 1


def readdress(conn: sqlite3.Connection, message_id: int, *, target: str, at: str) -> bool:
    """Send a pending or failed message to `target` instead, now, with a fresh count."""
    cursor = conn.execute(
        "UPDATE outbox SET target = ?, status = 'pending', attempts = 0, next_attempt_at = ?,"
        " last_error = NULL, sending_until = NULL, sending_by = NULL"
        " WHERE id = ? AND status IN ('pending', 'failed')",
        (target, at, message_id),
    )
    return cursor.rowcount == 1


def messages_by_keys(conn: sqlite3.Connection, keys: list[str]) -> list[sqlite3.Row]:
    """The messages with these idempotency keys, oldest first."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    return conn.execute(
        f"SELECT * FROM outbox WHERE idempotency_key IN ({marks}) ORDER BY id", keys
    ).fetchall()


def pending_messages(conn: sqlite3.Connection, *, limit: int = 500) -> list[sqlite3.Row]:
    """Messages still to be sent, oldest first."""
    return conn.execute(
        "SELECT * FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
    ).fetchall()


def last_sent_at(conn: sqlite3.Connection, sent_to: str) -> str | None:
    """When the last message sent to the configured target `sent_to` was delivered."""
    row = conn.execute(
        "SELECT MAX(delivered_at) FROM outbox WHERE sent_to = ?", (sent_to,)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])
