"""The history of every episode the acting user may see, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import from_iso, maybe_from_iso, to_iso
from oncall.domain.types import Disposition, EpisodeStatus, RiskLevel
from oncall.services.access import accessible_client_ids
from oncall.services.context import ServiceContext
from oncall.services.risk import current_levels
from oncall.store import history as history_rows


@dataclass(frozen=True)
class HistoryRow:
    """One episode in the history list."""

    episode_id: int
    opened_at: datetime
    client_name: str
    client_ref: str
    status: EpisodeStatus
    risk_level: RiskLevel | None
    disposition: Disposition | None
    closed_at: datetime | None
    opened_by: str

    @property
    def key(self) -> tuple[str, int]:
        """The paging key of this row."""
        return (to_iso(self.opened_at), self.episode_id)


@dataclass(frozen=True)
class HistoryPage:
    """One page of the history and how many episodes there are in all."""

    rows: list[HistoryRow]
    total: int


def read_history_page(
    ctx: ServiceContext,
    *,
    older_than: tuple[str, int] | None = None,
    newer_than: tuple[str, int] | None = None,
    limit: int = 50,
    status: EpisodeStatus | None = None,
    count: bool = True,
) -> HistoryPage:
    """A page of episodes, newest first, limited to the clients the user may open.

    A list of episodes is not a view of anyone's record (opening one is, and is
    audited there), so paging is not audited row by row.
    """
    allowed = accessible_client_ids(ctx)
    with ctx.store.read() as conn:
        raw = history_rows.history_page(
            conn,
            older_than=older_than,
            newer_than=newer_than,
            limit=limit,
            client_ids=allowed,
            status=status.value if status else None,
        )
        total = (
            history_rows.history_count(
                conn, client_ids=allowed, status=status.value if status else None
            )
            if count
            else -1
        )
        risks = current_levels(conn, (r["id"] for r in raw))
    rows = [
        HistoryRow(
            episode_id=r["id"],
            opened_at=from_iso(r["opened_at"]),
            client_name=r["client_name"],
            client_ref=r["external_ref"],
            status=EpisodeStatus(r["status"]),
            risk_level=risks[r["id"]],
            disposition=Disposition(r["disposition"]) if r["disposition"] else None,
            closed_at=maybe_from_iso(r["closed_at"]),
            opened_by=r["opened_by_name"] or "unknown",
        )
        for r in raw
    ]
    return HistoryPage(rows, total)
