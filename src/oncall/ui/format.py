"""How times, durations and names look on screen (presentation only, no clinic rules)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.types import Severity

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.IMMINENT: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MODERATE: "yellow",
    Severity.LOW: "dim",
}


def clinic_time(moment: datetime, zone: ZoneInfo, *, seconds: bool = True) -> str:
    """A moment as a wall-clock time in the clinic's zone, with the zone's abbreviation."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M:%S %Z" if seconds else "%H:%M %Z")


def clinic_datetime(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as a short date and time in the clinic's zone."""
    return moment.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def short_duration(delta: timedelta) -> str:
    """A non-negative span in the fewest characters a clinician reads at a glance."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def countdown(deadline: datetime, now: datetime) -> Text:
    """Time left to a deadline; red and marked "over" once it has passed."""
    left = deadline - now
    if left.total_seconds() > 0:
        style = "bold yellow" if left <= timedelta(minutes=2) else ""
        return Text(short_duration(left), style=style)
    return Text(f"-{short_duration(-left)} over", style="bold white on dark_red")


def severity_label(severity: Severity) -> Text:
    """A severity in capitals with its colour."""
    return Text(severity.value.upper(), style=SEVERITY_STYLES[severity])


def words(value: str) -> str:
    """An enum value as words ("suicidal_ideation" → "suicidal ideation")."""
    return value.replace("_", " ")


def initials(name: str) -> str:
    """A name as initials, for privacy mode ("Jordan Test" → "J.T.")."""
    parts = [p for p in name.replace("-", " ").split() if p]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"
