"""The downtime console: the pack's screens, read-only, with no database and no network."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from oncall.clock import Clock, SystemClock
from oncall.domain.downtime_journal import JournalEntry
from oncall.domain.downtime_pack import DowntimePack
from oncall.services.downtime_journal import JournalFile
from oncall.services.errors import ServiceError
from oncall.ui import crash
from oncall.ui.downtime.clients import ClientsScreen

IDLE_CHECK_S = 5.0
"""How often idleness is checked (the lock comes at most this late)."""


class DowntimeApp(App[None]):
    """`oncall downtime open`: clients (Enter opens one), the rota (r), resources (d)."""

    TITLE = "oncall — downtime copy"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f12", "lock", "Lock", show=False)]

    def __init__(
        self,
        pack: DowntimePack,
        *,
        stale_after_minutes: float = 60.0,
        clock: Clock | None = None,
        journal: JournalFile | None = None,
        passphrase: str | None = None,
        lock_after_minutes: float = 0.0,
    ) -> None:
        super().__init__()
        self.pack = pack
        """The decrypted pack: read, never written."""
        self.journal = journal
        """Where what is done meanwhile is written (None: the screens are read-only)."""
        self.clock = clock or SystemClock()
        self.stale_after = timedelta(minutes=stale_after_minutes)
        """Past this age the banner turns red."""
        self._passphrase = passphrase
        self.lock_after = (
            timedelta(minutes=lock_after_minutes) if passphrase and lock_after_minutes > 0 else None
        )
        """Idle time after which the copy locks (None: never by itself)."""
        self.locked = False
        self.last_input = self.clock.now()

    def on_mount(self) -> None:
        """Watch for idleness."""
        if self.lock_after is not None:
            self.set_interval(IDLE_CHECK_S, self.lock_if_idle)

    async def on_event(self, event: events.Event) -> None:
        """Note every key and mouse event as activity."""
        if not self.locked and isinstance(event, (events.Key, events.MouseEvent, events.Paste)):
            self.last_input = self.clock.now()
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock once idle for `lock_after`."""
        if self.lock_after is not None and self.clock.now() - self.last_input >= self.lock_after:
            self.action_lock()

    def action_lock(self) -> None:
        """Cover everything with the lock screen (F12, or when idle)."""
        if self.locked or not self._passphrase:
            return
        from oncall.ui.downtime.lock import DowntimeLockScreen

        self.locked = True
        self.push_screen(DowntimeLockScreen())

    def passphrase_matches(self, typed: str) -> bool:
        """Whether `typed` is the pack's passphrase (compared in constant time)."""
        expected = (self._passphrase or "").encode()
        return bool(expected) and hmac.compare_digest(typed.encode(), expected)

    def unlocked(self) -> None:
        """The lock screen was opened with the passphrase."""
        self.locked = False
        self.last_input = self.clock.now()

    def get_default_screen(self) -> Screen[Any]:
        """The list of the pack's clients."""
        return ClientsScreen()

    def action_show_rota(self) -> None:
        """The seven days of the rota with phones."""
        from oncall.ui.downtime.rota import PackRotaScreen

        self.push_screen(PackRotaScreen())

    def action_show_resources(self) -> None:
        """The national lines and the counties' crisis entries."""
        from oncall.ui.downtime.resources import PackResourcesScreen

        self.push_screen(PackResourcesScreen())

    def journal_entries(self, client_ref: str) -> list[JournalEntry]:
        """What the journal holds for one client, oldest first."""
        if self.journal is None:
            return []
        return [e for e in self.journal.journal.entries if e.client_ref == client_ref]

    def add_journal_entry(self, entry: JournalEntry | None) -> bool:
        """Write the entry to the encrypted journal at once; False (and said) if it failed."""
        if entry is None or self.journal is None:
            return False
        try:
            self.journal.add(entry)
        except ServiceError as error:
            self.notify(str(error), severity="error", timeout=30)
            return False
        count = len(self.journal.journal.entries)
        self.notify(f"Saved to the downtime journal ({count} entr{'y' if count == 1 else 'ies'}).")
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, without "Screenshot": it writes client data to disk."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would put client data in a file."""
        self.notify("Screenshots are turned off: they would copy client data to disk.")

    def _handle_exception(self, error: Exception) -> None:
        """A redacted report instead of Textual's traceback with locals (client data)."""
        incident = crash.report_exception(error)
        self._return_code = 1
        if self._exception is None:  # keep Pilot's re-raise for tests
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(Text(crash.fatal_message(incident)))
        self._close_messages_no_wait()
