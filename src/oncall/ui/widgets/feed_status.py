"""A compact panel: each alert feed's state, the outbox's delivery counts, the quarantine.

The screen that mounts it reads `services.feed_status.feed_status(ctx)` in its
`refresh_data()` and passes the result to `show()`; the panel reads nothing itself.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from oncall.services.feed_status import FeedStatus, FeedView
from oncall.ui.format import clinic_time, short_duration

HEALTH_STYLES = {
    "ok": ("ok", "green"),
    "waiting": ("not polled yet", "dim"),
    "failing": ("FAILING", "bold red"),
    "overdue": ("OVERDUE: nobody is polling", "bold white on red"),
}


def feed_line(feed: FeedView, now: datetime, zone: ZoneInfo) -> Text:
    """One feed: name, health, last success, next try, and the last error if failing."""
    label, style = HEALTH_STYLES.get(feed.health, (feed.health, ""))
    state = feed.state
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{feed.name} ", style="bold")
    line.append(f"● {label}", style=style)
    if state.consecutive_failures and feed.health != "ok":
        line.append(f" ({state.consecutive_failures} in a row)", style=style)
    if state.last_success_at is not None:
        ago = short_duration(now - state.last_success_at)
        line.append(f" · last ok {clinic_time(state.last_success_at, zone)} ({ago} ago)")
    else:
        line.append(" · never polled successfully")
    if state.next_attempt_at is not None:
        line.append(f" · next {clinic_time(state.next_attempt_at, zone)}")
    if state.last_error and feed.health != "ok":
        line.append(" · ")
        line.append(state.last_error, style="red")  # feed text as Text: never markup
    return line


def status_text(status: FeedStatus, zone: ZoneInfo) -> Text:
    """The whole panel as text: a line per feed, then delivery and quarantine counts."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if not status.feeds:
        text.append("No alert feeds configured.", style="dim")
    for number, feed in enumerate(status.feeds):
        if number:
            text.append("\n")
        text.append_text(feed_line(feed, status.read_at, zone))
    counts = status.outbox_counts
    text.append("\nOutbox ", style="bold")
    text.append(f"{counts.get('pending', 0)} pending")
    failed = counts.get("failed", 0)
    text.append(f" · {failed} failed", style="bold red" if failed else "")
    text.append(f" · {counts.get('delivered', 0)} delivered")
    text.append("   Quarantine ", style="bold")
    text.append(f"{status.quarantined} record(s)", style="yellow" if status.quarantined else "")
    return text


class FeedStatusPanel(Static):
    """Feeds, deliveries and quarantine at a glance; call `show()` with fresh status."""

    DEFAULT_CSS = """
    FeedStatusPanel {
        height: auto;
        padding: 0 1;
        border: round $panel;
        border-title-color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        """Title the panel."""
        self.border_title = "Feeds"

    def show(self, status: FeedStatus, zone: ZoneInfo) -> None:
        """Display `status` (as read by services.feed_status.feed_status)."""
        self.update(status_text(status, zone))
