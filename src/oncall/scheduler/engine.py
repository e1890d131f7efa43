"""ConsoleScheduler: APScheduler in the running event loop, its jobs rebuilt from the database.

One date job for each of the soonest pending follow-up reminders and next alert or
handoff deadlines (at most about a thousand, however many alerts wait), kept equal to
the database by key (jobs.py), and one that reads the plan again when the first one
left out falls due (plan.py's horizon); an interval job watches
for commits by other processes, one keeps the dispatcher lease, one runs the
dispatcher's round while the lease is held. Jobs live in memory only
(PITFALLS: never a shared job store); every side effect claims its row, so
several consoles and workers may run this at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from oncall.scheduler.announce import NoticeWatch, ReminderDesk, call_safely
from oncall.scheduler.dispatcher import Dispatcher
from oncall.scheduler.hooks import DispatchHook
from oncall.scheduler.jobs import JobTable, SyncReport
from oncall.scheduler.lease import LeaseKeeper, new_holder_id
from oncall.scheduler.plan import Audience, JobKind, Plan, read_plan
from oncall.scheduler.timing import SchedulerTiming
from oncall.services.context import ServiceContext
from oncall.services.escalation import dispatcher_actor
from oncall.services.escalation_notices import EscalationNotice
from oncall.services.reminders import Reminder
from oncall.store.db import Store, connect

log = logging.getLogger("oncall.scheduler")
# APScheduler's own warnings must never reach a terminal the console is drawing on.
logging.getLogger("apscheduler").addHandler(logging.NullHandler())

T = TypeVar("T")
HORIZON = "horizon"
"""The job that reads the plan again when the first job it left out falls due."""
HORIZON_PAUSE_S = 1.0
"""A horizon already past is read again no sooner than this (the dispatcher's tick)."""

__all__ = ["ConsoleScheduler", "SchedulerTiming", "SyncReport"]


class ConsoleScheduler:
    """The scheduler of one console (or of `oncall worker`); start it inside the running loop."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        on_reminder: Callable[[Reminder], None] | None = None,
        on_escalation: Callable[[EscalationNotice], None] | None = None,
        on_dispatcher_change: Callable[[bool], None] | None = None,
        reminders_for: Audience = None,
        notices_for: Audience = None,
        dispatch: bool = True,
        timing: SchedulerTiming | None = None,
        hooks: Mapping[str, DispatchHook] | None = None,
        role: str = "console",
    ) -> None:
        self._ctx = ctx
        self._on_reminder = on_reminder
        self._on_escalation = on_escalation
        self._on_dispatcher_change = on_dispatcher_change
        self._reminders_for: Audience = reminders_for if on_reminder else None
        self._notices_for: Audience = notices_for if on_escalation else None
        self._dispatch_enabled = dispatch
        self.timing = timing or SchedulerTiming()
        self._hooks = hooks
        self.holder = new_holder_id(role)
        """This process's name in the leases and claims tables."""
        self._is_worker = role == "worker"
        self._jobs = JobTable(ctx.clock, self._job_fired)
        self._store: Store | None = None
        self._hooks_store: Store | None = None
        self._own: ServiceContext = ctx
        self._dispatcher: Dispatcher | None = None
        self._desk: ReminderDesk | None = None
        self._notices: NoticeWatch | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._sync_lock = asyncio.Lock()
        self._resync_again = False
        self._data_version: int | None = None
        self._horizon: datetime | None = None
        self.ready: asyncio.Task[SyncReport] | None = None
        """The start-up rebuild; await it to know every job is in."""
        self.started_at: datetime | None = None
        """Start time by the injected clock; a reminder due before it fires marked overdue."""

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return self._jobs.running

    @property
    def is_dispatcher(self) -> bool:
        """True while this process holds the dispatcher lease."""
        return self._dispatcher is not None and self._dispatcher.lease.is_held()

    @property
    def dispatcher(self) -> Dispatcher | None:
        """The dispatcher role (None when this scheduler does not compete for the lease)."""
        return self._dispatcher

    @property
    def planned(self) -> int:
        """How many date jobs the database calls for."""
        return len(self._jobs.planned)

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> asyncio.Task[SyncReport]:
        """Start inside the running loop (on_mount); await the returned task for the rebuild."""
        asyncio.get_running_loop()  # a clear RuntimeError outside a loop, before anything opens
        if self.running:
            raise RuntimeError("The scheduler is already running")
        # Its own connection: a slow write here never holds up the console's reads.
        self._store = connect(self._ctx.store.path, create=False, migrate=False)
        self._own = replace(self._ctx, store=self._store)
        self.started_at = self._ctx.clock.now()
        self._desk = ReminderDesk(self._own, self.holder, self.started_at, self._on_reminder)
        if self._on_escalation is not None and self._notices_for is not None:
            recipient = self._notices_for if isinstance(self._notices_for, int) else None
            self._notices = NoticeWatch(self._own, recipient, self._on_escalation)
        if self._dispatch_enabled:
            dispatch_ctx = replace(self._own, actor=dispatcher_actor())
            # The hooks get a connection of their own: a feed or delivery that reads on the
            # loop never waits behind an escalation transaction in a worker thread.
            self._hooks_store = connect(self._ctx.store.path, create=False, migrate=False)
            hooks_ctx = replace(dispatch_ctx, store=self._hooks_store)
            lease = LeaseKeeper(
                self._store,
                self.holder,
                ttl_s=self.timing.lease_ttl_s,
                worker=self._is_worker,
            )
            self._dispatcher = Dispatcher(
                dispatch_ctx, lease, self._hooks, self._spawn, hooks_ctx=hooks_ctx
            )
        self._jobs.start()
        self.ready = self._spawn(self._boot())
        return self.ready

    async def _boot(self) -> SyncReport:
        assert self._store is not None
        if self._notices is not None:
            await self._notices.begin()
        self._data_version = await asyncio.to_thread(self._store.data_version)
        report = await self.resync_now()
        self._jobs.every("watch", self.timing.watch_every_s)
        if self._dispatcher is not None:
            self._jobs.every("lease", self.timing.renew_every_s)
            self._jobs.every("dispatch", self.timing.dispatch_every_s)
        self._jobs.resume()
        log.info("scheduler started: %d jobs in %.3f s", report.jobs, report.seconds)
        return report

    async def shutdown(self) -> None:
        """Stop the jobs, let work in flight finish (briefly), give up the lease, close."""
        if not self.running:
            return
        await self._jobs.shutdown()
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=3.0)
            for task in late:
                task.cancel()
        if self._dispatcher is not None:
            await self._dispatcher.stop()
        for store in (self._store, self._hooks_store):
            if store is not None:
                await asyncio.to_thread(store.close)
        log.info("scheduler stopped")

    # -- keeping in step with the database -----------------------------------------

    def resync(self) -> None:
        """Re-read the plan from the database soon; cheap and coalesced (call on data change)."""
        if not self.running:
            return
        running = self._named.get("resync")
        if running is not None and not running.done():
            self._resync_again = True
            return
        self._named["resync"] = self._spawn(self._resync_loop())

    async def _resync_loop(self) -> None:
        while True:
            self._resync_again = False
            try:
                await self.resync_now()
            except Exception as error:  # a locked database: the next change tries again
                log.warning("re-sync failed: %s", type(error).__name__)
            if not self._resync_again:
                return

    async def resync_now(self, *, replan: bool = False) -> SyncReport:
        """Bring the jobs in line with the database now; `replan` re-times every job."""
        async with self._sync_lock:
            plan = await asyncio.to_thread(self._read_plan)
            report = await self._jobs.sync(plan.jobs, replan=replan)
            self._horizon = plan.horizon
            # More was due at once than the plan holds (a burst of overdue reminders, alerts
            # past deadline this process does not escalate): look again in a moment, not
            # in a loop; the reminder desk and the dispatcher's rounds look sooner.
            self._jobs.at(HORIZON, plan.horizon, not_before_s=HORIZON_PAUSE_S)
        if self._notices is not None:
            await self._notices.check()
        return report

    def _read_plan(self) -> Plan:
        assert self._store is not None
        settings = self._ctx.settings
        return read_plan(
            self._store,
            reminders_for=self._reminders_for,
            escalation=settings.escalation_policy,
            handoff=settings.handoff_policy,
            deadlines=self._dispatcher is not None,
        )

    # -- jobs firing -----------------------------------------------------------------

    def _job_fired(self, kind: str, subject_id: int) -> None:
        if kind == JobKind.REMINDER.value and self._desk is not None:
            self._desk.due.add(subject_id)
            self._once("reminders", self._flush_reminders)
        elif kind == HORIZON:
            self.resync()
        elif kind == "watch":
            self._once("watch", self._watch)
        elif self._dispatcher is None:
            return
        elif kind == "lease":
            self._once("lease", self._keep_lease)
        else:  # the dispatch tick, or an alert or handoff deadline
            self._dispatcher.request(self._after_steps)

    async def _flush_reminders(self) -> None:
        assert self._desk is not None
        key = JobKind.REMINDER.value
        result = await self._desk.flush()
        for follow_up_id in result.not_yet_due:  # by the injected clock: wait on
            job = self._jobs.planned.get(f"{key}:{follow_up_id}")
            if job is not None:
                self._jobs.add(job)
        if result.failed:  # the database refused: plan them again and retry shortly
            for follow_up_id in result.failed:
                self._jobs.forget(f"{key}:{follow_up_id}")
            asyncio.get_running_loop().call_later(1.0, self.resync)
        elif self._horizon is not None and self._horizon <= self._ctx.clock.now():
            self.resync()  # the plan left out more that is due: the next ones, now

    async def _watch(self) -> None:
        """Notice commits by other connections (SQLite's data_version) and re-sync."""
        if self._store is None:
            return
        try:
            version = await asyncio.to_thread(self._store.data_version)
        except Exception:
            return  # the next look tries again; the console shows staleness itself
        if version != self._data_version:
            self._data_version = version
            self.resync()

    async def _keep_lease(self) -> None:
        assert self._dispatcher is not None
        changed = await self._dispatcher.keep_lease()
        if changed is not None:
            call_safely(self._on_dispatcher_change, changed, "dispatcher change")
            if changed:
                self._dispatcher.request(self._after_steps)

    async def _after_steps(self, steps: int) -> None:
        """Steps were taken here: plan the next deadlines and announce them."""
        if steps:
            self.resync()
            if self._notices is not None:
                await self._notices.check()

    # -- tasks -----------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _once(self, name: str, factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Start `factory()` unless the task of that name is still running."""
        running = self._named.get(name)
        if running is None or running.done():
            self._named[name] = self._spawn(factory())
