"""Keeping an episode's stored risk level equal to the highest of its current assessments."""

from __future__ import annotations

import sqlite3

from oncall.domain.risk import EpisodeRisk, episode_risk
from oncall.domain.timefmt import to_iso
from oncall.store import episodes as episode_rows


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
