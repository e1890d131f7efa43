"""GPS coordinates an alert carried (a wearable's fix), shown on the episode and copied with y.

The location form asks where the client is now; until then, the last fix a device sent
is the best lead a clinician has to give 911 or a mobile crisis team. It is shown on the
episode's header, with when it was taken, and `y` copies it (the notification repeats it,
since a clipboard may not reach over SSH). Privacy mode hides it like an address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.screen import Screen

from oncall.domain.models import Alert
from oncall.ui.format import short_duration
from oncall.ui.widgets.timeline_text import event_time

COPY_KEY = "y"


def latest_fix(alerts: list[Alert]) -> Alert | None:
    """The alert with coordinates that occurred last (None when no alert had any)."""
    located = [a for a in alerts if a.location and None not in (a.location.lat, a.location.lon)]
    return max(located, key=lambda a: (a.occurred_at, a.id), default=None)


def coordinates(alert: Alert) -> str:
    """ "33.83820, -117.91230": latitude, longitude, as a map or a dispatcher takes them."""
    assert alert.location is not None and alert.location.lat is not None
    return f"{alert.location.lat:.5f}, {alert.location.lon:.5f}"


def position_line(alerts: list[Alert], zone: ZoneInfo, now: datetime, *, privacy: bool) -> Text:
    """One header line for the latest fix; empty when no alert carried coordinates."""
    fix = latest_fix(alerts)
    if fix is None:
        return Text()
    line = Text("Alert GPS: ")
    if privacy:
        line.append("hidden (privacy mode)", style="dim")
        return line
    line.append(coordinates(fix), style="bold")
    taken = f"{event_time(fix.occurred_at, zone, now)}, {short_duration(now - fix.occurred_at)} ago"
    line.append(f" — {fix.source}, {taken} ({COPY_KEY} copies)")
    return line


def copy_position(screen: Screen[Any], alerts: list[Alert], *, privacy: bool) -> None:
    """Copy the latest fix to the clipboard and show it (refused in privacy mode)."""
    fix = latest_fix(alerts)
    if fix is None:
        screen.notify("No alert on this episode carried GPS coordinates.", severity="warning")
    elif privacy:
        screen.notify("Privacy mode is on (F9): the coordinates stay hidden.", severity="warning")
    else:
        text = coordinates(fix)
        screen.app.copy_to_clipboard(text)
        screen.notify(f"Copied the alert's GPS position: {text}", title="Copied", timeout=15)
