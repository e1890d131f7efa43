"""The client screen's paged episode history and its cheap "did anything change?" check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Client, EmergencyContact, Episode
from oncall.domain.timefmt import to_iso
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.services.risk import with_current_risk
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import safety as safety_rows

HISTORY_PAGE = 20


@dataclass(frozen=True)
class EpisodePage:
    """One page of a client's episodes, newest first."""

    episodes: list[Episode]
    has_more: bool
    """True when older episodes follow this page."""


def client_episodes_page(
    ctx: ServiceContext,
    client_id: int,
    *,
    before: Episode | None = None,
    limit: int = HISTORY_PAGE,
) -> EpisodePage:
    """The client's episodes older than `before` (None: the newest), `limit` at a time.

    Not audited on its own: it pages through a record `view_client` already audited.
    """
    key = (to_iso(before.opened_at), before.id) if before is not None else None
    with ctx.store.read() as conn:
        require_client_access(ctx, conn, client_id)
        rows = episode_rows.episodes_for_client(conn, client_id, limit=limit + 1, before=key)
        rows = with_current_risk(conn, rows)
    return EpisodePage(rows[:limit], len(rows) > limit)


@dataclass(frozen=True)
class ClientRevision:
    """What changes whenever anything the client screen shows changes; compared, not shown."""

    client: Client
    contacts: list[EmergencyContact]
    plan_id: int | None
    last_reviewed_at: datetime | None
    newest_episodes: list[Episode]


def client_revision(ctx: ServiceContext, client_id: int) -> ClientRevision:
    """A cheap, unaudited check of whether a client's record changed since it was viewed.

    The screen compares it before calling `view_client` again, because the audit entry
    a view writes wakes every other console (see `views.episode_revision`).
    """
    with ctx.store.read() as conn:
        client = people.client_by_id(conn, client_id)
        if client is None:
            raise NotFound(f"There is no client {client_id}.")
        require_client_access(ctx, conn, client_id)
        plan = people.latest_safety_plan(conn, client_id)
        return ClientRevision(
            client=client,
            contacts=people.emergency_contacts(conn, client_id),
            plan_id=plan.id if plan else None,
            last_reviewed_at=safety_rows.last_reviewed_at(conn, client_id),
            newest_episodes=episode_rows.episodes_for_client(conn, client_id, limit=HISTORY_PAGE),
        )
