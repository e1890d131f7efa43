"""The line at the top of every screen: who is logged in, clinic time, how fresh the data is."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from oncall.ui.format import clinic_datetime, clinic_time

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp


class StatusLine(Static):
    """Who, when, and whether the data on screen is current (STALE in red when it is not)."""

    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    """

    def on_mount(self) -> None:
        """Redraw every second so the clock and the freshness age move."""
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        """Compose the line from the app's acting user, clock and freshness."""
        app = cast("OnCallApp", self.app)
        services = app.services
        zone = services.settings.zone
        now = services.clock.now()
        actor = services.actor
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" oncall ", style="bold reverse")
        if app.demo_mode:
            line.append(" DEMO ", style="bold black on yellow")
        line.append(f" {actor.display_name}", style="bold")
        line.append(f" ({actor.role.value})  ")
        line.append(clinic_datetime(now, zone))
        line.append("  ")
        freshness = app.freshness
        if freshness.is_stale(now):
            since = (
                clinic_time(freshness.last_good, zone)
                if freshness.last_good is not None
                else "never"
            )
            line.append(f" STALE: last refreshed {since} ", style="bold white on red")
            if freshness.failure:
                line.append(f" {freshness.failure}", style="red")
        elif freshness.last_good is not None:
            line.append(f"data as of {clinic_time(freshness.last_good, zone)}", style="green")
        if app.scheduling is not None:
            line.append("  ")
            line.append_text(app.scheduling.header_text())
        return line
