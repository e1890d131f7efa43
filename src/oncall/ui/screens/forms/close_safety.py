"""The close form's safety part: what is missing before save, and the fields that answer it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Label

from oncall.domain.close_safety import SafetyGap, only_a_reason_missing, safety_gaps
from oncall.domain.risk import EpisodeRisk
from oncall.domain.types import AlertKind
from oncall.services.close_safety import SUPERVISOR_OVERRIDE

NOT_SCREENED = EpisodeRisk(None, ())
"""An episode with no assessment."""

_AS_SUPERVISOR = "Or, as supervisor, give the reason to close without them (audited)."


@dataclass(frozen=True)
class SafetyState:
    """What the episode had when the close form opened (the service checks it again)."""

    alert_kinds: tuple[AlertKind, ...] = ()
    risk: EpisodeRisk = NOT_SCREENED
    location_confirmed: bool = True
    plan_reviewed: bool = False
    can_override: bool = False
    """The acting user is a supervisor (or admin)."""

    def gaps(self, no_location_reason: str | None) -> list[SafetyGap]:
        """The safety requirements not met, given the reason typed for no location."""
        return safety_gaps(
            self.alert_kinds,
            self.risk,
            location_confirmed=self.location_confirmed,
            no_location_reason=no_location_reason,
            plan_reviewed=self.plan_reviewed,
        )

    def compose_fields(self) -> ComposeResult:
        """The reason for no location when there is none; the override for a supervisor."""
        if not self.location_confirmed:
            yield Label(
                "Location not confirmed: why it could not be (or confirm it first with l)",
                classes="field-label",
            )
            yield Input(id="no-location-reason")
        if self.can_override and not only_a_reason_missing(self.gaps(None)):
            yield Label(
                "Supervisor override: why close without what is listed below (audited)",
                classes="field-label",
            )
            yield Input(id="override-reason")

    def typed(self, form: Screen[Any]) -> tuple[str | None, str | None]:
        """The reason for no location and the override reason, as typed."""
        return _value(form, "#no-location-reason"), _value(form, "#override-reason")

    def problems(self, form: Screen[Any]) -> list[str]:
        """What is missing for a safe close, then who may close without it."""
        no_location, override = self.typed(form)
        found = self.gaps(no_location)
        if not found or (override and self.can_override):
            return []
        said = [gap.message for gap in found]
        if only_a_reason_missing(found):
            return said
        return [*said, _AS_SUPERVISOR if self.can_override else SUPERVISOR_OVERRIDE]


def _value(form: Screen[Any], selector: str) -> str | None:
    fields = form.query(selector)
    if not fields:
        return None
    field = fields.first()
    assert isinstance(field, Input)
    return field.value.strip() or None
