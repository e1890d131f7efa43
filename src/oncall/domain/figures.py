"""Pure arithmetic for the supervisor's figures: medians, percentiles, on-time rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


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
