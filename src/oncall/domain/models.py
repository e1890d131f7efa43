"""Domain records as frozen dataclasses; the store maps rows to these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oncall.domain.types import (
    AlertKind,
    AlertStatus,
    Disposition,
    EpisodeStatus,
    EventKind,
    FollowUpKind,
    FollowUpStatus,
    RiskLevel,
    Role,
    Severity,
    ShiftRole,
)


@dataclass(frozen=True)
class Staff:
    """A person who works in the console."""

    id: int
    login: str
    display_name: str
    role: Role
    phone: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Shift:
    """One on-call shift on the rota."""

    id: int
    staff_id: int
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime


def consent_in_force(given: bool, until: str | None, today: date) -> bool:
    """A consent given and not past the last day it was given for (42 CFR 2.31(a)(6))."""
    if not given:
        return False
    if until is None:
        return True
    try:
        return today <= date.fromisoformat(until)
    except ValueError:
        return False  # an end date that cannot be read is not taken as consent


@dataclass(frozen=True)
class Client:
    """A client of the program."""

    id: int
    external_ref: str
    name: str
    preferred_name: str | None = None
    pronouns: str | None = None
    date_of_birth: str | None = None
    phone: str | None = None
    address: str | None = None
    county: str | None = None
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None
    program: str | None = None
    primary_clinician_id: int | None = None
    consent_emergency_contact: bool = False
    consent_hotline_report: bool = False
    consent_date: str | None = None
    consent_emergency_contact_until: str | None = None
    """The last day the disclosure consent holds (YYYY-MM-DD); None: until revoked."""
    consent_hotline_report_until: str | None = None
    """The last day the outcome-report consent holds; None: until revoked."""

    def disclosure_consent(self, today: date) -> bool:
        """Consent to disclosure to emergency contacts in force on `today` (clinic date)."""
        return consent_in_force(
            self.consent_emergency_contact, self.consent_emergency_contact_until, today
        )

    def hotline_consent(self, today: date) -> bool:
        """Consent to the outcome report to a referring hotline in force on `today`."""
        return consent_in_force(
            self.consent_hotline_report, self.consent_hotline_report_until, today
        )


@dataclass(frozen=True)
class EmergencyContact:
    """Someone the client named to be contacted in an emergency."""

    id: int
    client_id: int
    name: str
    relation: str | None
    phone: str | None
    consent_to_contact: bool
    consent_until: str | None = None
    """The last day the consent to contact holds (YYYY-MM-DD); None: until revoked."""

    def contact_consent(self, today: date) -> bool:
        """Consent to contact this person in force on `today` (clinic date)."""
        return consent_in_force(self.consent_to_contact, self.consent_until, today)


@dataclass(frozen=True)
class Handoff:
    """A hotline's handoff of a caller to the program (W7)."""

    org: str
    counselor: str | None = None
    reference: str | None = None
    callback: str | None = None
    endpoint: str | None = None


@dataclass(frozen=True)
class Location:
    """Where the client is (free text, optionally a zip or coordinates)."""

    text: str
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Alert:
    """One alert in the queue."""

    id: int
    source: str
    external_id: str
    client_ref: str
    client_id: int | None
    kind: AlertKind
    severity: Severity
    summary: str
    occurred_at: datetime
    received_at: datetime
    ack_deadline_at: datetime
    status: AlertStatus
    acknowledged_by: int | None = None
    acknowledged_at: datetime | None = None
    episode_id: int | None = None
    location: Location | None = None
    handoff: Handoff | None = None
    escalation_level: int = 0
    unknown_client: bool = False


@dataclass(frozen=True)
class Episode:
    """A crisis episode: everything done for one client in one crisis."""

    id: int
    client_id: int
    opened_at: datetime
    opened_by: int
    status: EpisodeStatus
    risk_level: RiskLevel | None = None
    risk_set_at: datetime | None = None
    location: Location | None = None
    location_confirmed_at: datetime | None = None
    handoff: Handoff | None = None
    handoff_deadline_at: datetime | None = None
    handoff_confirmed_at: datetime | None = None
    disposition: Disposition | None = None
    summary: str | None = None
    no_follow_up_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: int | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One append-only entry on an episode's timeline."""

    id: int
    episode_id: int
    at: datetime
    actor_id: int | None
    kind: EventKind
    body: dict[str, Any] = field(default_factory=dict)
    amends: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """A scheduled contact after the acute phase (W4)."""

    id: int
    episode_id: int
    client_id: int
    kind: FollowUpKind
    due_at: datetime
    assignee_id: int
    status: FollowUpStatus
    attempts: int = 0
    result: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class SafetyPlan:
    """One saved version of a client's Stanley-Brown safety plan."""

    id: int
    client_id: int
    version: int
    sections: dict[str, list[str]]
    reasons_for_living: str
    created_by: int | None
    created_at: datetime
