"""The console's few lines of wiring: `attach()` once started, `resync()` on change, `shutdown()`.

The console's side lives in ui/scheduling.py (`ConsoleScheduling`, which ui/app.py starts
a moment after the first screen is painted):

    # ui/scheduling.py
    def start(self) -> None:
        self.scheduler = attach(
            self.app.services, on_reminder=self._reminded, on_escalation=self._escalated
        )

    def data_changed(self) -> None:   # a write in this process (others: the scheduler watches)
        if self.scheduler is not None:
            self.scheduler.resync()

    async def stop(self) -> None:     # from the app's on_unmount
        if self.scheduler is not None:
            await self.scheduler.shutdown()

Callbacks run on the event loop, so they may touch widgets directly; they must
return quickly. Nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable

from oncall.domain.types import Role
from oncall.scheduler.engine import ConsoleScheduler, SchedulerTiming
from oncall.scheduler.hooks import DispatchHook
from oncall.scheduler.plan import EVERYONE, Audience
from oncall.services.context import ServiceContext
from oncall.services.escalation_notices import EscalationNotice
from oncall.services.reminders import Reminder

ReminderCallback = Callable[[Reminder], None]
NoticeCallback = Callable[[EscalationNotice], None]


def notice_audience(ctx: ServiceContext) -> Audience:
    """Whose escalation notices a console shows: a supervisor sees everyone's, others their own."""
    if ctx.actor.role in (Role.SUPERVISOR, Role.ADMIN):
        return EVERYONE
    return ctx.actor.id


def attach(
    ctx: ServiceContext,
    on_reminder: ReminderCallback,
    on_escalation: NoticeCallback | None = None,
    *,
    on_dispatcher_change: Callable[[bool], None] | None = None,
    timing: SchedulerTiming | None = None,
    hooks: dict[str, DispatchHook] | None = None,
) -> ConsoleScheduler:
    """Start the console's scheduler in the running loop and return it.

    The console shows its user's follow-up reminders (`on_reminder`, within a
    second of due; what fell due while it was closed fires at once, marked
    overdue) and the escalation steps addressed to its user (`on_escalation`).
    It also competes for the dispatcher lease, so escalations happen with only
    consoles open; `oncall worker` does the same headless.
    """
    scheduler = ConsoleScheduler(
        ctx,
        on_reminder=on_reminder,
        on_escalation=on_escalation,
        on_dispatcher_change=on_dispatcher_change,
        reminders_for=ctx.actor.id,
        notices_for=notice_audience(ctx),
        timing=timing,
        hooks=hooks,
        role=f"console-{ctx.actor.login}",
    )
    scheduler.start()
    return scheduler
