"""The timeline events an episode's risk is derived from, for many episodes in one read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind
from oncall.store.rows import event_from_row

ASSESSING = (
    EventKind.RISK_SCREENING,
    EventKind.OVERDOSE_SCREENING,
    EventKind.OVERDOSE_RESPONSE,
    EventKind.AMENDMENT,
)
"""What domain/risk.py reads: the assessments and the amendments that may correct them."""
CHUNK = 500
"""Episode ids per query (SQLite's default limit on parameters is far above this)."""


def assessing_events(
    conn: sqlite3.Connection, episode_ids: Iterable[int]
) -> dict[int, list[TimelineEvent]]:
    """Per episode, its assessing events in the order they happened (as `timeline` gives)."""
    ids = sorted(set(episode_ids))
    found: dict[int, list[TimelineEvent]] = {episode_id: [] for episode_id in ids}
    kinds = [kind.value for kind in ASSESSING]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = conn.execute(
            "SELECT * FROM timeline_events"
            f" WHERE episode_id IN ({', '.join('?' for _ in chunk)})"
            f" AND kind IN ({', '.join('?' for _ in kinds)})"
            " ORDER BY episode_id, at, id",
            (*chunk, *kinds),
        )
        for row in rows:
            found[int(row["episode_id"])].append(event_from_row(row))
    return found
