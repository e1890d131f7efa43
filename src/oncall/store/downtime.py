"""The reads a downtime pack is built from: whose clients go in it, and why."""

from __future__ import annotations

import sqlite3

from oncall.domain.downtime_pack import CASELOAD, FOLLOW_UP_DUE, OPEN_EPISODE, RECENT_ALERT
from oncall.domain.models import FollowUp
from oncall.store.rows import follow_up_from_row

_REASONS = f"""
SELECT id, '{CASELOAD}' FROM clients WHERE primary_clinician_id = :staff
UNION SELECT client_id, '{CASELOAD}' FROM care_team
  WHERE staff_id = :staff AND removed_at IS NULL
UNION SELECT client_id, '{OPEN_EPISODE}' FROM episodes WHERE status IN ('open', 'handoff_pending')
UNION SELECT client_id, '{FOLLOW_UP_DUE}' FROM follow_ups
  WHERE status = 'pending' AND due_at < :due_before
UNION SELECT client_id, '{RECENT_ALERT}' FROM alerts
  WHERE client_id IS NOT NULL AND received_at >= :alerts_since
"""


def pack_client_reasons(
    conn: sqlite3.Connection, staff_id: int, *, due_before: str, alerts_since: str
) -> dict[int, set[str]]:
    """Each client a pack for `staff_id` names, with why: their caseload, or program-wide
    an open episode, a pending follow-up due before `due_before` (overdue ones too) or an
    alert received since `alerts_since`."""
    found: dict[int, set[str]] = {}
    params = {"staff": staff_id, "due_before": due_before, "alerts_since": alerts_since}
    for client_id, reason in conn.execute(_REASONS, params):
        found.setdefault(int(client_id), set()).add(str(reason))
    return found


def pending_follow_ups_for_client(conn: sqlite3.Connection, client_id: int) -> list[FollowUp]:
    """A client's pending follow-ups by due time."""
    rows = conn.execute(
        "SELECT * FROM follow_ups WHERE client_id = ? AND status = 'pending' ORDER BY due_at, id",
        (client_id,),
    ).fetchall()
    return [follow_up_from_row(r) for r in rows]


def filed_entry_ids(conn: sqlite3.Connection, episode_ids: set[int]) -> set[str]:
    """The downtime journal entry ids already on these episodes' timelines."""
    found: set[str] = set()
    ids = sorted(episode_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            "SELECT json_extract(body, '$.downtime_id') FROM timeline_events"
            f" WHERE episode_id IN ({','.join('?' for _ in chunk)})"
            " AND json_extract(body, '$.downtime_id') IS NOT NULL",
            chunk,
        )
        found.update(str(row[0]) for row in rows)
    return found


def latest_packs(conn: sqlite3.Connection, since: str) -> list[sqlite3.Row]:
    """Each staff login's newest downtime pack made since `since`: actor, at, detail."""
    return conn.execute(
        "SELECT actor, at, detail FROM audit_log WHERE id IN ("
        " SELECT MAX(id) FROM audit_log WHERE at >= ? AND action = 'downtime.packed'"
        " GROUP BY actor) ORDER BY actor",
        (since,),
    ).fetchall()


def was_packed_for(conn: sqlite3.Connection, login: str, client_id: int, since: str) -> bool:
    """Whether a downtime pack made for `login` since `since` held the client's record."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE client_id = ? AND at >= ?"
        " AND action = 'downtime.client_packed' AND actor = ?)",
        (client_id, since, login),
    ).fetchone()
    return bool(row[0])


def recently_packed(conn: sqlite3.Connection, login: str, since: str) -> set[int]:
    """The clients whose record a pack for `login` held since `since` (their audit rows)."""
    rows = conn.execute(
        "SELECT DISTINCT client_id FROM audit_log WHERE at >= ?"
        " AND action = 'downtime.client_packed' AND actor = ? AND client_id IS NOT NULL",
        (since, login),
    )
    return {int(row[0]) for row in rows}
