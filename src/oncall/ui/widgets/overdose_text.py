"""Overdose-in-progress steps in a clinician's words (timeline lines and the protocol screen)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oncall.domain.overdose_response import OverdoseStep
from oncall.domain.timefmt import from_iso

STEP_LABELS: dict[OverdoseStep, str] = {
    OverdoseStep.BREATHING: "Breathing",
    OverdoseStep.RESPONSIVE: "Responsive",
    OverdoseStep.CALLED_911: "911 called",
    OverdoseStep.NALOXONE: "Naloxone given",
    OverdoseStep.RESCUE_BREATHING: "Rescue breathing",
    OverdoseStep.RECOVERY_POSITION: "Recovery position",
    OverdoseStep.STAYING_WITH: "Staying with the person",
    OverdoseStep.EMS_ARRIVED: "EMS arrived",
}
"""Each step as the protocol screen and the timeline name it."""


def _clock(raw: object, zone: ZoneInfo) -> str:
    try:
        return f"{from_iso(str(raw)).astimezone(zone):%H:%M}"
    except (TypeError, ValueError):
        return str(raw or "")


def step_words(body: Mapping[str, Any], zone: ZoneInfo) -> str:
    """One recorded step ("Naloxone given: dose 2"), without the time it was recorded."""
    try:
        step = OverdoseStep(str(body.get("step")))
    except ValueError:
        return f"Overdose step {body.get('step')!s}"
    label = STEP_LABELS[step]
    if step in (OverdoseStep.BREATHING, OverdoseStep.RESPONSIVE):
        said = "yes" if body.get("value") is True else "NO"
        return f"{label}: {said}"
    if step is OverdoseStep.CALLED_911:
        who = body.get("called_by") or "someone"
        words = f"{label} by {who} at {_clock(body.get('called_at'), zone)}"
        if body.get("emergency_event_id") is not None:
            words += " (disclosure recorded: see the emergency-services entry)"
        return words
    if step is OverdoseStep.NALOXONE:
        return f"{label}: dose {body.get('dose') or '?'}"
    return label


def describe_step(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    """A timeline line for one overdose-in-progress step."""
    note = str(body.get("note") or "").strip()
    return f"Overdose in progress — {step_words(body, zone)}." + (f" {note}" if note else "")
