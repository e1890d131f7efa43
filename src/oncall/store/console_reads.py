"""Reads the console shell needs: the queue window, names for its rows, open episodes, lookups."""

from __future__ import annotations

import sqlite3

from oncall.domain.models import Alert, Episode
from oncall.store.alerts import QueueCursor
from oncall.store.queue_groups import GroupCounts, QueueTallies, best_of_group
from oncall.store.rows import alert_from_row, episode_from_row

_KEY = "(g.severity_rank, g.received_at, g.alert_id)"
# Who holds the client: the acknowledger of their most urgent claimed alert (read only for
# rows with a claimed alert), shown even when a waiting alert is the row's.
_HOLDER = best_of_group("g", "acknowledged", "acknowledged_by")
_ROWS = (
    f"SELECT a.*, g.open_alerts, g.waiting, iif(g.open_alerts > g.waiting, {_HOLDER}, NULL)"
    " AS holder FROM queue_groups g JOIN alerts a ON a.id = g.alert_id"
)


def _grouped(rows: list[sqlite3.Row]) -> list[tuple[Alert, GroupCounts]]:
    return [
        (alert_from_row(r), GroupCounts(int(r["open_alerts"]), int(r["waiting"]), r["holder"]))
        for r in rows
    ]


def queue_after(
    conn: sqlite3.Connection, after: QueueCursor | None, *, limit: int
) -> list[tuple[Alert, GroupCounts]]:
    """Up to `limit` queue rows after `after` (None: from the top): one per client, in order."""
    keyset, params = "", []
    if after is not None:
        keyset, params = f" WHERE {_KEY} > (?, ?, ?)", [*_cursor(after)]
    rows = conn.execute(
        f"{_ROWS}{keyset} ORDER BY g.severity_rank, g.received_at, g.alert_id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return _grouped(rows)


def queue_before(
    conn: sqlite3.Connection, before: QueueCursor | None, *, limit: int
) -> list[tuple[Alert, GroupCounts]]:
    """The `limit` queue rows just before `before` (None: the end), in queue order."""
    keyset, params = "", []
    if before is not None:
        keyset, params = f" WHERE {_KEY} < (?, ?, ?)", [*_cursor(before)]
    rows = conn.execute(
        f"{_ROWS}{keyset} ORDER BY g.severity_rank DESC, g.received_at DESC, g.alert_id DESC"
        " LIMIT ?",
        (*params, limit),
    ).fetchall()
    return _grouped(list(reversed(rows)))


def queue_position(conn: sqlite3.Connection, cursor: QueueCursor) -> int:
    """How many queue rows sort before `cursor` (the 0-based index of a row at `cursor`)."""
    row = conn.execute(
        f"SELECT COUNT(*) FROM queue_groups g WHERE {_KEY} < (?, ?, ?)", _cursor(cursor)
    ).fetchone()
    return int(row[0])


def _cursor(cursor: QueueCursor) -> tuple[int, str, int]:
    return (cursor.severity_rank, cursor.received_at, cursor.id)


BREACHES_COUNTED = 10_000
"""Alerts past their deadline are counted up to this many ("10,000+"), read every second."""


def queue_tallies(conn: sqlite3.Connection, now: str) -> QueueTallies:
    """Clients in the queue, their alerts, those waiting, those past deadline; the newest id.

    What it reads does not grow with the queue: the totals are one row the triggers keep
    (migration 25), and the breaches, which pass with time alone, are counted up to
    BREACHES_COUNTED along the deadline index.
    """
    clients, total, waiting = conn.execute(
        "SELECT clients, open_alerts, waiting FROM queue_totals"
    ).fetchone()
    breached = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM alerts INDEXED BY alerts_waiting_deadline"
        " WHERE status = 'new' AND ack_deadline_at < ? LIMIT ?)",
        (now, BREACHES_COUNTED + 1),
    ).fetchone()[0]
    latest = latest_alert_id(conn)
    more = breached > BREACHES_COUNTED
    return QueueTallies(
        int(clients),
        int(total),
        int(waiting),
        min(int(breached), BREACHES_COUNTED),
        latest,
        breached_more=more,
    )


def newer_waiting_before(conn: sqlite3.Connection, seen_id: int, cursor: QueueCursor) -> bool:
    """Whether a waiting alert newer than `seen_id` sorts before `cursor` (is more urgent)."""
    row = conn.execute(
        # "+status": read what arrived since (an id range), not every waiting alert.
        "SELECT 1 FROM alerts WHERE id > ? AND +status = 'new'"
        " AND (severity_rank, received_at, id) < (?, ?, ?) LIMIT 1",
        (seen_id, *_cursor(cursor)),
    ).fetchone()
    return row is not None


def client_names(conn: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    """Full names of the clients with these ids (a nickname alone would not identify them)."""
    found: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"SELECT id, name FROM clients WHERE id IN ({marks})", chunk):
            found[int(row[0])] = str(row[1])
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


def imminent_since(conn: sqlite3.Connection, seen_id: int, *, limit: int) -> list[Alert]:
    """Waiting IMMINENT alerts that arrived after alert `seen_id`, oldest first."""
    # A range of the primary key: only what arrived since the last look is read.
    rows = conn.execute(
        "SELECT * FROM alerts WHERE id > ? AND severity = 'imminent' AND +status = 'new'"
        " ORDER BY id LIMIT ?",
        (seen_id, limit),
    ).fetchall()
    return [alert_from_row(r) for r in rows]


def latest_alert_id(conn: sqlite3.Connection) -> int:
    """The newest alert's id (0 when there is none)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM alerts").fetchone()[0])
