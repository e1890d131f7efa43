"""Acknowledgement deadlines, the escalation chain, and handoff reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oncall.domain.escalation import (
    AckDeadlines,
    EscalationPolicy,
    EscalationTarget,
    HandoffPolicy,
    ack_deadline,
    due_escalations,
    due_handoff_reminders,
    escalation_due_at,
    handoff_deadline,
)
from oncall.domain.types import Severity

T0 = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
M = timedelta(minutes=1)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("severity", "minutes"),
    [(Severity.IMMINENT, 2), (Severity.HIGH, 5), (Severity.MODERATE, 15), (Severity.LOW, 60)],
)
def test_default_ack_deadlines(severity: Severity, minutes: int) -> None:
    assert ack_deadline(severity, T0) == T0 + minutes * M


def test_ack_deadlines_are_configurable() -> None:
    policy = EscalationPolicy(deadlines=AckDeadlines(imminent=timedelta(seconds=90)))
    assert ack_deadline(Severity.IMMINENT, T0, policy) == T0 + 90 * S
    assert ack_deadline(Severity.HIGH, T0, policy) == T0 + 5 * M


@pytest.mark.parametrize(
    ("severity", "current", "elapsed", "expected"),
    [
        (Severity.IMMINENT, 0, 2 * M - S, []),
        (Severity.IMMINENT, 0, 2 * M, [1]),
        (Severity.IMMINENT, 0, 4 * M - S, [1]),
        (Severity.IMMINENT, 0, 4 * M, [1, 2]),
        (Severity.IMMINENT, 1, 3 * M, []),
        (Severity.IMMINENT, 1, 4 * M, [2]),
        (Severity.IMMINENT, 2, 60 * M, []),
        (Severity.LOW, 0, 59 * M, []),
        (Severity.LOW, 0, 60 * M, [1]),
        (Severity.LOW, 0, 120 * M, [1, 2]),
        (Severity.HIGH, 0, 10 * M, [1, 2]),  # the console was closed: both fire
        (Severity.MODERATE, 0, 15 * M, [1]),
        (Severity.MODERATE, 1, 30 * M, [2]),
    ],
)
def test_due_escalations(
    severity: Severity, current: int, elapsed: timedelta, expected: list[int]
) -> None:
    assert due_escalations(severity, T0, current, T0 + elapsed) == expected


def test_escalation_chain_targets_and_times() -> None:
    policy = EscalationPolicy()
    assert policy.target(1) is EscalationTarget.BACKUP_ON_CALL
    assert policy.target(2) is EscalationTarget.SUPERVISOR
    assert escalation_due_at(Severity.HIGH, T0, 1) == T0 + 5 * M
    assert escalation_due_at(Severity.HIGH, T0, 2) == T0 + 10 * M


@pytest.mark.parametrize("level", [0, 3])
def test_levels_outside_the_chain_are_refused(level: int) -> None:
    with pytest.raises(ValueError, match="outside the chain"):
        escalation_due_at(Severity.HIGH, T0, level)


def test_a_longer_chain_keeps_climbing() -> None:
    chain = (
        EscalationTarget.BACKUP_ON_CALL,
        EscalationTarget.SUPERVISOR,
        EscalationTarget.SUPERVISOR,
    )
    policy = EscalationPolicy(chain=chain)
    assert due_escalations(Severity.IMMINENT, T0, 0, T0 + 6 * M, policy) == [1, 2, 3]


def test_handoff_deadline_default_and_configurable() -> None:
    assert handoff_deadline(T0) == T0 + 30 * M
    assert handoff_deadline(T0, HandoffPolicy(confirm_within=45 * M)) == T0 + 45 * M


@pytest.mark.parametrize(
    ("current", "elapsed", "expected"),
    [
        (0, 30 * M - S, []),
        (0, 30 * M, [1]),
        (0, 60 * M - S, [1]),
        (0, 60 * M, [1, 2]),
        (1, 45 * M, []),
        (1, 60 * M, [2]),
        (2, 600 * M, []),
    ],
)
def test_due_handoff_reminders(current: int, elapsed: timedelta, expected: list[int]) -> None:
    assert due_handoff_reminders(T0, current, T0 + elapsed) == expected


def test_handoff_reminders_go_to_owner_then_supervisor() -> None:
    policy = HandoffPolicy(confirm_within=10 * M)
    assert policy.target(1) is EscalationTarget.EPISODE_OWNER
    assert policy.target(2) is EscalationTarget.SUPERVISOR
    assert due_handoff_reminders(T0, 0, T0 + 20 * M, policy) == [1, 2]
