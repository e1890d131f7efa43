"""Acknowledgement deadlines, the escalation chain (W6) and handoff deadlines (W7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from oncall.domain.types import Severity


class EscalationTarget(StrEnum):
    """Who a step of an escalation or reminder chain goes to."""

    BACKUP_ON_CALL = "backup_on_call"
    SUPERVISOR = "supervisor"
    EPISODE_OWNER = "episode_owner"
    ASSIGNEE = "assignee"


@dataclass(frozen=True)
class AckDeadlines:
    """How long an alert of each severity may wait for acknowledgement."""

    imminent: timedelta = timedelta(minutes=2)
    high: timedelta = timedelta(minutes=5)
    moderate: timedelta = timedelta(minutes=15)
    low: timedelta = timedelta(minutes=60)

    def for_severity(self, severity: Severity) -> timedelta:
        """The acknowledgement interval for `severity`."""
        interval: timedelta = getattr(self, severity.value)
        return interval


def chain_levels_due(
    first_due_at: datetime,
    interval: timedelta,
    current_level: int,
    chain_length: int,
    now: datetime,
) -> list[int]:
    """Levels above `current_level` due by `now`; level n falls due at
    `first_due_at + (n - 1) * interval`.
    """
    return [
        level
        for level in range(max(current_level, 0) + 1, chain_length + 1)
        if now >= first_due_at + (level - 1) * interval
    ]


# Timing of the chain: level 1 (backup on call) is due at the acknowledgement
# deadline itself; level 2 (supervisor) one further deadline-interval later. An
# imminent alert received at 03:00 goes to the backup at 03:02 and to the
# supervisor at 03:04; a low one at 04:00 and 05:00. Tying the spacing to the
# severity keeps the whole chain proportionate to how urgent the alert is.
@dataclass(frozen=True)
class EscalationPolicy:
    """Deadlines per severity and the chain an unacknowledged alert climbs."""

    deadlines: AckDeadlines = field(default_factory=AckDeadlines)
    chain: tuple[EscalationTarget, ...] = (
        EscalationTarget.BACKUP_ON_CALL,
        EscalationTarget.SUPERVISOR,
    )

    def target(self, level: int) -> EscalationTarget:
        """Who level `level` (1-based) of the chain goes to."""
        if not 1 <= level <= len(self.chain):
            raise ValueError(f"Escalation level {level} is outside the chain")
        return self.chain[level - 1]


DEFAULT_POLICY = EscalationPolicy()


def ack_deadline(
    severity: Severity, received_at: datetime, policy: EscalationPolicy = DEFAULT_POLICY
) -> datetime:
    """When an alert received at `received_at` must be acknowledged by."""
    return received_at + policy.deadlines.for_severity(severity)


def escalation_due_at(
    severity: Severity,
    received_at: datetime,
    level: int,
    policy: EscalationPolicy = DEFAULT_POLICY,
) -> datetime:
    """When level `level` of the chain falls due for an unacknowledged alert."""
    policy.target(level)  # refuses a level outside the chain
    return received_at + level * policy.deadlines.for_severity(severity)


def due_escalations(
    severity: Severity,
    received_at: datetime,
    current_level: int,
    now: datetime,
    policy: EscalationPolicy = DEFAULT_POLICY,
) -> list[int]:
    """Chain levels above `current_level` due by `now` for an unacknowledged alert."""
    interval = policy.deadlines.for_severity(severity)
    return chain_levels_due(received_at + interval, interval, current_level, len(policy.chain), now)


@dataclass(frozen=True)
class HandoffPolicy:
    """How long a hotline handoff may await confirmation, and who is reminded."""

    confirm_within: timedelta = timedelta(minutes=30)
    chain: tuple[EscalationTarget, ...] = (
        EscalationTarget.EPISODE_OWNER,
        EscalationTarget.SUPERVISOR,
    )

    def target(self, level: int) -> EscalationTarget:
        """Who reminder level `level` (1-based) goes to."""
        if not 1 <= level <= len(self.chain):
            raise ValueError(f"Handoff reminder level {level} is outside the chain")
        return self.chain[level - 1]


DEFAULT_HANDOFF_POLICY = HandoffPolicy()


def handoff_deadline(
    received_at: datetime, policy: HandoffPolicy = DEFAULT_HANDOFF_POLICY
) -> datetime:
    """When a handoff received at `received_at` must be confirmed by."""
    return received_at + policy.confirm_within


def due_handoff_reminders(
    received_at: datetime,
    current_level: int,
    now: datetime,
    policy: HandoffPolicy = DEFAULT_HANDOFF_POLICY,
) -> list[int]:
    """Handoff reminder levels above `current_level` due by `now`.

    Level 1 (the episode owner) is due at the deadline, level 2 (the
    supervisor) one `confirm_within` interval later.
    """
    return chain_levels_due(
        handoff_deadline(received_at, policy),
        policy.confirm_within,
        current_level,
        len(policy.chain),
        now,
    )
