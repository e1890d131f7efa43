"""Where the queue table reads its rows: keyset pages of the live queue, with names attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Alert
from oncall.domain.timefmt import to_iso
from oncall.store import console_reads
from oncall.store.alerts import QueueCursor, queue_page
from oncall.store.db import Store


@dataclass(frozen=True)
class QueueRow:
    """One alert as the queue shows it."""

    alert: Alert
    """The alert."""
    client_name: str | None
    """The client's display name; None when the alert's client reference is unknown."""
    acknowledged_by: str | None
    """Who acknowledged it (display name), if anyone."""

    @property
    def cursor(self) -> QueueCursor:
        """This row's place in queue order."""
        return QueueCursor.after(self.alert)


@dataclass(frozen=True)
class QueueTallies:
    """Counts shown above the queue."""

    total: int
    """Alerts in the queue (new or acknowledged)."""
    unacknowledged: int
    """Of them, waiting for someone to claim them."""
    breached: int
    """Of those, past their acknowledgement deadline."""


class QueueSource:
    """Reads windows of the queue from the store; never the whole table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _named(self, alerts: list[Alert]) -> list[QueueRow]:
        with self.store.read() as conn:
            clients = console_reads.client_names(
                conn, {a.client_id for a in alerts if a.client_id is not None}
            )
            staff = console_reads.staff_names(conn) if alerts else {}
        return [
            QueueRow(
                alert,
                clients.get(alert.client_id) if alert.client_id is not None else None,
                staff.get(alert.acknowledged_by) if alert.acknowledged_by is not None else None,
            )
            for alert in alerts
        ]

    def after(self, cursor: QueueCursor | None, limit: int) -> list[QueueRow]:
        """Up to `limit` rows after `cursor` (None: from the top), in queue order."""
        with self.store.read() as conn:
            alerts = queue_page(conn, after=cursor, limit=limit)
        return self._named(alerts)

    def before(self, cursor: QueueCursor | None, limit: int) -> list[QueueRow]:
        """Up to `limit` rows just before `cursor` (None: the end), in queue order."""
        with self.store.read() as conn:
            alerts = console_reads.queue_before(conn, cursor, limit=limit)
        return self._named(alerts)

    def position(self, cursor: QueueCursor) -> int:
        """The 0-based position in the queue of a row at `cursor`."""
        with self.store.read() as conn:
            return console_reads.queue_position(conn, cursor)

    def tallies(self, now: datetime) -> QueueTallies:
        """How many alerts are queued, unacknowledged, and past their deadline."""
        with self.store.read() as conn:
            return QueueTallies(*console_reads.queue_tallies(conn, to_iso(now)))
