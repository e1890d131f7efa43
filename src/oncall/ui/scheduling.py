"""The console's side of the scheduler: reminders and escalations as notifications, the
due-now screen kept current, and who is on call for the status line.

ui/app.py needs only: `ConsoleScheduling(app).start()` in on_mount, `data_changed()`
when the database changed, `await stop()` on unmount, and an action opening the
due-now screen. No clinic rule lives here: it shows what the scheduler and the
services say.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from rich.text import Text

from oncall.scheduler.console import attach
from oncall.scheduler.engine import ConsoleScheduler
from oncall.services.errors import StoreError
from oncall.services.escalation_notices import (
    ALERT_ASSIGNMENT,
    EPISODE_REASSIGNMENT,
    HANDOVER,
    MANUAL_PAGE,
    SHIFT_CHANGE,
    EscalationNotice,
)
from oncall.services.reminders import Reminder, follow_ups_due
from oncall.services.rota import OnCallNow, on_call_now
from oncall.ui.screens.due_now import DueNowScreen
from oncall.ui.widgets.due_now import notice_message, reminder_message
from oncall.ui.widgets.rota_header import on_call_text

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp

ON_CALL_EVERY_S = 30.0
"""How often the on-call line is re-read (shifts change on the hour, not by the second)."""
DUE_NOW_KEY = "f6"
NOTICE_TITLES = {
    ALERT_ASSIGNMENT: "Alert assigned by a supervisor",
    EPISODE_REASSIGNMENT: "Episode handed over",
    MANUAL_PAGE: "Paged by a supervisor",
    SHIFT_CHANGE: "Your shifts changed",
}
"""Titles of notices that are not escalations (a supervisor's board actions, a rota change)."""
BOARD_ACTIONS = (ALERT_ASSIGNMENT, EPISODE_REASSIGNMENT, MANUAL_PAGE)
"""Notices of work a supervisor gave or a page they sent by hand, from the board."""


class ConsoleScheduling:
    """Owns the console's ConsoleScheduler and shows what it announces."""

    def __init__(self, app: OnCallApp) -> None:
        self.app = app
        self.scheduler: ConsoleScheduler | None = None
        self.on_call: OnCallNow | None = None
        """Who is on call, as last read (None before the first read)."""
        self.due_count = 0
        """How many of the user's follow-ups are due, as last read."""
        self.last_reminded: int | None = None
        """The follow-up the latest reminder named: F6 opens with the cursor on it."""

    def start(self) -> None:
        """Start the scheduler in the app's loop (from on_mount) and the on-call line."""
        self.scheduler = attach(
            self.app.services, on_reminder=self._reminded, on_escalation=self._escalated
        )
        self.app.bind(DUE_NOW_KEY, "due_now", description="Due now", key_display="F6")
        self.app.set_interval(ON_CALL_EVERY_S, self.read_header, name="on-call")
        self.read_header()

    def data_changed(self) -> None:
        """The database changed: the scheduler re-syncs its jobs, the header its count."""
        if self.scheduler is not None:
            self.scheduler.resync()
        self.read_header()

    async def stop(self) -> None:
        """Stop the scheduler, giving up the dispatcher lease if held."""
        if self.scheduler is not None:
            await self.scheduler.shutdown()

    def header_text(self) -> Text:
        """Who is on call and how much is due, for the status line."""
        return on_call_text(self.on_call, due=self.due_count)

    def read_header(self) -> None:
        """Re-read the rota and the due count off the event loop."""
        self.app.run_worker(
            self._read, thread=True, exit_on_error=False, group="on-call", exclusive=True
        )

    def _read(self) -> None:
        services = self.app.services
        try:
            now = on_call_now(services)
            due = len(follow_ups_due(services, services.actor.id))
        except StoreError:
            return  # the status line already says when the data is stale
        with contextlib.suppress(RuntimeError):  # the app is closing
            self.app.call_from_thread(self._read_done, now, due)

    def _read_done(self, now: OnCallNow, due: int) -> None:
        # The status line redraws itself every second and picks this up.
        self.on_call, self.due_count = now, due

    def _locked(self) -> bool:
        lock = self.app.idle_lock
        return lock is not None and lock.locked

    def _reminded(self, reminder: Reminder) -> None:
        settings = self.app.services.settings
        message = reminder_message(
            reminder, settings.zone, privacy=settings.privacy_mode, locked=self._locked()
        )
        title = "Follow-up overdue" if reminder.overdue else "Follow-up due"
        self.last_reminded = reminder.follow_up.follow_up_id
        self.app.notify(
            f"{message} Press F6, then Enter, to work it.",
            title=title,
            severity="warning",
            timeout=30,
        )
        self.app.bell()
        if isinstance(self.app.screen, DueNowScreen):
            self.app.screen.focus_follow_up = self.last_reminded
            self.app.refresh_screen(self.app.screen)
        self.read_header()

    def _escalated(self, notice: EscalationNotice) -> None:
        if notice.subject_type == HANDOVER:
            self._handed_over(notice)
            return
        title = NOTICE_TITLES.get(notice.subject_type, "Escalation")
        locked = "An escalation needs you." if title == "Escalation" else f"{title}."
        message = locked if self._locked() else notice_message(notice)
        # A rota change is news, not an emergency: a warning, and the on-call line re-read.
        shift = notice.subject_type == SHIFT_CHANGE
        if (
            notice.subject_type in BOARD_ACTIONS
            and notice.recipient_id != self.app.services.actor.id
        ):
            # A supervisor's console sees every notice: work given to someone else is news
            # there (its author included), not a call to act.
            self.app.notify(message, title=title, timeout=15)
            return
        self.app.notify(message, title=title, severity="warning" if shift else "error", timeout=30)
        self.app.bell()
        if shift:
            self.read_header()

    def _handed_over(self, notice: EscalationNotice) -> None:
        """A follow-up handed to this user (or, on a supervisor's console, to anyone)."""
        mine = notice.recipient_id == self.app.services.actor.id
        if mine:
            self.last_reminded = notice.subject_id
        message = "A follow-up was handed to you." if self._locked() else notice_message(notice)
        title = "Follow-up handed to you" if mine else "Follow-up handed over"
        self.app.notify(message, title=title, severity="warning", timeout=30)
        self.read_header()
