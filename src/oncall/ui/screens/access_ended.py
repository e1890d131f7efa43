"""The cover shown when the user's access ends mid-session: it says why, then the console ends."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

EXIT_ACCESS_ENDED = 1
CLOSES_AFTER_S = 120.0
"""Unattended, the console ends by itself: its scheduler must not go on for an ex-user."""


class AccessEndedScreen(ModalScreen[None]):
    """Opaque, like the lock screen; there is no PIN that opens it again.

    Any key ends the console. Nothing is lost by that: every action was saved as it
    was taken, and an account without access could save nothing more anyway.
    """

    DEFAULT_CSS = """
    AccessEndedScreen {
        background: $background;
        align: center middle;
        &:ansi { background: ansi_default; }
    }
    AccessEndedScreen #textual-toastrack > *, AccessEndedScreen #textual-tooltip > * {
        display: none;
    }
    AccessEndedScreen #ended-box { width: 64; height: auto; border: heavy $error; padding: 1 2; }
    AccessEndedScreen #ended-title { text-style: bold; }
    """

    def __init__(self, why: str) -> None:
        super().__init__(classes="oncall-lock")
        self.why = why

    def compose(self) -> ComposeResult:
        """The reason, and what a key does."""
        with Vertical(id="ended-box"):
            yield Static("Access ended", id="ended-title")
            yield Static(Text(self.why), id="ended-why")
            yield Static("Press any key to close.", id="ended-hint")

    def on_mount(self) -> None:
        """End by itself after a while."""
        self.set_timer(CLOSES_AFTER_S, self._close)

    def on_key(self, event: events.Key) -> None:
        """Any key ends the console with the reason as its last words."""
        event.stop()
        event.prevent_default()
        self._close()

    def _close(self) -> None:
        self.app.exit(return_code=EXIT_ACCESS_ENDED, message=self.why)
