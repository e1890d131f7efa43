"""The banner on every downtime screen: a copy, when it was made, and how old it is now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from oncall.domain.downtime_pack import DowntimePack

REFRESH_S = 15.0
"""How often the banner's age is recomputed (it counts minutes)."""


def age_words(age: timedelta) -> str:
    """ "47 min ago", "2 h 05 min ago", "3 d 4 h ago"."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min ago"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h ago"


def banner_text(pack: DowntimePack, now: datetime, stale_after: timedelta) -> Text:
    """ "DOWNTIME COPY — made 03:10, 47 min ago": red once older than `stale_after`."""
    zone = ZoneInfo(pack.timezone)
    made = pack.made_at.astimezone(zone)
    when = f"{made:%H:%M}" if now - pack.made_at < timedelta(hours=20) else f"{made:%a %d %b %H:%M}"
    age = pack.age(now)
    stale = age > stale_after
    text = Text(style="bold white on red" if stale else "bold black on yellow")
    text.append(f" DOWNTIME COPY — made {when}, {age_words(age)}")
    if stale:
        text.append(" — OLDER THAN IT SHOULD BE: check what changed since")
    text.append(f"  ·  read-only  ·  {pack.made_for_name}'s pack ")
    return text


class DowntimeBanner(Static):
    """Docked at the top of each downtime screen; it re-reads the clock every REFRESH_S."""

    DEFAULT_CSS = """
    DowntimeBanner { dock: top; height: auto; width: 1fr; }
    """

    def __init__(
        self, pack: DowntimePack, now: Callable[[], datetime], stale_after: timedelta
    ) -> None:
        super().__init__(id="downtime-banner")
        self._pack, self._now, self._stale_after = pack, now, stale_after

    def on_mount(self) -> None:
        """Show the age now and keep it current."""
        self.show_age()
        self.set_interval(REFRESH_S, self.show_age)

    def show_age(self) -> None:
        """Recompute the banner from the clock."""
        self.update(banner_text(self._pack, self._now(), self._stale_after))

    @property
    def stale(self) -> bool:
        """Whether the banner is red (the pack is older than the setting)."""
        return self._pack.age(self._now()) > self._stale_after
