"""The live queue as the console reads it: keyset pages, one row per client, and new arrivals.

The queue table holds only the Store: each page is one keyset query (and one for the names
on it), never the whole table. Nothing here is audited: a row shows a name and an alert,
and opening the client or the episode is the audited view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Alert
from oncall.domain.timefmt import to_iso
from oncall.services.context import ServiceContext
from oncall.store import console_reads
from oncall.store.alerts import QueueCursor
from oncall.store.db import Store
from oncall.store.queue_groups import GroupCounts, QueueTallies

__all__ = [
    "GroupCounts",
    "ImminentArrivals",
    "QueueCursor",
    "QueueRow",
    "QueueSource",
    "QueueTallies",
    "imminent_since",
    "latest_alert_id",
]


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


@dataclass(frozen=True)
class ImminentArrivals:
    """Waiting IMMINENT alerts that arrived since a console last looked."""

    latest_id: int
    """The newest alert's id now: the next look starts after it."""
    alerts: list[Alert]
    """The waiting IMMINENT alerts among the arrivals (at most the limit asked for)."""
    client_names: dict[int, str]
    """Their clients' full names by id."""


def latest_alert_id(ctx: ServiceContext) -> int:
    """The newest alert's id (0 when there is none): only later ones can be news."""
    with ctx.store.read() as conn:
        return console_reads.latest_alert_id(conn)


def imminent_since(ctx: ServiceContext, seen_id: int, *, limit: int) -> ImminentArrivals | None:
    """What arrived after alert `seen_id`; None when nothing did (a primary-key range)."""
    with ctx.store.read() as conn:
        latest = console_reads.latest_alert_id(conn)
        if latest <= seen_id:
            return None
        alerts = console_reads.imminent_since(conn, seen_id, limit=limit)
        names = console_reads.client_names(
            conn, {a.client_id for a in alerts if a.client_id is not None}
        )
    return ImminentArrivals(latest, alerts, names)
