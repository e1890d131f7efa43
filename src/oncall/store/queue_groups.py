"""The live queue one client to a row: a table of client groups kept as alerts change.

Each client with open alerts (new or acknowledged) has one row in `queue_groups`: how many
open alerts they have, how many of those wait for a claim, and which alert the queue shows
for them (their most urgent waiting alert, else their most urgent acknowledged one). An
unknown client reference is a group of its own until the alert is linked to a client.

Grouping 200,000 waiting alerts with GROUP BY on every page and every second's count
would read them all each time (190 ms, benchmarks/bench_queue.py); here the groups are
kept as alerts change and the queue pages through `queue_groups` by keyset. Arrivals are
merged once per insert statement by `add_arrivals` (a trigger per row halved the ingest
rate: SQLite spends about 11 µs entering any trigger); claims, closes and links, one
alert at a time, are followed by triggers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# The group an alert belongs to: its client, or its reference while the client is unknown.
# Virtual: computed when read, stored nowhere. It is not indexed: an index on it cost each
# arriving alert a fifth of the ingest's time. A known client's alerts are found through
# alerts_client; an unknown reference's through the small index below.
_GROUP_COLUMN = """
ALTER TABLE alerts ADD COLUMN queue_group TEXT
    GENERATED ALWAYS AS (COALESCE('c' || client_id, 'r' || client_ref)) VIRTUAL;
