"""Idle lock: after `settings.idle_lock_minutes` without a key or mouse event the console locks.

Install by deriving the app from `LockableApp` and calling `self.idle_lock.start()` once
it is mounted (`install_idle_lock` builds the IdleLock). F12 locks at once. Idle time is
measured with the services clock, so tests advance a FrozenClock instead of waiting.

While locked:
- every screen change (a dialog pushed by a timer, a pop, a mode switch) is covered
  again by a fresh lock screen in the same instant, before anything is drawn;
- app-level actions other than quitting are refused, so no key reaches the console
  behind the cover;
- a user locked out by five wrong PINs stays locked across restarts: the console
  starts on the lock screen until a supervisor runs `oncall staff unlock`;
- so does a console quit, or cut off, behind the lock screen: the lock is kept per
  staff member in the database until the right PIN is entered, so ctrl+q and a
  restart (or a dropped connection and a new login) never skip the PIN.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer

from oncall.services.context import ServiceContext
from oncall.services.drafts import remember_lock, starts_locked
from oncall.services.errors import ServiceError, StoreError
from oncall.services.pin import PinOutcome, pin_status
from oncall.ui.screens.lock import LockScreen
from oncall.ui.typeahead import TypeaheadSafeApp

ReturnType = TypeVar("ReturnType")

LOCK_KEY = "f12"
ALLOWED_WHILE_LOCKED = frozenset(
    {"quit", "help_quit", "focus_next", "focus_previous", "bell", "lock_console"}
)
"""App actions that still run behind the lock screen: leaving, and moving focus on it."""
INPUT_EVENTS = (events.Key, events.MouseEvent, events.Paste)

log = logging.getLogger(__name__)


class IdleLock:
    """Tracks the last input and locks the console when idle too long (or when asked)."""

    def __init__(
        self,
        app: App[Any],
        services: ServiceContext,
        *,
        idle_minutes: float | None = None,
        check_every_s: float = 1.0,
    ) -> None:
        self.app = app
        self.services = services
        """The acting user's context: whose PIN opens the lock, and the clock idle time runs on."""
        minutes = services.settings.idle_lock_minutes if idle_minutes is None else idle_minutes
        # Zero or less: no idle lock (the key still locks); a setting, not a default.
        self.idle_after: timedelta | None = timedelta(minutes=minutes) if minutes > 0 else None
        self.check_every_s = check_every_s
        self.locked = False
        """Whether the console is behind the lock screen now."""
        self.last_input: datetime = services.clock.now()
        self._timer: Timer | None = None
        self.when_unlocked: list[Callable[[], None]] = []
        """Called once the PIN is entered (what a locked start had to say waits for it)."""
        self._kept = threading.Event()
        """Set once the lock is in the database (a quit behind the lock waits for it)."""

    def start(self) -> None:
        """Begin watching (call once the app is mounted)."""
        self.last_input = self.services.clock.now()
        self.app.screen_change_signal.subscribe(self.app, self._screen_changed, immediate=True)
        self._timer = self.app.set_interval(self.check_every_s, self.check, name="idle-lock")
        try:
            locked_out = pin_status(self.services).outcome is PinOutcome.LOCKED_OUT
            left_locked = starts_locked(self.services)
        except (StoreError, ServiceError):
            locked_out = left_locked = False
        if locked_out:
            self.lock("locked_out")
        elif left_locked:
            self.lock("left_locked")

    def saw(self, event: events.Event) -> None:
        """Note a key press, mouse event or paste as the user being present."""
        if not self.locked and isinstance(event, INPUT_EVENTS):
            self.last_input = self.services.clock.now()

    def idle_for(self) -> timedelta:
        """How long since the last input."""
        return self.services.clock.now() - self.last_input

    def check(self) -> None:
        """Lock if the console has been idle for the configured time."""
        if not self.locked and self.idle_after is not None and self.idle_for() >= self.idle_after:
            self.lock("idle")

    def lock(self, reason: str = "key") -> None:
        """Hide everything behind the lock screen now (audited)."""
        if self.locked:
            return
        self.locked = True
        self._kept.clear()
        self._cover()
        log.info("console locked (%s): staff %d", reason, self.services.actor.id)
        # The audit entry is written off the event loop: locking must never wait on a busy
        # database (it would delay the cover being drawn).
        self.app.run_worker(
            partial(self._audit_lock, reason),
            thread=True,
            exit_on_error=False,
            group="idle-lock-audit",
        )

    def _audit_lock(self, reason: str) -> None:
        try:
            with contextlib.suppress(StoreError):
                remember_lock(self.services, reason)
        finally:
            self._kept.set()

    def wait_until_kept(self, timeout_s: float = 3.0) -> None:
        """Block (in a thread) until the lock is stored, so the next start finds it."""
        self._kept.wait(timeout_s)

    def unlocked(self) -> None:
        """The right PIN was entered: the console is open again."""
        self.locked = False
        self.last_input = self.services.clock.now()
        waiting, self.when_unlocked = self.when_unlocked, []
        for call in waiting:
            call()

    def allows(self, action: str) -> bool:
        """Whether an app-level action may run now."""
        return not self.locked or action in ALLOWED_WHILE_LOCKED

    def _cover(self) -> None:
        self.app.push_screen(LockScreen(self))

    def _screen_changed(self, screen: Screen[Any]) -> None:
        # Runs inside push/pop/switch, before the next frame is drawn.
        if self.locked and not isinstance(screen, LockScreen):
            self._cover()


class LockableApp(TypeaheadSafeApp[ReturnType]):
    """An App with the idle lock wired in: input tracking, the lock key, refused actions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(LOCK_KEY, "lock_console", "Lock", key_display="F12", priority=True),
    ]

    idle_lock: IdleLock | None = None
    """The idle lock, once installed."""

    def install_idle_lock(self, services: ServiceContext, **options: Any) -> IdleLock:
        """Create and start the idle lock for the acting user (call from on_mount)."""
        self.idle_lock = IdleLock(self, services, **options)
        self.idle_lock.start()
        return self.idle_lock

    async def on_event(self, event: events.Event) -> None:
        """See every input event first, to know the user is present."""
        if self.idle_lock is not None:
            self.idle_lock.saw(event)
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Refuse app actions behind the lock screen (quitting is still allowed)."""
        if self.idle_lock is not None and not self.idle_lock.allows(action):
            return False
        return super().check_action(action, parameters)

    def action_lock_console(self) -> None:
        """Lock the console now."""
        if self.idle_lock is not None:
            self.idle_lock.lock("key")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands plus "Lock the console"."""
        yield from super().get_system_commands(screen)
        if self.idle_lock is not None:
            yield SystemCommand(
                "Lock the console",
                "Hide everything until your PIN is entered (F12)",
                self.action_lock_console,
            )
