"""Mapping database rows to domain objects, and domain values to columns."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from oncall.domain.models import (
    Alert,
    Client,
    EmergencyContact,
    Episode,
    FollowUp,
    Handoff,
    Location,
    SafetyPlan,
    Shift,
    Staff,
    TimelineEvent,
)
from oncall.domain.timefmt import from_iso, maybe_from_iso
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

# Built once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dumps(value: Any) -> str:
    """JSON for a TEXT column (compact, UTF-8 kept)."""
    return _ENCODER.encode(value)


def location_json(location: Location | None) -> str | None:
    """A Location as a JSON column, dropping empty parts."""
    if location is None:
        return None
    # Plain attribute reads: asdict() deep-copies and costs ~25 µs a row on a bulk import.
    parts = {"text": location.text, "zip": location.zip, "lat": location.lat, "lon": location.lon}
    return dumps({k: v for k, v in parts.items() if v is not None})


def handoff_json(handoff: Handoff | None) -> str | None:
    """A Handoff as a JSON column, dropping empty parts."""
    if handoff is None:
        return None
    return dumps({k: v for k, v in asdict(handoff).items() if v is not None})


def _location(text: str | None) -> Location | None:
    if not text:
        return None
    data = json.loads(text)
    return Location(
        text=str(data.get("text", "")),
        zip=data.get("zip"),
        lat=data.get("lat"),
        lon=data.get("lon"),
    )


def _handoff(text: str | None) -> Handoff | None:
    if not text:
        return None
    data = json.loads(text)
    return Handoff(
        org=str(data.get("org", "")),
        counselor=data.get("counselor"),
        reference=data.get("reference"),
        callback=data.get("callback"),
        endpoint=data.get("endpoint"),
    )


def staff_from_row(row: sqlite3.Row) -> Staff:
    """A staff row as Staff."""
    return Staff(
        id=row["id"],
        login=row["login"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        phone=row["phone"],
        active=bool(row["active"]),
    )


def shift_from_row(row: sqlite3.Row) -> Shift:
    """An on_call_shifts row as Shift."""
    return Shift(
        id=row["id"],
        staff_id=row["staff_id"],
        role=ShiftRole(row["role"]),
        starts_at=from_iso(row["starts_at"]),
        ends_at=from_iso(row["ends_at"]),
    )


def client_from_row(row: sqlite3.Row) -> Client:
    """A clients row as Client."""
    return Client(
        id=row["id"],
        external_ref=row["external_ref"],
        name=row["name"],
        preferred_name=row["preferred_name"],
        pronouns=row["pronouns"],
        date_of_birth=row["date_of_birth"],
        phone=row["phone"],
        address=row["address"],
        county=row["county"],
        zip=row["zip"],
        lat=row["lat"],
        lon=row["lon"],
        program=row["program"],
        primary_clinician_id=row["primary_clinician_id"],
        consent_emergency_contact=bool(row["consent_emergency_contact"]),
        consent_hotline_report=bool(row["consent_hotline_report"]),
        consent_date=row["consent_date"],
        consent_emergency_contact_until=_optional(row, "consent_emergency_contact_until"),
        consent_hotline_report_until=_optional(row, "consent_hotline_report_until"),
    )


def contact_from_row(row: sqlite3.Row) -> EmergencyContact:
    """An emergency_contacts row as EmergencyContact."""
    return EmergencyContact(
        id=row["id"],
        client_id=row["client_id"],
        name=row["name"],
        relation=row["relation"],
        phone=row["phone"],
        consent_to_contact=bool(row["consent_to_contact"]),
        consent_until=_optional(row, "consent_until"),
    )


def _optional(row: sqlite3.Row, column: str) -> str | None:
    """A column a query may not have selected (consent end dates, migration 22)."""
    try:
        value = row[column]
    except IndexError:
        return None
    return str(value) if value is not None else None


def alert_from_row(row: sqlite3.Row) -> Alert:
    """An alerts row as Alert."""
    return Alert(
        id=row["id"],
        source=row["source"],
        external_id=row["external_id"],
        client_ref=row["client_ref"],
        client_id=row["client_id"],
        kind=AlertKind(row["kind"]),
        severity=Severity(row["severity"]),
        summary=row["summary"],
        occurred_at=from_iso(row["occurred_at"]),
        received_at=from_iso(row["received_at"]),
        ack_deadline_at=from_iso(row["ack_deadline_at"]),
        status=AlertStatus(row["status"]),
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=maybe_from_iso(row["acknowledged_at"]),
        episode_id=row["episode_id"],
        location=_location(row["location"]),
        handoff=_handoff(row["handoff"]),
        escalation_level=row["escalation_level"],
        unknown_client=bool(row["unknown_client"]),
    )


def episode_from_row(row: sqlite3.Row) -> Episode:
    """An episodes row as Episode."""
    return Episode(
        id=row["id"],
        client_id=row["client_id"],
        opened_at=from_iso(row["opened_at"]),
        opened_by=row["opened_by"],
        status=EpisodeStatus(row["status"]),
        risk_level=RiskLevel(row["risk_level"]) if row["risk_level"] else None,
        risk_set_at=maybe_from_iso(row["risk_set_at"]),
        location=_location(row["location"]),
        location_confirmed_at=maybe_from_iso(row["location_confirmed_at"]),
        handoff=_handoff(row["handoff"]),
        handoff_deadline_at=maybe_from_iso(row["handoff_deadline_at"]),
        handoff_confirmed_at=maybe_from_iso(row["handoff_confirmed_at"]),
        disposition=Disposition(row["disposition"]) if row["disposition"] else None,
        summary=row["summary"],
        no_follow_up_reason=row["no_follow_up_reason"],
        closed_at=maybe_from_iso(row["closed_at"]),
        closed_by=row["closed_by"],
    )


def event_from_row(row: sqlite3.Row) -> TimelineEvent:
    """A timeline_events row as TimelineEvent."""
    return TimelineEvent(
        id=row["id"],
        episode_id=row["episode_id"],
        at=from_iso(row["at"]),
        actor_id=row["actor_id"],
        kind=EventKind(row["kind"]),
        body=json.loads(row["body"]),
        amends=row["amends"],
    )


def follow_up_from_row(row: sqlite3.Row) -> FollowUp:
    """A follow_ups row as FollowUp."""
    return FollowUp(
        id=row["id"],
        episode_id=row["episode_id"],
        client_id=row["client_id"],
        kind=FollowUpKind(row["kind"]),
        due_at=from_iso(row["due_at"]),
        assignee_id=row["assignee_id"],
        status=FollowUpStatus(row["status"]),
        attempts=row["attempts"],
        result=row["result"],
        completed_at=maybe_from_iso(row["completed_at"]),
    )


def plan_from_row(row: sqlite3.Row) -> SafetyPlan:
    """A safety_plans row as SafetyPlan."""
    return SafetyPlan(
        id=row["id"],
        client_id=row["client_id"],
        version=row["version"],
        sections=json.loads(row["sections"]),
        reasons_for_living=row["reasons_for_living"],
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
    )
