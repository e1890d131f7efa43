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
) -> int:
    """Store that the plan was reviewed."""
    cursor = conn.execute(
        "INSERT INTO safety_plan_reviews (client_id, plan_version, episode_id, reviewed_by,"
        " reviewed_at) VALUES (?,?,?,?,?)",
        (client_id, plan_version, episode_id, reviewed_by, reviewed_at),
    )
    return int(cursor.lastrowid or 0)


def last_reviewed_at(conn: sqlite3.Connection, client_id: int) -> datetime | None:
    """When the client's plan was last reviewed, if ever."""
    row = conn.execute(
        "SELECT MAX(reviewed_at) FROM safety_plan_reviews WHERE client_id = ?", (client_id,)
    ).fetchone()
    return maybe_from_iso(row[0])
