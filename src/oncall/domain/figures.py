"""Pure arithmetic for the figures: medians, percentiles, deadlines met, on-time rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (0 < fraction <= 1) of `values`; None when empty.

    Nearest-rank keeps the answer one of the observed durations, which is what a
    supervisor can check by hand ("9 out of 10 alerts were acknowledged within X").
    """
    if not values:
        return None
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle values for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class DurationSummary:
    """Median and 90th percentile of a set of durations, in seconds."""

    count: int
    median_s: float | None
    p90_s: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> DurationSummary:
        """Summarize a list of durations in seconds."""
        return cls(len(seconds), median(seconds), percentile(seconds, 0.9))


@dataclass(frozen=True)
class Rate:
    """How many of a total met a condition."""

    met: int
    total: int

    @property
    def percent(self) -> float | None:
        """The share as a percentage; None when there is nothing to count."""
        return None if self.total == 0 else 100.0 * self.met / self.total


def format_duration(seconds: float | None) -> str:
    """A duration as a clinician reads it: 45s, 3m 05s, 2h 10m, 1d 4h; an em dash for none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


@dataclass(frozen=True)
class AckOutcomes:
    """How a set of alerts were acknowledged against each one's own deadline.

    An alert never acknowledged is a breach once its deadline has passed; one still
    within its deadline has no outcome yet and is counted apart, not as met or missed.
    """

    in_time: int = 0
    late: int = 0
    never: int = 0
    """Not acknowledged, deadline passed: a breach."""
    waiting: int = 0
    """Not acknowledged yet, deadline still ahead."""

    @property
    def total(self) -> int:
        """Every alert counted."""
        return self.in_time + self.late + self.never + self.waiting

    @property
    def within_deadline(self) -> Rate:
        """Acknowledged in time, of the alerts whose deadline passed or that were acknowledged."""
        return Rate(self.in_time, self.in_time + self.late + self.never)

    def counting(
        self, acknowledged_at: datetime | None, deadline: datetime, now: datetime
    ) -> AckOutcomes:
        """These outcomes with one more alert counted."""
        if acknowledged_at is not None:
            if acknowledged_at <= deadline:
                return replace(self, in_time=self.in_time + 1)
            return replace(self, late=self.late + 1)
        if deadline <= now:
            return replace(self, never=self.never + 1)
        return replace(self, waiting=self.waiting + 1)


@dataclass(frozen=True)
class FollowUpOutcomes:
    """How a set of follow-ups ended against their due times; cancelled ones are left out.

    Overdue (still pending past due) and exhausted (attempts ran out) count as not done on
    time; one not yet due has no outcome yet and is counted apart.
    """

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    exhausted: int = 0
    not_yet_due: int = 0

    @property
    def done_on_time(self) -> Rate:
        """Done by the due time, of the follow-ups whose due time passed or that are done."""
        return Rate(self.on_time, self.on_time + self.late + self.overdue + self.exhausted)

    def counting(
        self, status: str, due: datetime, completed_at: datetime | None, now: datetime
    ) -> FollowUpOutcomes:
        """These outcomes with one more follow-up counted (a cancelled one changes nothing)."""
        if status == "done":
            if completed_at is not None and completed_at <= due:
                return replace(self, on_time=self.on_time + 1)
            return replace(self, late=self.late + 1)
        if status == "exhausted":
            return replace(self, exhausted=self.exhausted + 1)
        if status == "pending":
            if due <= now:
                return replace(self, overdue=self.overdue + 1)
            return replace(self, not_yet_due=self.not_yet_due + 1)
        return self


@dataclass(frozen=True)
class Trend:
    """One day's or one week's acknowledgements and follow-ups."""

    first_day: date
    """The clinic day the period starts (a Monday for a week)."""
    acknowledgement: AckOutcomes
    follow_ups: FollowUpOutcomes


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def rate_text(rate: Rate) -> str:
    """'24 of 85 (28%)', or an em dash when there is nothing to count."""
    if rate.percent is None:
        return "—"
    return f"{rate.met} of {rate.total} ({rate.percent:.0f}%)"
