"""What a downtime pack holds: one staff member's clients, the rota and crisis resources.

Plain data only (the console's own records where they fit), so `oncall downtime open`
can show it on a machine with no database and no connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oncall.domain.models import (
    Client,
    EmergencyContact,
    Episode,
    FollowUp,
    SafetyPlan,
    TimelineEvent,
)
from oncall.domain.types import ShiftRole

PACK_VERSION = 1
"""The layout of the decrypted document; a pack of another version is refused by name."""

CASELOAD = "caseload"
OPEN_EPISODE = "open episode"
FOLLOW_UP_DUE = "follow-up due"
RECENT_ALERT = "alert in the last 24 h"
REASONS = (CASELOAD, OPEN_EPISODE, FOLLOW_UP_DUE, RECENT_ALERT)
"""Why a client is in the pack, in the order they are shown."""

FOLLOW_UP_HORIZON = timedelta(hours=72)
ALERT_LOOKBACK = timedelta(hours=24)
ROTA_DAYS = 7


@dataclass(frozen=True)
class PackRisk:
    """The client's latest risk level, where it came from and when."""

    level: str
    source: str
    """The assessment it comes from ("C-SSRS", "overdose-risk checklist")."""
    finding: str
    at: datetime
    episode_id: int
    assessed_by: str


@dataclass(frozen=True)
class PackEpisode:
    """An open episode with its whole timeline."""

    episode: Episode
    timeline: list[TimelineEvent]


@dataclass(frozen=True)
class PackClient:
    """One client as the pack holds them."""

    client: Client
    reasons: list[str]
    contacts: list[EmergencyContact]
    plan: SafetyPlan | None
    plan_saved_by: str
    risk: PackRisk | None
    episodes: list[PackEpisode]
    follow_ups: list[FollowUp]
    primary_clinician: str = ""


@dataclass(frozen=True)
class PackShift:
    """One shift of the rota with the phone to reach whoever works it."""

    role: ShiftRole
    name: str
    phone: str | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PackResource:
    """A crisis entry of the directory (or a national line)."""

    id: str
    name: str
    organization: str
    phones: list[tuple[str, str]]
    categories: list[str]
    county: str | None
    address: str | None
    always_open: bool
    schedule: list[str]
    languages: list[str]
    national: bool


@dataclass(frozen=True)
class DowntimePack:
    """Everything `downtime open` shows, and who it was made for, when."""

    version: int
    made_at: datetime
    made_for: str
    """The staff login the pack was made for."""
    made_for_name: str
    timezone: str
    clients: list[PackClient]
    rota: list[PackShift]
    resources: list[PackResource]
    national_lines: list[PackResource]
    staff_names: dict[int, str] = field(default_factory=dict)
    """Display names by staff id, for the timeline's actors and follow-up assignees."""
    counties: list[str] = field(default_factory=list)

    def age(self, now: datetime) -> timedelta:
        """How long ago the pack was made (never negative)."""
        return max(now - self.made_at, timedelta(0))


def pack_summary(pack: DowntimePack) -> dict[str, Any]:
    """Counts for the command's summary line and the audit row."""
    return {
        "clients": len(pack.clients),
        "shifts": len(pack.rota),
        "resources": len(pack.resources) + len(pack.national_lines),
        "counties": list(pack.counties),
    }
