"""Reads for what is due for a person: follow-ups with client names, plans to review."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_FOLLOW_UP_CARD = (
    "SELECT f.*, c.name AS client_name, c.preferred_name AS client_preferred_name"
    " FROM follow_ups f JOIN clients c ON c.id = f.client_id"
)


def follow_up_cards(conn: sqlite3.Connection, ids: Sequence[int]) -> list[sqlite3.Row]:
    """Follow-ups with their client's name, for the given ids (any order, missing ones left out)."""
    found: list[sqlite3.Row] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        found.extend(conn.execute(f"{_FOLLOW_UP_CARD} WHERE f.id IN ({marks})", chunk))
    return found


def due_follow_ups(
    conn: sqlite3.Connection, assignee_id: int, due_by: str, limit: int = 200
) -> list[sqlite3.Row]:
    """One person's pending follow-ups due by `due_by`, earliest first, with client names."""
    return conn.execute(
        f"{_FOLLOW_UP_CARD} WHERE f.assignee_id = ? AND f.status = 'pending' AND f.due_at <= ?"
        " ORDER BY f.due_at, f.id LIMIT ?",
        (assignee_id, due_by, limit),
    ).fetchall()


def plan_review_facts(
    conn: sqlite3.Connection, clinician_id: int | None, limit: int = 100_000
) -> list[sqlite3.Row]:
    """Clients who have a safety plan, with when it was saved, reviewed, and the last episode.

    One clinician's clients (their primary clinician) or everyone's; the domain
    rule (`review_due`) decides which are due, so it lives in one place.
    """
    who = "" if clinician_id is None else " AND c.primary_clinician_id = ?"
    params: tuple[object, ...] = () if clinician_id is None else (clinician_id,)
    return conn.execute(
        "SELECT c.id, c.name, c.preferred_name, c.primary_clinician_id,"
        " (SELECT MAX(p.created_at) FROM safety_plans p WHERE p.client_id = c.id) AS saved_at,"
        " (SELECT MAX(v.reviewed_at) FROM safety_plan_reviews v WHERE v.client_id = c.id"
        "   AND v.withdrawn_at IS NULL)"
        "   AS reviewed_at,"
        " (SELECT MAX(e.opened_at) FROM episodes e WHERE e.client_id = c.id) AS last_episode_at"
        " FROM clients c WHERE EXISTS (SELECT 1 FROM safety_plans p WHERE p.client_id = c.id)"
        f"{who} ORDER BY c.id LIMIT ?",
        (*params, limit),
    ).fetchall()
