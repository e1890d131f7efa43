"""Every recent outbound message and its delivery state (W10: the supervisor sees them)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label

from oncall.services.feed_status import FeedStatus, MessageView, feed_status, retry_delivery
from oncall.ui.base import OnCallScreen
from oncall.ui.format import clinic_time, words
from oncall.ui.screens.message_actions import ask_cancel, ask_readdress
from oncall.ui.widgets.action_footer import ActionFooter

MESSAGES = 200
STATE_STYLES = {"delivered": "green", "pending": "yellow", "failed": "bold red"}


def _target_cell(message: MessageView) -> Text:
    """The recipient, and where it went or why it cannot go."""
    if message.undeliverable:
        return Text(f"{message.target} ✗ no target", style="bold red")
    if message.sent_to and message.sent_to != message.target:
        return Text(f"{message.target} → {message.sent_to}")
    return Text(message.target)


class OutboxScreen(OnCallScreen[None]):
    """The newest outbound messages: kind, target, state, tries, next try, last error."""

    HELP_TITLE = "outbound messages"
    DEFAULT_CSS = """
    OutboxScreen DataTable { height: 1fr; }
    OutboxScreen #outbox-title { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "retry", "Retry failed"),
        Binding("t", "readdress", "Re-address"),
        Binding("x", "cancel_message", "Cancel message"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._messages: list[MessageView] = []

    def compose(self) -> ComposeResult:
        """Title and table."""
        yield Label("", id="outbox-title")
        table: DataTable[Text] = DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        for label, width in [
            ("#", 6),
            ("Kind", 16),
            ("Target", 22),
            ("State", 10),
            ("Tries", 5),
            ("Created", 12),
            ("Next try / sent", 16),
            ("Last error", 30),
        ]:
            table.add_column(label, width=width)
        yield table
        yield ActionFooter()

    def refresh_data(self) -> None:
        """Re-read the messages."""
        status = self.read_safely(lambda: feed_status(self.services, messages=MESSAGES), None)
        if status is not None:
            self._show(status)

    def _show(self, status: FeedStatus) -> None:
        zone = self.services.settings.zone
        table = self.query_one("#outbox", DataTable)
        keep = table.cursor_row
        self._messages = status.messages
        table.clear()
        for m in status.messages:
            state = "sending" if m.sending else m.status
            when = m.delivered_at if m.status == "delivered" else m.next_attempt_at
            table.add_row(
                Text(str(m.id)),
                Text(words(m.kind)),
                _target_cell(m),
                Text(state, style=STATE_STYLES.get(m.status, "")),
                Text(str(m.attempts)),
                Text(clinic_time(m.created_at, zone, seconds=False)),
                Text(clinic_time(when, zone, seconds=False) if when else "—"),
                Text(m.last_error or "", style="red"),
            )
        if self._messages:
            table.move_cursor(row=min(keep, len(self._messages) - 1), scroll=False)
        counts = ", ".join(f"{n} {state}" for state, n in sorted(status.outbox_counts.items()) if n)
        title = Text(
            f"Outbound messages (newest {len(self._messages)}): {counts or 'none'}", style="bold"
        )
        stuck = sum(1 for m in status.messages if m.undeliverable)
        if stuck:
            # Loud: a page nobody can receive is the failure that matters most here.
            title.append(
                f"  {stuck} UNDELIVERABLE: no target takes their recipient"
                " (t re-addresses, x cancels, or add a target)",
                style="bold white on red",
            )
        self.query_one("#outbox-title", Label).update(title)

    def _selected(self) -> MessageView | None:
        row = self.query_one("#outbox", DataTable).cursor_row
        return self._messages[row] if 0 <= row < len(self._messages) else None

    def action_readdress(self) -> None:
        """Send the selected queued or failed message to a colleague or target instead."""
        message = self._selected()
        if message is not None:
            ask_readdress(self, message.id, message.kind, message.target)

    def action_cancel_message(self) -> None:
        """Cancel the selected queued or failed message, with a reason (audited)."""
        message = self._selected()
        if message is not None:
            ask_cancel(self, message.id, message.kind, message.target)

    def action_retry(self) -> None:
        """Send the selected failed message again (same idempotency key)."""
        row = self.query_one("#outbox", DataTable).cursor_row
        if not 0 <= row < len(self._messages):
            return
        message = self._messages[row]
        services = self.services
        self.run_service(
            lambda: retry_delivery(services, message.id),
            on_success=lambda _: self.notify(f"Message {message.id} will be retried."),
        )
