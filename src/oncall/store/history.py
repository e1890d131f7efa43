"""Every episode, newest first, a page at a time (keyset paging on opened_at, id)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

_SELECT = (
    "SELECT e.id, e.opened_at, e.status, e.risk_level, e.disposition, e.closed_at,"
    " c.name AS client_name, c.external_ref, s.display_name AS opened_by_name"
    " FROM episodes e JOIN clients c ON c.id = e.client_id"
    " LEFT JOIN staff s ON s.id = e.opened_by"
)


def history_page(
    conn: sqlite3.Connection,
    *,
    older_than: tuple[str, int] | None = None,
    newer_than: tuple[str, int] | None = None,
    limit: int = 50,
    client_ids: Collection[int] | None = None,
    status: str | None = None,
) -> list[sqlite3.Row]:
    """One page, newest first: older than one key, or newer than another (the page above)."""
    clauses: list[str] = []
    params: list[object] = []
    if older_than is not None:
        clauses.append("(e.opened_at, e.id) < (?, ?)")
        params += list(older_than)
    if newer_than is not None:
        clauses.append("(e.opened_at, e.id) > (?, ?)")
        params += list(newer_than)
    if client_ids is not None:
        ids = sorted(client_ids) or [-1]
        clauses.append(f"e.client_id IN ({', '.join('?' for _ in ids)})")
        params += ids
    if status is not None:
        clauses.append("e.status = ?")
        params.append(status)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    # The page above is read upwards from its key, then turned back to newest first.
    direction = "ASC" if newer_than is not None and older_than is None else "DESC"
    rows = conn.execute(
        f"{_SELECT}{where} ORDER BY e.opened_at {direction}, e.id {direction} LIMIT ?",
        (*params, limit),
    ).fetchall()
    return rows[::-1] if direction == "ASC" else rows


def history_count(
    conn: sqlite3.Connection,
    *,
    client_ids: Collection[int] | None = None,
    status: str | None = None,
) -> int:
    """How many episodes the history holds (for "rows x–y of n")."""
    clauses: list[str] = []
    params: list[object] = []
    if client_ids is not None:
        ids = sorted(client_ids) or [-1]
        clauses.append(f"client_id IN ({', '.join('?' for _ in ids)})")
        params += ids
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return int(conn.execute(f"SELECT COUNT(*) FROM episodes{where}", params).fetchone()[0])
