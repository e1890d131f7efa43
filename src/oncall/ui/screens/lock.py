"""The lock screen: an opaque cover over everything, opened only by the user's PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from oncall.services.errors import ServiceError, StoreError
from oncall.services.pin import (
    DEMO_PIN,
    MAX_LENGTH,
    PinCheck,
    PinOutcome,
    pin_status,
    verify_pin,
)
from oncall.ui import crash

if TYPE_CHECKING:
    from oncall.ui.idle import IdleLock


def outcome_message(check: PinCheck, login: str) -> str:
    """What the lock screen says after a PIN entry (or on opening, for the two dead ends)."""
    if check.outcome is PinOutcome.WRONG:
        tries = "try" if check.attempts_left == 1 else "tries"
        return f"Wrong PIN: {check.attempts_left} {tries} left before the account is locked out."
    if check.outcome is PinOutcome.LOCKED_OUT:
        return (
            f"{login} is locked out after five wrong PINs. A supervisor must run "
            f"`oncall staff unlock {login}`; then enter your PIN here. Or press ctrl+q to quit."
        )
    if check.outcome is PinOutcome.NO_PIN:
        return (
            f"No PIN is set for {login}, so this console cannot be unlocked. In another terminal, "
            f"logged in as {login}, run `oncall staff set-pin`; then enter it here. "
            "Or press ctrl+q to quit (nothing saved is lost)."
        )
    return ""


class LockScreen(ModalScreen[None]):
    """Hides the whole console until the acting user enters their PIN.

    Opaque on purpose: a modal's usual see-through background would let the
    client data underneath show through. Toasts are hidden too, since a
    notification may name a client.
    """

    DEFAULT_CSS = """
    LockScreen {
        background: $background;
        align: center middle;
        &:ansi { background: ansi_default; }
    }
    /* Textual shows and hides the toast rack and the tooltip by setting `display` on them
       directly, which beats a stylesheet: hide what they hold instead. */
    LockScreen #textual-toastrack > *, LockScreen #textual-tooltip > * { display: none; }
    LockScreen #textual-tooltip { visibility: hidden; }
    LockScreen #lock-box {
        width: 64;
        height: auto;
        border: heavy $primary;
        padding: 1 2;
    }
    LockScreen #lock-title { text-style: bold; width: 100%; content-align: center middle; }
    LockScreen #lock-pin { margin: 1 0; }
    LockScreen #lock-message { color: $warning; }
    """

    AUTO_FOCUS = "#lock-pin"

    def __init__(self, idle_lock: IdleLock) -> None:
        super().__init__(classes="oncall-lock")
        self.idle_lock = idle_lock
        self._checking = False

    def compose(self) -> ComposeResult:
        """The title, a masked PIN field and a line for what happened."""
        with Vertical(id="lock-box"):
            yield Static("Locked — enter your PIN", id="lock-title")
            yield Input(
                placeholder="PIN",
                password=True,
                restrict=r"[0-9]*",
                max_length=MAX_LENGTH,
                id="lock-pin",
            )
            yield Static("", id="lock-message")
            if getattr(self.app, "demo_mode", False):
                # The demo's PIN was printed before the console covered the terminal.
                yield Static(
                    f"Demo console: the demo PIN is {DEMO_PIN} (unless you changed it).",
                    id="lock-demo-pin",
                )

    def on_mount(self) -> None:
        """Say at once when no PIN can open the console (none set, or locked out)."""
        try:
            check = pin_status(self.idle_lock.services)
        except (StoreError, ServiceError):
            return
        if check.outcome in (PinOutcome.NO_PIN, PinOutcome.LOCKED_OUT):
            self._say(outcome_message(check, self.idle_lock.services.actor.login))

    def on_screen_resume(self) -> None:
        """An older cover that resurfaces after the console was unlocked goes away."""
        if not self.idle_lock.locked:
            self.dismiss(None)

    def _say(self, message: str) -> None:
        # Text, not markup: a message is shown exactly as written.
        self.query_one("#lock-message", Static).update(Text(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the PIN off the event loop (scrypt takes tens of milliseconds)."""
        event.stop()
        if self._checking or not event.value:
            return
        self._checking = True
        field = self.query_one("#lock-pin", Input)
        pin = field.value
        field.value = ""
        self._check(pin)

    @work(thread=True, exit_on_error=False, group="lock-pin")
    def _check(self, pin: str) -> None:
        try:
            result: PinCheck | str = verify_pin(self.idle_lock.services, pin)
        except (StoreError, ServiceError) as error:
            result = f"The PIN could not be checked: {error}"
        except Exception as error:  # the lock screen must stay up and usable whatever happens
            result = crash.incident_message(crash.report_exception(error))
        self.app.call_from_thread(self._checked, result)

    def _checked(self, result: PinCheck | str) -> None:
        self._checking = False
        if isinstance(result, str):
            self._say(result)
            return
        if result.outcome is PinOutcome.UNLOCKED:
            self.idle_lock.unlocked()
            self.dismiss(None)
            return
        self._say(outcome_message(result, self.idle_lock.services.actor.login))