CREATE INDEX alerts_unknown_ref ON alerts(client_ref) WHERE client_id IS NULL;
-- Counting alerts past their deadline every second reads this range, not every waiting row.
CREATE INDEX alerts_waiting_deadline ON alerts(ack_deadline_at) WHERE status = 'new';
"""

_TABLE = """
CREATE TABLE queue_groups (
    group_key TEXT PRIMARY KEY,
    client_id INTEGER,
    client_ref TEXT,
    alert_id INTEGER NOT NULL,
    alert_waiting INTEGER NOT NULL,
    severity_rank INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    open_alerts INTEGER NOT NULL,
    waiting INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX queue_groups_order ON queue_groups(severity_rank, received_at, alert_id);
"""


def best_of_group(group: str, status: str, column: str = "id") -> str:
    """SQL for `column` of the most urgent alert in `status` of the group row `group`.

    Two subqueries, one of which finds nothing at once: the client's alerts (alerts_client),
    or, for an unknown reference, the reference's (alerts_unknown_ref).
    """
    # INDEXED BY: with no statistics the planner would walk alerts_queue, every waiting
    # alert in queue order, looking for this client's.
    order = f"AND status = '{status}' ORDER BY severity_rank, received_at, id LIMIT 1"
    return (
        f"COALESCE((SELECT {column} FROM alerts INDEXED BY alerts_client"
        f" WHERE client_id = {group}.client_id {order}),"
        f" (SELECT {column} FROM alerts INDEXED BY alerts_unknown_ref"
        f" WHERE {group}.client_id IS NULL AND client_id IS NULL"
        f" AND client_ref = {group}.client_ref {order}))"
    )


def _pick_row(where: str) -> str:
    """SQL that drops emptied groups and re-chooses the alert shown by the groups `where` picks:
    the most urgent waiting alert, else the most urgent acknowledged one."""
    waiting, claimed = (best_of_group("queue_groups", s) for s in ("new", "acknowledged"))
    return f"""
    DELETE FROM queue_groups WHERE ({where}) AND open_alerts <= 0;
    UPDATE queue_groups SET alert_id = COALESCE({waiting}, {claimed}, alert_id) WHERE {where};
    UPDATE queue_groups SET (alert_waiting, severity_rank, received_at) = (
        SELECT status = 'new', severity_rank, received_at FROM alerts
        WHERE id = queue_groups.alert_id) WHERE {where};
    """


_OPEN = "('new', 'acknowledged')"
_TRIGGERS = f"""
-- A claim, a close or a newly linked client: take the alert out of its old group, put it
-- in its new one, and choose again what each shows.
CREATE TRIGGER queue_groups_update AFTER UPDATE OF status, client_id, client_ref ON alerts
WHEN (old.status IS NOT new.status OR old.queue_group IS NOT new.queue_group)
 AND (old.status IN {_OPEN} OR new.status IN {_OPEN}) BEGIN
    UPDATE queue_groups SET open_alerts = open_alerts - 1, waiting = waiting - (old.status = 'new')
    WHERE group_key = old.queue_group AND old.status IN {_OPEN};
    INSERT INTO queue_groups (group_key, client_id, client_ref, alert_id, alert_waiting,
                              severity_rank, received_at, open_alerts, waiting)
    SELECT new.queue_group, new.client_id, iif(new.client_id IS NULL, new.client_ref, NULL),
           new.id, new.status = 'new', new.severity_rank, new.received_at, 1, new.status = 'new'
    WHERE new.status IN {_OPEN}
    ON CONFLICT (group_key) DO UPDATE SET
        open_alerts = open_alerts + 1, waiting = waiting + excluded.waiting;
    {_pick_row("group_key IN (old.queue_group, new.queue_group)")}
END;
CREATE TRIGGER queue_groups_delete AFTER DELETE ON alerts WHEN old.status IN {_OPEN} BEGIN
    UPDATE queue_groups SET open_alerts = open_alerts - 1, waiting = waiting - (old.status = 'new')
    WHERE group_key = old.queue_group;
    {_pick_row("group_key = old.queue_group")}
END;
"""

_BETTER = (
    "(1 - excluded.alert_waiting, excluded.severity_rank, excluded.received_at,"
    " excluded.alert_id) < (1 - alert_waiting, severity_rank, received_at, alert_id)"
)
_ARRIVALS = f"""
INSERT INTO queue_groups (group_key, client_id, client_ref, alert_id, alert_waiting,
                          severity_rank, received_at, open_alerts, waiting)
SELECT queue_group, client_id, iif(client_id IS NULL, client_ref, NULL), id, status = 'new',
       severity_rank, received_at, arrived, arrived_waiting
FROM (
    SELECT queue_group, client_id, client_ref, id, status, severity_rank, received_at,
           COUNT(*) OVER client AS arrived, SUM(status = 'new') OVER client AS arrived_waiting,
           ROW_NUMBER() OVER (PARTITION BY queue_group
                              ORDER BY status <> 'new', severity_rank, received_at, id) AS place
    FROM alerts WHERE id > ? AND +status IN {_OPEN}  -- "+": the id range, not the status index
    WINDOW client AS (PARTITION BY queue_group)
) WHERE place = 1
ON CONFLICT (group_key) DO UPDATE SET
    open_alerts = open_alerts + excluded.open_alerts,
    waiting = waiting + excluded.waiting,
    alert_id = CASE WHEN {_BETTER} THEN excluded.alert_id ELSE alert_id END,
    alert_waiting = CASE WHEN {_BETTER} THEN excluded.alert_waiting ELSE alert_waiting END,
    severity_rank = CASE WHEN {_BETTER} THEN excluded.severity_rank ELSE severity_rank END,
    received_at = CASE WHEN {_BETTER} THEN excluded.received_at ELSE received_at END
"""

_REBUILD = f"""
DELETE FROM queue_groups;
INSERT INTO queue_groups (group_key, client_id, client_ref, alert_id, alert_waiting,
                          severity_rank, received_at, open_alerts, waiting)
SELECT queue_group, client_id, iif(client_id IS NULL, client_ref, NULL), 0, 0, 0, '',
       COUNT(*), SUM(status = 'new')
FROM alerts WHERE status IN {_OPEN} GROUP BY queue_group;
{_pick_row("1")}
"""

MIGRATION_SQL = _GROUP_COLUMN + _TABLE + _TRIGGERS + _REBUILD
"""The generated group column, its indexes, the groups table, its triggers, and a backfill."""


def add_arrivals(conn: sqlite3.Connection, after_id: int) -> None:
    """Count the alerts inserted above id `after_id` into their clients' rows.

    Call in the transaction that inserted them, right after (store/alerts.py does): the
    new rows are the ones above the largest id before the insert.
    """
    conn.execute(_ARRIVALS, (after_id,))


def rebuild(conn: sqlite3.Connection) -> None:
    """Make every row again from the alerts (for rows written without `add_arrivals`)."""
    from oncall.store.schema import run_script

    run_script(conn, _REBUILD)


@dataclass(frozen=True)
class GroupCounts:
    """How many alerts a queue row stands for."""

    open_alerts: int
    """The client's alerts in the queue (new or acknowledged)."""
    waiting: int
    """Of them, not yet acknowledged."""
    holder_id: int | None = None
    """Who acknowledged the client's most urgent claimed alert (staff id), if any did."""


@dataclass(frozen=True)
class QueueTallies:
    """Counts shown above the queue."""

    clients: int
    """Rows in the queue: clients (or unknown references) with open alerts."""
    total: int
    """Alerts in the queue (new or acknowledged)."""
    unacknowledged: int
    """Of them, waiting for someone to claim them."""
    breached: int
    """Of those, past their acknowledgement deadline."""
    latest_alert_id: int
    """The newest alert's id (0 when there is none): what arrived later has a larger one."""
    breached_more: bool = False
    """More alerts are past their deadline than `breached` says (it was counted to a limit)."""
