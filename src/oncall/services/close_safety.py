"""The safety requirements of closing (issue 14), read in the closing transaction."""

from __future__ import annotations

import sqlite3

from oncall.domain.close_safety import SafetyGap, safety_gaps
from oncall.domain.models import Episode
from oncall.domain.risk import episode_risk
from oncall.domain.types import EventKind, Role
from oncall.services.context import ServiceContext
from oncall.services.errors import Refused
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows

SUPERVISOR_OVERRIDE = (
    "A supervisor may close it anyway with a stated reason (a supervisor override, audited)."
)
"""Said after the safety requirements a close does not meet."""


def episode_safety_gaps(
    conn: sqlite3.Connection, episode: Episode, no_location_reason: str | None
) -> list[SafetyGap]:
    """The safety requirements the episode does not meet, read in the closing transaction."""
    return safety_gaps(
        [alert.kind for alert in alert_rows.alerts_for_episode(conn, episode.id)],
        episode_risk(episode_rows.timeline(conn, episode.id, limit=100_000)),
        location_confirmed=episode.location_confirmed_at is not None,
        no_location_reason=no_location_reason,
        # A review corrected by an amendment was withdrawn: it no longer counts.
        plan_reviewed=episode_rows.has_standing_event(
            conn, episode.id, EventKind.SAFETY_PLAN_REVIEW
        ),
    )


def supervisor_override(
    ctx: ServiceContext, gaps: list[SafetyGap], reason: str | None
) -> dict[str, object] | None:
    """The supervisor override to record, None when none is needed or none was given."""
    if not gaps or reason is None:
        return None
    if ctx.actor.role not in OVERRIDERS:
        raise Refused(
            "Only a supervisor can override what closing requires: "
            + " ".join(gap.message for gap in gaps)
        )
    return {
        "by": ctx.actor.id,
        "by_name": ctx.actor.display_name,
        "reason": reason,
        "missing": [gap.check.value for gap in gaps],
    }


OVERRIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
"""Who may override the safety requirements of closing."""
