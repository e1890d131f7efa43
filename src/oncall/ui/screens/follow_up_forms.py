"""Which form each follow-up action opens."""

from __future__ import annotations

from oncall.services.context import ServiceContext
from oncall.services.followup_workspace import FollowUpView
from oncall.ui.screens.forms.follow_up_change import (
    CompleteFollowUpForm,
    HandOverFollowUpForm,
    RescheduleFollowUpForm,
)
from oncall.ui.screens.forms.follow_up_contact import (
    CaringContactForm,
    FollowUpAttemptForm,
    FollowUpForm,
)

FORMS: dict[str, type[FollowUpForm]] = {
    "attempt": FollowUpAttemptForm,
    "caring": CaringContactForm,
    "complete": CompleteFollowUpForm,
    "reschedule": RescheduleFollowUpForm,
    "hand_over": HandOverFollowUpForm,
}
"""The follow-up workspace's actions and their forms."""


def build_follow_up_form(what: str, services: ServiceContext, view: FollowUpView) -> FollowUpForm:
    """The form for action `what` on the follow-up."""
    return FORMS[what](services, view)
