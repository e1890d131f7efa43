"""Errors a use case raises; each message is fit to show a clinician as it is."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# The database's own errors, for the console and commands, which never import the store.
from oncall.store.errors import (
    DatabaseLocked,
    DatabaseUnavailable,
    DiskFull,
    SchemaTooNew,
    StoreError,
)

__all__ = [
    "AlreadyAcknowledged",
    "ConsentMissing",
    "DatabaseLocked",
    "DatabaseUnavailable",
    "DiskFull",
    "NotFound",
    "PermissionDenied",
    "Refused",
    "SchemaTooNew",
    "ServiceError",
    "StoreError",
    "ValidationFailed",
]


class ServiceError(Exception):
    """A use case refused or failed; str(error) says why in plain words."""


class NotFound(ServiceError):
    """The alert, episode, client or event named does not exist."""


class Refused(ServiceError):
    """The action is not allowed in the record's current state."""


class ValidationFailed(ServiceError):
    """What was entered is incomplete or wrong; the message names the field."""


class ConsentMissing(Refused):
    """The client's consent for this disclosure is not on file."""


class PermissionDenied(Refused):
    """The user's role does not allow this."""


class AlreadyAcknowledged(ServiceError):
    """Someone else claimed the alert first."""

    def __init__(self, alert_id: int, by_name: str, at: datetime | None, zone: ZoneInfo) -> None:
        when = f" at {at.astimezone(zone):%H:%M:%S %Z}" if at else ""  # clinic time, as shown
        super().__init__(f"Alert {alert_id} was already acknowledged by {by_name}{when}.")
        self.alert_id = alert_id
        self.by_name = by_name
        self.at = at
