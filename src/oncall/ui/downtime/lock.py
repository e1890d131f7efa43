"""The downtime console's lock: the pack's passphrase opens it again.

The downtime copy lives on a laptop, so it locks when idle like the console does
(`idle_lock_minutes`, F12 at once). With no database there is no PIN: the passphrase
that decrypted the pack is the key. Five wrong tries close the console; the pack stays
encrypted on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from oncall.ui.downtime.app import DowntimeApp

MAX_TRIES = 5


class DowntimeLockScreen(ModalScreen[None]):
    """Hides the pack until its passphrase is typed again (opaque: nothing shows through)."""

    DEFAULT_CSS = """
    DowntimeLockScreen { background: $background; align: center middle; }
    DowntimeLockScreen #textual-toastrack > * { display: none; }
    DowntimeLockScreen > Vertical {
        width: 64; height: auto; border: heavy $warning; padding: 1 2;
    }
    DowntimeLockScreen #lock-message { color: $warning; }
    """
    AUTO_FOCUS = "#lock-passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.tries = 0

    def compose(self) -> ComposeResult:
        """Title, the passphrase field, what went wrong."""
        with Vertical():
            yield Label(Text("Downtime copy locked", style="bold"))
            yield Label("Type the pack's passphrase and press Enter.")
            yield Input(password=True, id="lock-passphrase")
            yield Static("", id="lock-message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Unlock on the right passphrase; close the console after MAX_TRIES wrong ones."""
        app = cast("DowntimeApp", self.app)
        event.input.value = ""
        if app.passphrase_matches(event.value):
            app.unlocked()
            self.dismiss(None)
            return
        self.tries += 1
        if self.tries >= MAX_TRIES:
            app.exit(message="Five wrong passphrases: the downtime copy closed.")
            return
        left = MAX_TRIES - self.tries
        self.query_one("#lock-message", Static).update(
            f"That is not the pack's passphrase ({left} tries left)."
        )
