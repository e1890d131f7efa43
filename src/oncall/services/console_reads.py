"""Reads the console shell makes beside the queue: my open episodes, names, pickers, lookups.

None of these is audited: each shows a name, a status or a reference, as the queue does,
and the audited view is the record or the episode opened from it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from oncall.domain.models import Episode, Staff
from oncall.domain.resource_record import ResourceRecord
from oncall.services.context import ServiceContext
from oncall.store import console_reads, people
from oncall.store.episodes import open_episode_for_client

__all__ = [
    "Lookup",
    "MyEpisodes",
    "active_staff",
    "find_records",
    "my_open_episodes",
    "open_episode_id",
    "staff_names",
]


@dataclass(frozen=True)
class MyEpisodes:
    """The acting user's open episodes, most recent first, with their clients' names."""

    episodes: list[Episode]
    client_names: dict[int, str]


def my_open_episodes(ctx: ServiceContext, *, limit: int) -> MyEpisodes:
    """Episodes the acting user opened that are not closed (at most `limit`)."""
    with ctx.store.read() as conn:
        episodes = console_reads.open_episodes(conn, opened_by=ctx.actor.id, limit=limit)
        names = console_reads.client_names(conn, {e.client_id for e in episodes})
    return MyEpisodes(episodes, names)


def open_episode_id(ctx: ServiceContext, client_id: int) -> int | None:
    """The client's open episode, if one is open."""
    with ctx.store.read() as conn:
        episode = open_episode_for_client(conn, client_id)
    return episode.id if episode is not None else None


def staff_names(ctx: ServiceContext) -> dict[int, str]:
    """Every staff member's display name by id, former staff too (they wrote the history)."""
    with ctx.store.read() as conn:
        return console_reads.staff_names(conn)


def active_staff(ctx: ServiceContext) -> list[Staff]:
    """Staff who may be chosen in a form (active accounts), by display name."""
    with ctx.store.read() as conn:
        return people.list_staff(conn, active_only=True)


@dataclass(frozen=True)
class Lookup:
    """What the command palette found by name, each kind LIMIT-ed."""

    clients: list[sqlite3.Row]
    """id, name, preferred_name, external_ref."""
    episodes: list[sqlite3.Row]
    """id, status, opened_at, name, external_ref: newest first."""
    resources: list[ResourceRecord]


def find_records(ctx: ServiceContext, text: str, *, limit: int) -> Lookup:
    """Clients, episodes and resources whose name (or reference, or #id) matches `text`."""
    # Imported here: the directory's modules are not needed to start the console.
    from oncall.store.resources import ResourceFilter, search_resources

    with ctx.store.read() as conn:
        return Lookup(
            console_reads.find_clients(conn, text, limit=limit),
            console_reads.find_episodes(conn, text, limit=limit),
            search_resources(conn, ResourceFilter(text=text), limit=limit),
        )
