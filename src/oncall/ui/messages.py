"""Messages the console's parts send each other: small dataclasses, one line each."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """The database changed in this process; the app refreshes the screen at once.

    Post it (thread-safe) after a write that did not go through `OnCallScreen.run_service`,
    e.g. from the scheduler. Writes by other processes are noticed by polling instead.
    """

    reason: str = ""
    """A short word for the log and tests ("acknowledged", "reminder"); never client data."""


@dataclass
class FreshnessChanged(Message):
    """The app's last good refresh time or failure state changed; status lines redraw."""


@dataclass
class DemoAlertArrived(Message):
    """The simulated demo feed stored a new alert."""

    alert_id: int
    """The id of the stored alert."""
