"""Each resource's weekly opening hours as minute-of-week intervals, so "open now" is SQL.

The schedule itself stays in `resources.schedule` (JSON); this table is derived from
it on every upsert so the directory can filter and page "open now" in the query
instead of parsing 50,000 schedules in Python.
"""

from __future__ import annotations

import json
import sqlite3

from oncall.domain.opening_hours import OpeningHours, week_intervals

MIGRATION_SQL = """
CREATE TABLE resource_open_hours (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    opens INTEGER NOT NULL,
    closes INTEGER NOT NULL,
    CHECK (0 <= opens AND opens < closes AND closes <= 10080)
);
CREATE INDEX resource_open_hours_resource ON resource_open_hours(resource_id, opens, closes);
"""
"""Minutes of the week, Monday 00:00 = 0; `closes` is exclusive (the domain's intervals)."""

OPEN_AT_CLAUSE = (
    "(r.always_open = 1 OR EXISTS (SELECT 1 FROM resource_open_hours h"
    " WHERE h.resource_id = r.id AND h.opens <= ? AND h.closes > ?))"
)
"""A WHERE clause on `resources r`: open at the minute of the week given twice."""


def replace_hours(
    conn: sqlite3.Connection, resource_id: str, hours: tuple[OpeningHours, ...]
) -> None:
    """Store a resource's opening intervals in place of what was there."""
    conn.execute("DELETE FROM resource_open_hours WHERE resource_id = ?", (resource_id,))
    conn.executemany(
        "INSERT INTO resource_open_hours (resource_id, opens, closes) VALUES (?,?,?)",
        [(resource_id, start, end) for start, end in week_intervals(hours)],
    )


def backfill_hours(conn: sqlite3.Connection) -> None:
    """Derive the intervals of every resource already stored (run by the migration)."""
    rows = conn.execute("SELECT id, schedule FROM resources").fetchall()
    for resource_id, schedule_json in rows:
        try:
            schedule = json.loads(schedule_json)
            raw = schedule.get("hours", []) if isinstance(schedule, dict) else []
            hours = tuple(OpeningHours(int(h[0]), str(h[1]), str(h[2])) for h in raw)
        except (ValueError, TypeError, IndexError):
            hours = ()  # an unreadable schedule is "not known to be open", never an error
        replace_hours(conn, resource_id, hours)


def minute_of_week(weekday: int, hour: int, minute: int) -> int:
    """The minute of the week of a wall-clock time, Monday 00:00 = 0."""
    return weekday * 24 * 60 + hour * 60 + minute
