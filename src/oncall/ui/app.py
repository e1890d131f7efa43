"""The console app: the dashboard, live refresh, help, the command palette, the crash handler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from oncall import paths
from oncall.domain.models import Client
from oncall.domain.types import Role
from oncall.services import views
from oncall.services.client_intake import INTAKE_ROLES
from oncall.services.context import ServiceContext
from oncall.services.errors import StoreError
from oncall.ui import crash
from oncall.ui.base import OnCallScreen
from oncall.ui.freshness import Freshness
from oncall.ui.idle import LockableApp
from oncall.ui.live import LiveRefresh
from oncall.ui.messages import DataChanged
from oncall.ui.palette import RecordsProvider
from oncall.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from oncall.services.demo_feed import DemoFeed
    from oncall.ui.scheduling import ConsoleScheduling


class QuitConfirmScreen(ConfirmScreen):
    """The question asked before quitting (ctrl+q again quits at once)."""


def _unsaved_work(screen: Screen[Any]) -> str | None:
    """What typing on `screen` would be lost (forms say so through `unsaved_work()`)."""
    check = getattr(screen, "unsaved_work", None)
    return check() if callable(check) else None


SUPERVISING = (Role.SUPERVISOR, Role.ADMIN)
"""Roles that see the supervisor board (F2)."""

SCHEDULER_AFTER_S = 0.2
"""How long after the first screen is painted the scheduler starts loading: the queue
comes first. Nothing is missed meanwhile: on start the scheduler re-reads every pending
follow-up and escalation from the database, including any that fell due before it ran."""


class OnCallApp(LockableApp[None]):
    """The on-call console for one acting user."""

    CSS_PATH = str(paths.styles_dir() / "oncall.tcss")
    TITLE = "oncall"
    COMMANDS = App.COMMANDS | {RecordsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Keys", key_display="?"),
        Binding("f2", "supervisor_board", "Board"),
        Binding("f3", "shift_handoff", "Shift handoff"),
        Binding("f4", "feeds", "Feeds"),
        Binding("f5", "episode_history", "History"),
        Binding("f7", "new_client", "New client", tooltip="Add a client (intake)"),
        Binding(
            "f8",
            "open_rota",
            "Rota",
            tooltip="The rota; supervisors cover or swap shifts",
            show=False,  # in the help (F1) and the palette; the footer is full
        ),
        Binding("f9", "toggle_privacy", "Privacy"),
    ]

    def __init__(
        self,
        services: ServiceContext,
        *,
        demo_feed: DemoFeed | None = None,
        demo: bool = False,
        start_on_board: bool = False,
        scheduler: bool = False,
    ) -> None:
        super().__init__()
        self.services = services
        """The acting user's context: store, actor, clock and settings."""
        self.demo_feed = demo_feed
        """The simulated alert feed of `oncall demo`, if running."""
        self.demo_mode = demo or demo_feed is not None
        """Whether this is the demo console (marked on the status line)."""
        self.freshness = Freshness(services.settings.stale_after_s)
        """When the data on screen was last confirmed current."""
        self.change_generation = 0
        """Counts refreshes, so a screen coming back to the top knows it missed some."""
        self.live = LiveRefresh(self)
        self.start_on_board = start_on_board
        """Open on the supervisor board (the wall display of `oncall serve`)."""
        self.want_scheduler = scheduler
        """Whether this console runs the scheduler (off in most tests)."""
        self.scheduling: ConsoleScheduling | None = None
        """Reminders, escalation notices and the dispatcher, once started."""
        self.privacy_locked = False
        """Privacy mode may not be turned off (a console served to a browser by oncall serve)."""

    def get_default_screen(self) -> Screen[Any]:
        """The live queue."""
        from oncall.ui.screens.dashboard import DashboardScreen

        return DashboardScreen()

    def on_mount(self) -> None:
        """Start live refresh (and the demo feed)."""
        from oncall.ui.hangup import install_hangup, offer_drafts

        self.live.start()
        install_hangup(self)
        lock = self.install_idle_lock(self.services)
        if lock.locked:  # toasts are hidden behind the lock: say it once the PIN is in
            lock.when_unlocked.append(lambda: offer_drafts(self))
        else:
            offer_drafts(self)
        if self.demo_feed is not None:
            self.set_interval(self.demo_feed.interval_s, self._demo_tick, name="demo-feed")
        if self.start_on_board:
            self.action_supervisor_board()
        if self.want_scheduler:
            self.call_after_refresh(self.set_timer, SCHEDULER_AFTER_S, self._load_scheduling)

    def _load_scheduling(self) -> None:
        # APScheduler and the reminder services take a tenth of a second to import: done in
        # a thread so keys typed meanwhile are handled, then started on the event loop.
        self.run_worker(
            self._import_scheduling, thread=True, group="scheduler", exit_on_error=False
        )

    def _import_scheduling(self) -> None:
        from oncall.ui.scheduling import ConsoleScheduling

        with contextlib.suppress(RuntimeError):  # the app closed first
            self.call_from_thread(self._start_scheduling, ConsoleScheduling)

    def _start_scheduling(self, scheduling: type[ConsoleScheduling]) -> None:
        if self.scheduling is None and self.is_running:
            self.scheduling = scheduling(self)
            self.scheduling.start()

    async def on_unmount(self) -> None:
        """Stop polling and the scheduler (giving up the dispatcher lease if held)."""
        self.live.stop()
        if self.scheduling is not None:
            await self.scheduling.stop()

    def refresh_screen(self, screen: OnCallScreen[Any]) -> None:
        """Re-read one screen now (used when it comes back to the top)."""
        self.live.refresh_screen(screen)

    def on_data_changed(self, message: DataChanged) -> None:
        """A write in this process: refresh at once rather than at the next poll."""
        self.live.refresh_now()
        if self.scheduling is not None:
            self.scheduling.data_changed()

    def _demo_tick(self) -> None:
        feed = self.demo_feed
        if feed is not None:
            self.run_worker(feed.bring_one, thread=True, exit_on_error=False, group="demo-feed")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that failed: a redacted report and a message; the console stays up."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            incident = crash.report_exception(event.worker.error)
            self.notify(crash.incident_message(incident), severity="error", timeout=15)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the user's role does not allow are neither listed nor run."""
        if action == "supervisor_board" and self.services.actor.role not in SUPERVISING:
            return False
        if action == "new_client" and self.services.actor.role not in INTAKE_ROLES:
            return False
        return super().check_action(action, parameters)

    def action_supervisor_board(self) -> None:
        """Open the supervisor board (supervisors and admins)."""
        from oncall.ui.screens.supervisor import SupervisorScreen

        if self.services.actor.role not in SUPERVISING:
            self.notify("The supervisor board is for supervisors and admins.", severity="warning")
        elif not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen())

    def action_shift_handoff(self) -> None:
        """Show the end-of-shift summary (W11)."""
        from oncall.ui.screens.shift_handoff import ShiftHandoffScreen

        if not isinstance(self.screen, ShiftHandoffScreen):
            self.push_screen(ShiftHandoffScreen())

    def action_due_now(self) -> None:
        """The user's follow-ups that have come due and plans due for review (F6)."""
        from oncall.ui.screens.due_now import DueNowScreen

        if not isinstance(self.screen, DueNowScreen):
            self.push_screen(DueNowScreen())

    def action_feeds(self) -> None:
        """Each feed's state and the records it rejected, with their reasons."""
        from oncall.ui.screens.quarantine import QuarantineScreen

        if not isinstance(self.screen, QuarantineScreen):
            self.push_screen(QuarantineScreen())

    def action_episode_history(self) -> None:
        """Every episode the user may see, newest first."""
        from oncall.ui.screens.episode_history import EpisodeHistoryScreen

        if not isinstance(self.screen, EpisodeHistoryScreen):
            self.push_screen(EpisodeHistoryScreen())

    def action_new_client(self) -> None:
        """Add a client (intake); their record opens once saved."""
        from oncall.ui.navigation import open_client
        from oncall.ui.screens.forms.client_details import ClientDetailsForm

        def saved(client: Client | None) -> None:
            if client is not None:
                self.notify(f"Client {client.external_ref} added.", markup=False)
                open_client(self, client.id)

        if self.services.actor.role not in INTAKE_ROLES:
            self.notify("Adding a client is for clinicians, case managers and supervisors.")
        elif not isinstance(self.screen, ClientDetailsForm):
            self.push_screen(ClientDetailsForm(self.services), saved)

    def action_open_rota(self) -> None:
        """Show the rota (F8)."""
        from oncall.ui.navigation import open_rota
        from oncall.ui.screens.rota import RotaScreen

        if not isinstance(self.screen, RotaScreen):
            open_rota(self)

    def action_toggle_privacy(self) -> None:
        """Mask names (initials) and hide phone numbers and addresses, or show them again."""
        settings = self.services.settings
        if self.privacy_locked:
            self.notify("Privacy mode stays on in a console served to a browser.")
            return
        self.services.settings = replace(settings, privacy_mode=not settings.privacy_mode)
        state = "on: initials only, no phone numbers" if not settings.privacy_mode else "off"
        self.notify(f"Privacy mode {state}.")
        if isinstance(self.screen, OnCallScreen):
            self.refresh_screen(self.screen)
        masking = getattr(self.screen, "privacy_changed", None)  # a client form open on top
        if callable(masking):
            masking()

    def action_help(self) -> None:
        """Show every key of the current screen."""
        from oncall.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit; asked first when typing would be lost or an imminent episode is still open."""
        if self.idle_lock is not None and self.idle_lock.locked:
            # Behind the lock nothing can be answered; the next start must ask for the PIN.
            await asyncio.to_thread(self.idle_lock.wait_until_kept)
            self.exit()
            return
        if isinstance(self.screen, QuitConfirmScreen):
            self.exit()  # ctrl+q twice means it
            return
        reasons = self._reasons_to_stay()
        if not reasons:
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(
            QuitConfirmScreen("Quit oncall?", detail="\n".join(reasons), yes="Quit", no="Stay"),
            answered,
        )

    def _reasons_to_stay(self) -> list[str]:
        reasons = [
            f"What you typed in “{work}” is not saved and would be lost."
            for work in map(_unsaved_work, self.screen_stack)
            if work
        ]
        try:
            imminent = views.open_imminent_episodes(self.services)
        except StoreError:
            imminent = 0  # the status line already says the data cannot be read
        if imminent:
            noun = "episode" if imminent == 1 else "episodes"
            reasons.append(
                f"You have {imminent} open {noun} with an IMMINENT alert: make sure someone "
                "else is on it before you go."
            )
        return reasons

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, without "Screenshot": it writes client data to disk."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would put client data in a file outside the database."""
        self.notify("Screenshots are turned off: they would copy client data to disk.")

    def _handle_exception(self, error: Exception) -> None:
        """Replace Textual's crash output (a traceback with locals) with a redacted report."""
        incident = crash.report_exception(error)
        self._return_code = 1
        if self._exception is None:  # keep Pilot's re-raise for tests
            self._exception = error
            self._exception_event.set()
        self.bell()
        self._exit_renderables.append(Text(crash.fatal_message(incident)))
        self._close_messages_no_wait()
