"""Reads the console shell needs: the queue window, names for its rows, open episodes, lookups."""

from __future__ import annotations

import sqlite3

from oncall.domain.models import Alert, Episode
from oncall.store.alerts import QueueCursor
from oncall.store.rows import alert_from_row, episode_from_row

QUEUE_STATUSES = ("new", "acknowledged")
_KEY = "(severity_rank, received_at, id)"


def _status_clause(statuses: tuple[str, ...]) -> str:
    return f"status IN ({', '.join('?' for _ in statuses)})"


def queue_before(
    conn: sqlite3.Connection,
    before: QueueCursor | None,
    *,
    limit: int,
    statuses: tuple[str, ...] = QUEUE_STATUSES,
) -> list[Alert]:
    """The `limit` queue rows just before `before` (None: the end), in queue order."""
    params: list[object] = list(statuses)
    keyset = ""
    if before is not None:
        keyset = f" AND {_KEY} < (?, ?, ?)"
        params += [before.severity_rank, before.received_at, before.id]
    rows = conn.execute(
        f"SELECT * FROM alerts WHERE {_status_clause(statuses)}{keyset}"
        " ORDER BY severity_rank DESC, received_at DESC, id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [alert_from_row(r) for r in reversed(rows)]


def queue_position(
    conn: sqlite3.Connection, cursor: QueueCursor, *, statuses: tuple[str, ...] = QUEUE_STATUSES
) -> int:
    """How many queue rows sort before `cursor` (the 0-based index of a row at `cursor`)."""
    row = conn.execute(
        f"SELECT COUNT(*) FROM alerts WHERE {_status_clause(statuses)} AND {_KEY} < (?, ?, ?)",
        (*statuses, cursor.severity_rank, cursor.received_at, cursor.id),
    ).fetchone()
    return int(row[0])


def queue_tallies(conn: sqlite3.Connection, now: str) -> tuple[int, int, int]:
    """(alerts in the queue, of them unacknowledged, of those past their deadline)."""
    row = conn.execute(
        "SELECT COUNT(*),"
        " COALESCE(SUM(status = 'new'), 0),"
        " COALESCE(SUM(status = 'new' AND ack_deadline_at < ?), 0)"
        " FROM alerts WHERE status IN ('new', 'acknowledged')",
        (now,),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def client_names(conn: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    """Display names (preferred name when given) of the clients with these ids."""
    found: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT id, name, preferred_name FROM clients WHERE id IN ({marks})", chunk
        ):
            found[int(row[0])] = str(row[2] or row[1])
    return found


def staff_names(conn: sqlite3.Connection) -> dict[int, str]:
    """Every staff member's display name by id (a small table)."""
    return {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, display_name FROM staff")}


def open_episodes(
    conn: sqlite3.Connection, *, opened_by: int | None = None, limit: int = 50
) -> list[Episode]:
    """Episodes not closed (opened by `opened_by` when given), most recent first."""
    # IN over the open states (not `!= 'closed'`) lets SQLite use the status index: with
    # 100,000 episodes the inequality scanned them all (0.5 s); this reads only the open ones.
    where = "status IN ('open', 'handoff_pending')"
    params: list[object] = []
    if opened_by is not None:
        where += " AND opened_by = ?"
        params.append(opened_by)
    rows = conn.execute(
        f"SELECT * FROM episodes WHERE {where} ORDER BY opened_at DESC, id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [episode_from_row(r) for r in rows]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_clients(conn: sqlite3.Connection, text: str, *, limit: int = 20) -> list[sqlite3.Row]:
    """Clients whose name, preferred name or reference contains `text` (id, name, ref)."""
    pattern = _like(text.strip())
    return conn.execute(
        "SELECT id, name, preferred_name, external_ref FROM clients"
        " WHERE name LIKE ?1 ESCAPE '\\' OR preferred_name LIKE ?1 ESCAPE '\\'"
        " OR external_ref LIKE ?1 ESCAPE '\\' ORDER BY name, id LIMIT ?2",
        (pattern, limit),
    ).fetchall()


def find_episodes(conn: sqlite3.Connection, text: str, *, limit: int = 20) -> list[sqlite3.Row]:
    """Episodes of clients matching `text`, newest first (id, status, opened_at, name)."""
    pattern = _like(text.strip())
    return conn.execute(
        "SELECT e.id, e.status, e.opened_at, c.name, c.external_ref FROM episodes e"
        " JOIN clients c ON c.id = e.client_id"
        " WHERE c.name LIKE ?1 ESCAPE '\\' OR c.preferred_name LIKE ?1 ESCAPE '\\'"
        " OR c.external_ref LIKE ?1 ESCAPE '\\' OR CAST(e.id AS TEXT) = ?2"
        " ORDER BY e.opened_at DESC, e.id DESC LIMIT ?3",
        (pattern, text.strip().lstrip("#"), limit),
    ).fetchall()
