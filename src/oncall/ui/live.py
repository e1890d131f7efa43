"""Live refresh: poll SQLite's data_version off the event loop and re-read the screen on change.

The poll runs in a thread because the connection is shared: while a write waits for
another process's lock (up to the busy timeout) the poll waits too, and the event
loop must stay free to show that the data has gone stale. It is one thread for the
console's life (ui/poll_thread.py), not one per poll.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from textual.timer import Timer

from oncall.services.errors import DatabaseLocked, DiskFull, StoreError
from oncall.ui import crash
from oncall.ui.base import OnCallScreen
from oncall.ui.imminent import ImminentWatch
from oncall.ui.poll_thread import PollThread
from oncall.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp


def failure_reason(error: StoreError) -> str:
    """A store error as a few words for the status line (the full message goes to a notice)."""
    if isinstance(error, DatabaseLocked):
        return "the database is busy"
    if isinstance(error, DiskFull):
        return "the disk is full"
    return "the database cannot be read"


class LiveRefresh:
    """Keeps the active screen in step with the database, and the freshness record honest."""

    def __init__(self, app: OnCallApp) -> None:
        self.app = app
        self._version: int | None = None
        self._in_flight = False
        self._timer: Timer | None = None
        self._reported: set[str] = set()
        self._missed_while_locked = False
        self.imminent = ImminentWatch(app)
        """Rings and tells when an IMMINENT alert arrives while the queue is out of sight."""
        self.poller: PollThread[tuple[int | None, StoreError | None]] = PollThread(
            self._poll, self._answered, name="live-poll"
        )
        """The one thread that reads the data version, for as long as the console runs."""
        # The version the first screen reads at: only a later change needs a refresh.
        with contextlib.suppress(StoreError):
            self._version = app.services.store.data_version()

    def start(self) -> None:
        """Begin polling at the configured interval."""
        interval = self.app.services.settings.refresh_interval_s
        self.poller.start()
        self._timer = self.app.set_interval(interval, self._tick, name="live-refresh")

    def _tick(self) -> None:
        lock = self.app.idle_lock
        if self._missed_while_locked and not (lock is not None and lock.locked):
            self._missed_while_locked = False
            self.refresh_now()  # what changed behind the lock, even beneath a dialog
        if self._in_flight:
            # The last poll has not come back: let the status line judge the age.
            self._redraw_status()
            return
        self._in_flight = True
        self.poller.request()

    def stop(self) -> None:
        """Stop polling (the console is closing)."""
        if self._timer is not None:
            self._timer.stop()
        self.poller.stop()

    def _poll(self) -> tuple[int | None, StoreError | None]:
        """Runs on the poll thread."""
        try:
            return self.app.services.store.data_version(), None
        except StoreError as failure:
            return None, failure
        except Exception as error:  # a fault must not end the poll thread unseen
            crash.report_exception(error)
            return None, None

    def _answered(self, answer: tuple[int | None, StoreError | None]) -> None:
        self._polled(*answer)

    def _polled(self, version: int | None, error: StoreError | None) -> None:
        self._in_flight = False
        if error is not None or version is None:
            self.app.freshness.failed(failure_reason(error) if error else "no answer")
            self._redraw_status()
            return
        if version != self._version:
            self._version = version
            self.refresh_now()
        else:
            # Nothing changed: the status line redraws itself every second, which is as
            # often as its text can change (a redraw per poll: ~1% of a core per idle console).
            self.app.freshness.succeeded(self.app.services.clock.now())

    def refresh_now(self) -> None:
        """Re-read the screen the user is looking at (beneath any dialog) now."""
        self.app.change_generation += 1
        # Before the lock check: behind the lock the bell still calls the clinician back.
        self.imminent.check()
        if self.app.idle_lock is not None and self.app.idle_lock.locked:
            # Nobody is looking behind the lock: no reads, no audited views in the user's
            # name. The next tick after unlocking catches up.
            self._missed_while_locked = True
            return
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, OnCallScreen):
                self.refresh_screen(screen)
                break
        else:
            self.app.freshness.succeeded(self.app.services.clock.now())
        self._redraw_status()

    def refresh_screen(self, screen: OnCallScreen[object]) -> None:
        """Re-read one screen, recording success or failure in the freshness record."""
        if not screen.ready_for_data:
            # Pushed but not mounted yet (the data changed as it opened): its on_mount
            # makes the first read, once its table has columns and its fields exist.
            return
        try:
            screen.refresh_data()
        except StoreError as error:
            self.app.freshness.failed(failure_reason(error))
            return
        except Exception as error:  # a fault in a screen must not end the console
            where = type(screen).__name__
            self.app.freshness.failed(f"{where} could not show the latest data")
            if where not in self._reported:
                self._reported.add(where)
                incident = crash.report_exception(error)
                self.app.notify(crash.incident_message(incident), severity="error", timeout=15)
            return
        screen.seen_generation = self.app.change_generation
        self.app.freshness.succeeded(self.app.services.clock.now())

    def _redraw_status(self) -> None:
        for line in self.app.screen.query(StatusLine):
            line.refresh()
