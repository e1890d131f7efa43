"""Which form each episode action opens, or, in words, why it is not available now."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen

from oncall.domain.models import TimelineEvent
from oncall.domain.risk import episode_risk
from oncall.domain.types import EpisodeStatus, EventKind
from oncall.services import closing, episodes
from oncall.services.close_safety import OVERRIDERS
from oncall.services.console_reads import active_staff
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError, StoreError
from oncall.services.views import EpisodeWorkspace
from oncall.ui.screens.forms.amend import AmendForm
from oncall.ui.screens.forms.close import CloseEpisodeForm
from oncall.ui.screens.forms.close_safety import SafetyState
from oncall.ui.screens.forms.contact_attempt import ContactAttemptForm
from oncall.ui.screens.forms.cssrs import CssrsForm
from oncall.ui.screens.forms.emergency import EmergencyContactForm, EmergencyServicesForm
from oncall.ui.screens.forms.handoff import ConfirmHandoffForm, WarmHandoffForm
from oncall.ui.screens.forms.location import LocationForm
from oncall.ui.screens.forms.overdose import OverdoseForm
from oncall.ui.screens.forms.text_event import SafetyPlanReviewForm, TextEventForm
from oncall.ui.screens.overdose_response import OverdoseResponseScreen
from oncall.ui.screens.screening_correction import correction_form

_TEXT_EVENTS = {
    "note": EventKind.NOTE,
    "coping": EventKind.COPING_USED,
    "referral": EventKind.REFERRAL,
}

RECORDING = frozenset(
    {
        "location", "cssrs", "overdose", "contact", "plan_review", "warm_handoff",
        "confirm_handoff", "emergency", "tell_contact", "close", "overdose_now",
        *_TEXT_EVENTS,
    }
)  # fmt: skip
"""Actions that add to the record; a closed episode takes amendments only."""


def build_form(
    what: str,
    services: ServiceContext,
    ws: EpisodeWorkspace,
    *,
    highlighted: TimelineEvent | None = None,
) -> ModalScreen[Any] | str:
    """The form for action `what` on the episode, or the reason it cannot be offered."""
    episode = ws.episode
    if what in RECORDING and episode.status is EpisodeStatus.CLOSED:
        return f"Episode #{episode.id} is closed: add an amendment (a) instead."
    if what in _TEXT_EVENTS:
        return TextEventForm(services, episode.id, _TEXT_EVENTS[what])
    if what == "location":
        return LocationForm(services, episode.id, episode.location)
    if what == "cssrs":
        return CssrsForm(services, episode.id)
    if what == "overdose":
        return OverdoseForm(services, episode.id, ws.timeline)
    if what == "overdose_now":
        return OverdoseResponseScreen(services, episode.id, ws.timeline)
    if what == "contact":
        return ContactAttemptForm(services, episode.id, ws.client.preferred_name or ws.client.name)
    if what == "plan_review":
        if ws.plan is None:
            return "There is no safety plan to review: write one on the client screen (i)."
        return SafetyPlanReviewForm(services, episode.id)
    if what == "warm_handoff":
        return WarmHandoffForm(services, episode.id)
    if what == "confirm_handoff":
        if episode.status is not EpisodeStatus.HANDOFF_PENDING:
            return "No hotline handoff awaits confirmation on this episode."
        return ConfirmHandoffForm(services, episode.id, episode.handoff)
    if what == "emergency":
        return EmergencyServicesForm(services, episode.id)
    if what == "tell_contact":
        today = services.clock.now().astimezone(services.settings.zone).date()
        allowed, why = episodes.contacts_who_may_be_told(ws.client, ws.contacts, today)
        if why is not None:
            return f"Not available: {why}"
        return EmergencyContactForm(services, episode.id, allowed)
    if what == "amend":
        correction = correction_form(services, ws, highlighted)
        return correction or _amend_form(services, ws, highlighted)
    if what == "close":
        return _close_form(services, ws)
    raise ValueError(f"No form for {what!r}")


def _amend_form(
    services: ServiceContext, ws: EpisodeWorkspace, highlighted: TimelineEvent | None
) -> ModalScreen[Any] | str:
    if not any(e.kind is not EventKind.AMENDMENT for e in ws.timeline):
        return "There is nothing on the timeline to amend yet."
    return AmendForm(
        services,
        ws.episode.id,
        ws.timeline,
        chosen=highlighted.id if highlighted else None,
        zone=services.settings.zone,
        now=services.clock.now(),
    )


def _close_form(services: ServiceContext, ws: EpisodeWorkspace) -> ModalScreen[Any] | str:
    try:
        drafts = closing.propose_follow_ups(services, ws.episode.id)
        staff = active_staff(services)
    except (ServiceError, StoreError) as error:
        return f"Cannot close now: {error}"
    risk = episode_risk(ws.timeline)
    safety = SafetyState(
        alert_kinds=tuple(alert.kind for alert in ws.alerts),
        risk=risk,
        location_confirmed=ws.episode.location_confirmed_at is not None,
        plan_reviewed=any(e.kind is EventKind.SAFETY_PLAN_REVIEW for e in ws.timeline),
        can_override=services.actor.role in OVERRIDERS,
    )
    return CloseEpisodeForm(
        services,
        ws.episode.id,
        status=ws.episode.status,
        risk=risk.level,
        drafts=drafts,
        staff=staff,
        zone=services.settings.zone,
        safety=safety,
    )
