"""Working a follow-up (W4): how it is named, how it can end, what a caring contact records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from oncall.domain.types import FollowUpKind, FollowUpStatus

CARING_CONTACT_RESULT = "message_sent"
"""A caring contact's attempt result: a brief message was sent; no answer is expected."""

MAX_OUTCOME_NOTE = 2000
"""The longest note kept with a completion, a reschedule reason or a handover."""


def follow_up_ref(follow_up_id: int) -> str:
    """A follow-up's name on screen ("F-3"): a bare "#3" reads like an episode number."""
    return f"F-{follow_up_id}"


class FollowUpOutcome(StrEnum):
    """How a completed follow-up ended, chosen by the clinician who completes it."""

    REACHED_SAFE = "reached_safe"
    REACHED_MORE_CARE = "reached_more_care"
    SEEN_IN_PROGRAM = "seen_in_program"
    CLIENT_DECLINED = "client_declined"
    NEW_EPISODE = "new_episode"
    NOT_REACHED = "not_reached"

    @property
    def label(self) -> str:
        """The outcome in a clinician's words."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    FollowUpOutcome.REACHED_SAFE: "Reached: client safe, plan in use",
    FollowUpOutcome.REACHED_MORE_CARE: "Reached: more care arranged",
    FollowUpOutcome.SEEN_IN_PROGRAM: "Seen in the program (session or visit)",
    FollowUpOutcome.CLIENT_DECLINED: "Client declined follow-up",
    FollowUpOutcome.NEW_EPISODE: "New crisis: an episode was opened",
    FollowUpOutcome.NOT_REACHED: "Not reached: wellness check or outreach requested",
}


def status_after_outcome(outcome: FollowUpOutcome) -> FollowUpStatus:
    """Not reaching the client is never "done": it ends as exhausted (it escalates, and it is
    not counted as a follow-up done on time); every other outcome is done."""
    if outcome is FollowUpOutcome.NOT_REACHED:
        return FollowUpStatus.EXHAUSTED
    return FollowUpStatus.DONE


def may_complete(status: FollowUpStatus, completed_at: datetime | None) -> bool:
    """A pending follow-up, or one whose attempts ran out and nobody has resolved yet."""
    return status is FollowUpStatus.PENDING or (
        status is FollowUpStatus.EXHAUSTED and completed_at is None
    )


def caring_contact_only(kind: FollowUpKind) -> bool:
    """True for the kind a sent message completes; the others need the client reached."""
    return kind is FollowUpKind.CARING_CONTACT
