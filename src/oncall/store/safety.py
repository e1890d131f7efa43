"""Safety-plan reviews (W8): when a plan was last gone over with the client."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oncall.domain.timefmt import maybe_from_iso


def record_review(
    conn: sqlite3.Connection,
    *,
    client_id: int,
    plan_version: int | None,
    episode_id: int | None,
    reviewed_by: int | None,
    reviewed_at: str,
    event_id: int | None = None,
) -> int:
    """Store that the plan was reviewed (`event_id`: its event on an episode's timeline)."""
    cursor = conn.execute(
        "INSERT INTO safety_plan_reviews (client_id, plan_version, episode_id, reviewed_by,"
        " reviewed_at, event_id) VALUES (?,?,?,?,?,?)",
        (client_id, plan_version, episode_id, reviewed_by, reviewed_at, event_id),
    )
    return int(cursor.lastrowid or 0)


def withdraw_review(conn: sqlite3.Connection, *, event_id: int, by_event: int, at: str) -> int:
    """Withdraw the review recorded by timeline event `event_id`; how many were withdrawn."""
    cursor = conn.execute(
        "UPDATE safety_plan_reviews SET withdrawn_at = ?, withdrawn_by_event = ?"
        " WHERE event_id = ? AND withdrawn_at IS NULL",
        (at, by_event, event_id),
    )
    return cursor.rowcount


def last_reviewed_at(conn: sqlite3.Connection, client_id: int) -> datetime | None:
    """When the client's plan was last reviewed, if ever (withdrawn reviews do not count)."""
    row = conn.execute(
        "SELECT MAX(reviewed_at) FROM safety_plan_reviews"
        " WHERE client_id = ? AND withdrawn_at IS NULL",
        (client_id,),
    ).fetchone()
    return maybe_from_iso(row[0])
