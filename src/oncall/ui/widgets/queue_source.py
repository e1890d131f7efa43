"""Where the queue table reads its rows: keyset pages of the live queue, one row per client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Alert
from oncall.domain.timefmt import to_iso
from oncall.store import console_reads
from oncall.store.alerts import QueueCursor
from oncall.store.db import Store
from oncall.store.queue_groups import GroupCounts, QueueTallies

__all__ = ["QueueRow", "QueueSource", "QueueTallies"]


@dataclass(frozen=True)
class QueueRow:
    """One client's open alerts as the queue shows them: the most urgent waiting one first."""

    alert: Alert
    """The alert shown: the client's most urgent waiting alert, else most urgent acknowledged."""
    counts: GroupCounts
    """How many open alerts the client has, and how many of them wait."""
    client_name: str | None
    """The client's full name; None when the alert's client reference is unknown."""
    acknowledged_by: str | None
    """Who acknowledged the alert shown, or, while it waits, an earlier one of the client's."""

    @property
    def cursor(self) -> QueueCursor:
        """This row's place in queue order."""
        return QueueCursor.after(self.alert)

    @property
    def client_key(self) -> tuple[int | None, str]:
        """Whose row this is: the client, or the unknown reference (stays as alerts change)."""
        alert = self.alert
        return (alert.client_id, "" if alert.client_id is not None else alert.client_ref)


class QueueSource:
    """Reads windows of the queue from the store; never the whole table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _named(self, grouped: list[tuple[Alert, GroupCounts]]) -> list[QueueRow]:
        with self.store.read() as conn:
            clients = console_reads.client_names(
                conn, {a.client_id for a, _ in grouped if a.client_id is not None}
            )
            staff = console_reads.staff_names(conn) if grouped else {}
        rows = []
        for alert, counts in grouped:
            holder = alert.acknowledged_by or counts.holder_id
            name = clients.get(alert.client_id) if alert.client_id is not None else None
            rows.append(QueueRow(alert, counts, name, staff.get(holder) if holder else None))
        return rows

    def after(self, cursor: QueueCursor | None, limit: int) -> list[QueueRow]:
        """Up to `limit` rows after `cursor` (None: from the top), in queue order."""
        with self.store.read() as conn:
            grouped = console_reads.queue_after(conn, cursor, limit=limit)
        return self._named(grouped)

    def before(self, cursor: QueueCursor | None, limit: int) -> list[QueueRow]:
        """Up to `limit` rows just before `cursor` (None: the end), in queue order."""
        with self.store.read() as conn:
            grouped = console_reads.queue_before(conn, cursor, limit=limit)
        return self._named(grouped)

    def position(self, cursor: QueueCursor) -> int:
        """The 0-based position in the queue of a row at `cursor`."""
        with self.store.read() as conn:
            return console_reads.queue_position(conn, cursor)

    def tallies(self, now: datetime) -> QueueTallies:
        """Clients and alerts queued, unacknowledged and past their deadline; the newest id."""
        with self.store.read() as conn:
            return console_reads.queue_tallies(conn, to_iso(now))

    def more_urgent_since(self, seen_id: int, cursor: QueueCursor) -> bool:
        """Whether an alert that arrived after `seen_id` waits above the row at `cursor`."""
        with self.store.read() as conn:
            return console_reads.newer_waiting_before(conn, seen_id, cursor)
