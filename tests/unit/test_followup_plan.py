"""W4 follow-up plans from risk level, and when a follow-up is overdue or exhausted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from oncall.domain.followup_plan import (
    MAX_ATTEMPTS,
    attempts_ran_out,
    is_due,
    is_overdue,
    needs_escalation,
    needs_reason_for_no_follow_up,
    plan_follow_ups,
    status_after_attempt,
)
from oncall.domain.models import FollowUp
from oncall.domain.types import FollowUpKind, FollowUpStatus, RiskLevel

CLOSED = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
H = timedelta(hours=1)
C24, DAILY, C72 = FollowUpKind.CONTACT_24H, FollowUpKind.DAILY_CHECKIN, FollowUpKind.CALL_72H


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        (
            RiskLevel.HIGH,
            [(C24, 24)] + [(DAILY, 24 * day) for day in range(2, 9)],
        ),
        (RiskLevel.MODERATE, [(C24, 24), (C72, 72)]),
        (RiskLevel.LOW, [(C72, 72)]),
        (RiskLevel.NONE, []),
    ],
)
def test_plan_per_risk_level(risk: RiskLevel, expected: list[tuple[FollowUpKind, int]]) -> None:
    plan = plan_follow_ups(risk, CLOSED)
    assert [(p.kind, p.due_at - CLOSED) for p in plan] == [(k, h * H) for k, h in expected]
    assert all(p.due_at.tzinfo is UTC for p in plan)
    assert needs_reason_for_no_follow_up(plan) is (risk is RiskLevel.NONE)


def test_high_risk_has_seven_daily_checkins() -> None:
    plan = plan_follow_ups(RiskLevel.HIGH, CLOSED)
    assert sum(p.kind is DAILY for p in plan) == 7


def test_other_time_zone_is_converted_to_utc() -> None:
    pacific = CLOSED.astimezone(timezone(timedelta(hours=-8)))
    plan = plan_follow_ups(RiskLevel.LOW, pacific)
    assert plan[0].due_at == CLOSED + 72 * H
    assert plan[0].due_at.utcoffset() == timedelta(0)


def test_naive_close_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        plan_follow_ups(RiskLevel.LOW, datetime(2026, 11, 22, 11, 30))


def follow_up(
    status: FollowUpStatus = FollowUpStatus.PENDING, attempts: int = 0, due: datetime = CLOSED
) -> FollowUp:
    """A follow-up due at CLOSED unless told otherwise."""
    return FollowUp(1, 1, 1, C24, due, 7, status, attempts)


@pytest.mark.parametrize(
    ("status", "offset", "due", "overdue"),
    [
        (FollowUpStatus.PENDING, -H, False, False),
        (FollowUpStatus.PENDING, timedelta(0), True, False),
        (FollowUpStatus.PENDING, timedelta(seconds=1), True, True),
        (FollowUpStatus.DONE, 5 * H, False, False),
        (FollowUpStatus.CANCELLED, 5 * H, False, False),
        (FollowUpStatus.EXHAUSTED, 5 * H, False, False),
    ],
)
def test_due_and_overdue(
    status: FollowUpStatus, offset: timedelta, due: bool, overdue: bool
) -> None:
    item = follow_up(status)
    assert is_due(item, CLOSED + offset) is due
    assert is_overdue(item, CLOSED + offset) is overdue


def test_overdue_grace() -> None:
    item = follow_up()
    assert is_overdue(item, CLOSED + H, grace=2 * H) is False
    assert is_overdue(item, CLOSED + 3 * H, grace=2 * H) is True


@pytest.mark.parametrize(("attempts", "out"), [(0, False), (4, False), (5, True), (6, True)])
def test_attempts_ran_out(attempts: int, out: bool) -> None:
    assert MAX_ATTEMPTS == 5
    assert attempts_ran_out(attempts) is out


@pytest.mark.parametrize(
    ("so_far", "reached", "expected"),
    [
        (0, True, FollowUpStatus.DONE),
        (0, False, FollowUpStatus.PENDING),
        (3, False, FollowUpStatus.PENDING),
        (4, False, FollowUpStatus.EXHAUSTED),
        (4, True, FollowUpStatus.DONE),
    ],
)
def test_status_after_attempt(so_far: int, reached: bool, expected: FollowUpStatus) -> None:
    assert status_after_attempt(so_far, reached) is expected


def test_sixth_attempt_is_refused() -> None:
    with pytest.raises(ValueError, match="5 attempts"):
        status_after_attempt(5, reached=True)


@pytest.mark.parametrize(
    ("item", "offset", "expected"),
    [
        (follow_up(), -H, False),
        (follow_up(), H, True),
        (follow_up(FollowUpStatus.EXHAUSTED, attempts=5), -H, True),
        (follow_up(attempts=5), -H, True),
        (follow_up(FollowUpStatus.DONE, attempts=2), H, False),
        (follow_up(FollowUpStatus.CANCELLED), H, False),
    ],
)
def test_needs_escalation(item: FollowUp, offset: timedelta, expected: bool) -> None:
    assert needs_escalation(item, CLOSED + offset) is expected
