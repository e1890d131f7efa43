"""How often the scheduler does its background chores (no APScheduler import here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SchedulerTiming:
    """How often the scheduler does each of its background chores."""

    lease_ttl_s: float = 5.0
    """A dead dispatcher's lease runs out after this; another process takes over."""
    renew_every_s: float = 1.5
    """How often the holder renews (and a non-holder tries to take) the lease."""
    dispatch_every_s: float = 1.0
    """How often the holder runs escalations and the dispatch hooks."""
    watch_every_s: float = 0.25
    """How often the database is checked for changes by other connections."""
