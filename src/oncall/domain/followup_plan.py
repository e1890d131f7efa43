"""The follow-up plan a risk level calls for (W4), and when a follow-up needs help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from oncall.domain.models import FollowUp
from oncall.domain.types import FollowUpKind, FollowUpStatus, RiskLevel

MAX_ATTEMPTS = 5
"""A follow-up has at most this many contact attempts (W4)."""

DAILY_CHECKIN_DAYS = 7
"""High risk: a daily check-in for this many days after the 24-hour contact."""


@dataclass(frozen=True)
class PlannedFollowUp:
    """One follow-up the plan proposes; editable in the form before it is saved."""

    kind: FollowUpKind
    due_at: datetime


def plan_follow_ups(risk: RiskLevel, closed_at: datetime) -> list[PlannedFollowUp]:
    """The follow-ups W4 calls for after the acute phase closes at `closed_at`.

    `due_at` is a deadline ("contact within 24 h"), in UTC. For high risk the
    seven daily check-ins follow the 24-hour contact, one each day from day 2
    through day 8, so no day of the first week after it goes without contact.
    None yields no follow-ups: the episode then needs a stated reason.
    """
    if closed_at.tzinfo is None or closed_at.utcoffset() is None:
        raise ValueError("closed_at must carry a time zone (UTC expected)")
    start = closed_at.astimezone(UTC)
    day = timedelta(hours=24)
    if risk is RiskLevel.HIGH:
        checkins = [
            PlannedFollowUp(FollowUpKind.DAILY_CHECKIN, start + day * (1 + n))
            for n in range(1, DAILY_CHECKIN_DAYS + 1)
        ]
        return [PlannedFollowUp(FollowUpKind.CONTACT_24H, start + day), *checkins]
    if risk is RiskLevel.MODERATE:
        return [
            PlannedFollowUp(FollowUpKind.CONTACT_24H, start + day),
            PlannedFollowUp(FollowUpKind.CALL_72H, start + 3 * day),
        ]
    if risk is RiskLevel.LOW:
        return [PlannedFollowUp(FollowUpKind.CALL_72H, start + 3 * day)]
    return []


def needs_reason_for_no_follow_up(plan: list[PlannedFollowUp]) -> bool:
    """True when the plan is empty, so closing needs a stated reason for none."""
    return not plan


def is_due(follow_up: FollowUp, now: datetime) -> bool:
    """True when a pending follow-up has reached its due time (its reminder fires)."""
    return follow_up.status is FollowUpStatus.PENDING and now >= follow_up.due_at


def is_overdue(follow_up: FollowUp, now: datetime, grace: timedelta = timedelta(0)) -> bool:
    """True when a pending follow-up is past its due time plus `grace`.

    The plan's times are already deadlines ("within 24 h"), so the default
    grace is none; a program may allow some before escalating.
    """
    return follow_up.status is FollowUpStatus.PENDING and now > follow_up.due_at + grace


def attempts_ran_out(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """True once `attempts` contact attempts have used up the allowance."""
    return attempts >= max_attempts


def status_after_attempt(
    attempts_so_far: int, reached: bool, max_attempts: int = MAX_ATTEMPTS
) -> FollowUpStatus:
    """The follow-up's status after one more attempt; refuses one beyond the limit."""
    if attempts_ran_out(attempts_so_far, max_attempts):
        raise ValueError(f"This follow-up has had its {max_attempts} attempts already")
    if reached:
        return FollowUpStatus.DONE
    if attempts_ran_out(attempts_so_far + 1, max_attempts):
        return FollowUpStatus.EXHAUSTED
    return FollowUpStatus.PENDING


def needs_escalation(follow_up: FollowUp, now: datetime, grace: timedelta = timedelta(0)) -> bool:
    """True when a follow-up is overdue or its attempts ran out without contact (W4)."""
    if follow_up.status is FollowUpStatus.EXHAUSTED:
        return True
    if follow_up.status is FollowUpStatus.PENDING and attempts_ran_out(follow_up.attempts):
        return True
    return is_overdue(follow_up, now, grace)
