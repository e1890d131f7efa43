"""An episode's risk as its timeline says now, and the stored copy kept equal to it.

Every place that shows a risk level (lists, the board, the handoff, reports, the
follow-up workspace) reads `current_risks`: derived from the timeline when read, it
cannot go stale. The stored copy (`episodes.risk_level`) was written by whichever
form saved last until the derivation rule changed, and an episode stored before
that keeps the old value until its next assessment; a backfill would go stale again
with the next change of rule, so no reader relies on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace

from oncall.domain.models import Episode
from oncall.domain.risk import EpisodeRisk, episode_risk
from oncall.domain.timefmt import to_iso
from oncall.domain.types import RiskLevel
from oncall.store import episodes as episode_rows
from oncall.store.risk_events import assessing_events


def refresh_risk(conn: sqlite3.Connection, episode_id: int) -> EpisodeRisk:
    """Derive the risk from the timeline and store it on the episode (same transaction).

    The stored level is a copy for lists, reports and the shift handoff; the
    timeline stays the source, so entry order and amendments cannot make it wrong.
    """
    risk = episode_risk(episode_rows.timeline(conn, episode_id, limit=100_000))
    deciding = risk.deciding
    episode_rows.update_episode(
        conn,
        episode_id,
        risk_level=risk.level.value if risk.level else None,
        risk_set_at=to_iso(deciding.at) if deciding else None,
    )
    return risk


def current_risks(conn: sqlite3.Connection, episode_ids: Iterable[int]) -> dict[int, EpisodeRisk]:
    """Each episode's risk derived from its timeline now (one read for all of them)."""
    return {
        episode_id: episode_risk(events)
        for episode_id, events in assessing_events(conn, episode_ids).items()
    }


def current_levels(
    conn: sqlite3.Connection, episode_ids: Iterable[int]
) -> dict[int, RiskLevel | None]:
    """Each episode's risk level now (None: not screened)."""
    return {episode_id: risk.level for episode_id, risk in current_risks(conn, episode_ids).items()}


def with_current_risk(conn: sqlite3.Connection, episodes: list[Episode]) -> list[Episode]:
    """The episodes with their risk level and its time as derived now, not as stored."""
    risks = current_risks(conn, (episode.id for episode in episodes))
    return [_rated(episode, risks[episode.id]) for episode in episodes]


def _rated(episode: Episode, risk: EpisodeRisk) -> Episode:
    deciding = risk.deciding
    return replace(episode, risk_level=risk.level, risk_set_at=deciding.at if deciding else None)
