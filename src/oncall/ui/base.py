"""The base of every console screen: the status line, live refresh, and safe service calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError, StoreError
from oncall.ui import crash
from oncall.ui.messages import DataChanged
from oncall.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp

T = TypeVar("T")
R = TypeVar("R")


class OnCallScreen(Screen[T]):
    """A console screen: shows the status line and re-reads its data when the database changes.

    Subclasses override `refresh_data()` to re-read what they show; it is called once
    when the screen is mounted (after the subclass's own on_mount) and again whenever
    another process (or this one) committed a change. Writes go through
    `run_service()`, which runs the call off the event loop and turns every error
    into a message on screen.
    """

    seen_generation: int = -1
    ready_for_data: bool = False
    """Set by on_mount just before the first read: until then the screen's own on_mount
    (columns, fields) has not run, and a refresh from the live poll must wait for it."""
    """The app's change generation this screen last refreshed at (see OnCallApp)."""

    @property
    def services(self) -> ServiceContext:
        """The acting user's service context (store, actor, clock, settings)."""
        return self.oncall_app.services

    @property
    def oncall_app(self) -> OnCallApp:
        """The running console app, typed."""
        return cast("OnCallApp", self.app)

    def refresh_data(self) -> None:
        """Re-read what the screen shows from the database; called on every change."""

    def on_mount(self) -> None:
        """Put the status line at the top, then the first read (after the subclass's on_mount)."""
        if not self.query(StatusLine):
            self.mount(StatusLine(), before=0 if self.children else None)
        self.ready_for_data = True
        self.oncall_app.refresh_screen(self)

    def on_screen_resume(self) -> None:
        """Catch up on changes made while another screen was on top."""
        if self.seen_generation != self.oncall_app.change_generation:
            self.oncall_app.refresh_screen(self)

    def run_service(
        self,
        action: Callable[[], R],
        *,
        on_success: Callable[[R], None] | None = None,
        on_refused: Callable[[ServiceError], None] | None = None,
        reason: str = "change",
    ) -> None:
        """Run a service call in a thread; refusals and store errors become notifications.

        On success `on_success(result)` runs on the event loop and the screen refreshes.
        A ServiceError (a refusal, a lost race) is shown as a warning, then
        `on_refused(error)` runs; a StoreError (locked, disk full) as an error. Anything
        unexpected is written to a redacted incident report and named by its id.
        """

        def work() -> None:
            try:
                result = action()
            except ServiceError as error:
                self.app.call_from_thread(self._refused, error, on_refused)
            except StoreError as error:
                self.app.call_from_thread(
                    self.notify, str(error), severity="error", timeout=10, markup=False
                )
            except Exception as error:  # everything else: report it, keep the console up
                incident = crash.report_exception(error)
                self.app.call_from_thread(
                    self.notify, crash.incident_message(incident), severity="error", timeout=15
                )
            else:
                if on_success is not None:
                    self.app.call_from_thread(on_success, result)
                self.app.post_message(DataChanged(reason))

        self.run_worker(work, thread=True, exit_on_error=False, group="service")

    def _refused(
        self, error: ServiceError, on_refused: Callable[[ServiceError], None] | None
    ) -> None:
        self.notify(str(error), title="Not done", severity="warning", timeout=10, markup=False)
        if on_refused is not None:
            on_refused(error)
        # A lost race means the database moved on: show what it holds now.
        self.app.post_message(DataChanged("refused"))

    def read_safely(self, read: Callable[[], R], default: R) -> R:
        """Run a read on the event loop; a store error becomes a notification and `default`."""
        try:
            return read()
        except StoreError as error:
            self.notify(str(error), severity="error", timeout=10, markup=False)
            return default
