"""Episodes and their append-only timelines."""

from __future__ import annotations

import sqlite3
from typing import Any

from oncall.domain.models import Episode, TimelineEvent
from oncall.domain.types import EventKind
from oncall.store.rows import dumps, episode_from_row, event_from_row


def episode_by_id(conn: sqlite3.Connection, episode_id: int) -> Episode | None:
    """The episode with this id."""
    row = conn.execute("SELECT * FROM episodes WHERE id = ?", (episode_id,)).fetchone()
    return episode_from_row(row) if row else None


def open_episode_for_client(conn: sqlite3.Connection, client_id: int) -> Episode | None:
    """The client's episode that is not closed, if any (there is at most one)."""
    row = conn.execute(
        "SELECT * FROM episodes WHERE client_id = ? AND status != 'closed'", (client_id,)
    ).fetchone()
    return episode_from_row(row) if row else None


def insert_episode(
    conn: sqlite3.Connection,
    *,
    client_id: int,
    opened_at: str,
    opened_by: int,
    status: str,
    handoff: str | None = None,
    handoff_deadline_at: str | None = None,
    location: str | None = None,
) -> int:
    """Open a new episode; returns its id."""
    cursor = conn.execute(
        "INSERT INTO episodes (client_id, opened_at, opened_by, status, handoff,"
        " handoff_deadline_at, location) VALUES (?,?,?,?,?,?,?)",
        (client_id, opened_at, opened_by, status, handoff, handoff_deadline_at, location),
    )
    return int(cursor.lastrowid or 0)


_UPDATABLE = {
    "status",
    "risk_level",
    "risk_set_at",
    "location",
    "location_confirmed_at",
    "handoff",
    "handoff_deadline_at",
    "handoff_confirmed_at",
    "disposition",
    "summary",
    "no_follow_up_reason",
    "closed_at",
    "closed_by",
}


def update_episode(conn: sqlite3.Connection, episode_id: int, **values: Any) -> None:
    """Set columns of an episode (only the known, updatable ones)."""
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise ValueError(f"episodes has no updatable column {sorted(unknown)}")
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE episodes SET {assignments} WHERE id = ?", (*values.values(), episode_id))


def insert_event(
    conn: sqlite3.Connection,
    *,
    episode_id: int,
    at: str,
    actor_id: int | None,
    kind: EventKind,
    body: dict[str, Any],
    amends: int | None = None,
) -> TimelineEvent:
    """Append one event to an episode's timeline."""
    cursor = conn.execute(
        "INSERT INTO timeline_events (episode_id, at, actor_id, kind, body, amends)"
        " VALUES (?,?,?,?,?,?)",
        (episode_id, at, actor_id, kind.value, dumps(body), amends),
    )
    row = conn.execute("SELECT * FROM timeline_events WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return event_from_row(row)


def event_by_id(conn: sqlite3.Connection, event_id: int) -> TimelineEvent | None:
    """One timeline event."""
    row = conn.execute("SELECT * FROM timeline_events WHERE id = ?", (event_id,)).fetchone()
    return event_from_row(row) if row else None


def timeline(
    conn: sqlite3.Connection, episode_id: int, *, after_id: int = 0, limit: int = 500
) -> list[TimelineEvent]:
    """An episode's events in the order they happened (paged by id)."""
    rows = conn.execute(
        "SELECT * FROM timeline_events WHERE episode_id = ? AND id > ? ORDER BY at, id LIMIT ?",
        (episode_id, after_id, limit),
    ).fetchall()
    return [event_from_row(r) for r in rows]


def last_event_id(conn: sqlite3.Connection, episode_id: int) -> int:
    """The id of the episode's newest event (0 when it has none); events are append-only."""
    row = conn.execute(
        "SELECT COALESCE(MAX(id), 0) FROM timeline_events WHERE episode_id = ?", (episode_id,)
    ).fetchone()
    return int(row[0])


def has_standing_event(conn: sqlite3.Connection, episode_id: int, kind: EventKind) -> bool:
    """Whether the timeline has an event of this kind that no amendment has corrected."""
    row = conn.execute(
        "SELECT 1 FROM timeline_events t WHERE t.episode_id = ? AND t.kind = ?"
        " AND NOT EXISTS (SELECT 1 FROM timeline_events a WHERE a.amends = t.id) LIMIT 1",
        (episode_id, kind.value),
    ).fetchone()
    return row is not None


def has_event(conn: sqlite3.Connection, episode_id: int, kind: EventKind) -> bool:
    """Whether the timeline has at least one event of this kind."""
    row = conn.execute(
        "SELECT 1 FROM timeline_events WHERE episode_id = ? AND kind = ? LIMIT 1",
        (episode_id, kind.value),
    ).fetchone()
    return row is not None


def episodes_for_client(
    conn: sqlite3.Connection,
    client_id: int,
    *,
    limit: int = 100,
    before: tuple[str, int] | None = None,
) -> list[Episode]:
    """A client's episodes, newest first (keyset paging on opened_at, id before `before`)."""
    keyset = " AND (opened_at, id) < (?, ?)" if before is not None else ""
    rows = conn.execute(
        f"SELECT * FROM episodes WHERE client_id = ?{keyset}"
        " ORDER BY opened_at DESC, id DESC LIMIT ?",
        (client_id, *(before or ()), limit),
    ).fetchall()
    return [episode_from_row(r) for r in rows]


def episodes_page(
    conn: sqlite3.Connection,
    *,
    before: tuple[str, int] | None = None,
    limit: int = 100,
    status: str | None = None,
) -> list[Episode]:
    """One page of all episodes, newest first (keyset paging on opened_at, id)."""
    clauses: list[str] = []
    params: list[object] = []
    if before is not None:
        clauses.append("(opened_at, id) < (?, ?)")
        params += list(before)
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT * FROM episodes {where} ORDER BY opened_at DESC, id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [episode_from_row(r) for r in rows]


def open_episodes_with_severity(conn: sqlite3.Connection, opened_by: int, severity: str) -> int:
    """How many of `opened_by`'s open episodes hold an alert of `severity`."""
    row = conn.execute(
        "SELECT COUNT(DISTINCT e.id) FROM episodes e JOIN alerts a ON a.episode_id = e.id"
        " WHERE e.status IN ('open', 'handoff_pending') AND e.opened_by = ? AND a.severity = ?",
        (opened_by, severity),
    ).fetchone()
    return int(row[0])
