"""How fresh the console's data is: the last good refresh and the last failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Freshness:
    """The console's record of its refreshes; it decides when the data must be called stale."""

    stale_after_s: float
    """After this many seconds without a good refresh the data is stale."""
    last_good: datetime | None = None
    """When the console last read the database successfully."""
    failure: str | None = None
    """Why the last refresh failed (a store error's message), or None after a success."""

    def succeeded(self, at: datetime) -> None:
        """Note a refresh that read the database successfully."""
        self.last_good = at
        self.failure = None

    def failed(self, reason: str) -> None:
        """Note a refresh that could not read the database."""
        self.failure = reason

    def is_stale(self, now: datetime) -> bool:
        """Whether what is on screen can no longer be shown as current."""
        if self.failure is not None or self.last_good is None:
            return True
        return (now - self.last_good).total_seconds() > self.stale_after_s
