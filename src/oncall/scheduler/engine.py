"""ConsoleScheduler: APScheduler in the running event loop, its jobs rebuilt from the database.

One date job per pending follow-up reminder and per next alert or handoff
deadline, kept in step with the database by key; an interval job keeps the
dispatcher lease, another runs the dispatcher's round while the lease is held.
Jobs live in memory only (PITFALLS: never a shared job store); every side
effect claims its row, so several consoles may run this at once.

Times: a record falls due by the injected clock (`ctx.clock`); APScheduler
waits on the wall clock, so each due time is moved by the difference between
the two. With the system clock that difference is nil; a test that moves a
frozen clock calls `resync_now()` and every job is re-planned.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any, TypeVar

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from oncall.scheduler.dispatcher import Dispatcher
from oncall.scheduler.hooks import DispatchHook
from oncall.scheduler.lease import LeaseKeeper, new_holder_id
from oncall.scheduler.plan import Audience, JobKind, Plan, PlannedJob, read_plan
from oncall.services.context import ServiceContext
from oncall.services.escalation import dispatcher_actor
from oncall.services.escalation_notices import EscalationNotice, latest_notice_id, notices_since
from oncall.services.reminders import Reminder, claim_reminders
from oncall.store.db import Store, connect

log = logging.getLogger("oncall.scheduler")
# APScheduler's own warnings must never reach a terminal the console is drawing on.
logging.getLogger("apscheduler").addHandler(logging.NullHandler())

T = TypeVar("T")
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
"""PITFALLS: the default grace of 1 s silently drops jobs when the loop stalls."""
BULK = 64
"""More changes than this in one re-sync are applied with the scheduler paused."""


@dataclass(frozen=True)
class SchedulerTiming:
    """How often the scheduler does each of its background chores."""

    lease_ttl_s: float = 5.0
    """A dead dispatcher's lease runs out after this; another process takes over."""
    renew_every_s: float = 1.5
    """How often the holder renews (and a non-holder tries to take) the lease."""
    dispatch_every_s: float = 1.0
    """How often the holder runs escalations and the dispatch hooks."""
    watch_every_s: float = 0.25
    """How often the database is checked for changes by other connections."""


@dataclass(frozen=True)
class SyncReport:
    """What one re-sync did to the jobs."""

    added: int
    removed: int
    moved: int
    jobs: int
    seconds: float


async def _fire(owner: ConsoleScheduler, kind: str, subject_id: int) -> None:
    """Every job's function: hand the firing to its scheduler (kept tiny and never raising)."""
    owner._job_fired(kind, subject_id)


# APScheduler inspects a job function's signature for every job added; handing it
# the signature ready-made halves the cost of planning ten thousand reminders.
_fire.__signature__ = inspect.signature(_fire)  # type: ignore[attr-defined]


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
        self._aps: AsyncIOScheduler | None = None
        self._store: Store | None = None
        self._dispatcher: Dispatcher | None = None
        self._own: ServiceContext = ctx
        self._planned: Plan = {}
        self._skew = timedelta(0)
        self._due: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._sync_lock = asyncio.Lock()
        self._notice_lock = asyncio.Lock()
        self._resync_again = False
        self._notice_after = 0
        self._data_version: int | None = None
        self.started_at: datetime | None = None
        """Start time by the injected clock; a reminder due before it fires marked overdue."""
        self.reminders_fired = 0
        """Reminders this process claimed and handed to `on_reminder`."""

    # -- life cycle ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return self._aps is not None

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
        return len(self._planned)

    def start(self) -> asyncio.Task[SyncReport]:
        """Start inside the running loop (on_mount); await the returned task for the rebuild."""
        asyncio.get_running_loop()  # a clear RuntimeError outside a loop, before anything opens
        if self._aps is not None:
            raise RuntimeError("The scheduler is already running")
        self._store = connect(self._ctx.store.path, create=False, migrate=False)
        self._own = replace(self._ctx, store=self._store)
        if self._dispatch_enabled:
            dispatch_ctx = replace(self._own, actor=dispatcher_actor())
            lease = LeaseKeeper(self._store, self.holder, ttl_s=self.timing.lease_ttl_s)
            self._dispatcher = Dispatcher(dispatch_ctx, lease, self._hooks, self._spawn)
        self.started_at = self._ctx.clock.now()
        self._aps = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self._aps.start(paused=True)
        return self._spawn(self._boot())

    async def _boot(self) -> SyncReport:
        assert self._store is not None and self._aps is not None
        self._notice_after = await asyncio.to_thread(latest_notice_id, self._own)
        self._data_version = await asyncio.to_thread(self._store.data_version)
        report = await self.resync_now()
        now = datetime.now(UTC)
        self._every("watch", self.timing.watch_every_s, now)
        if self._dispatcher is not None:
            self._every("lease", self.timing.renew_every_s, now)
            self._every("dispatch", self.timing.dispatch_every_s, now)
        self._aps.resume()
        log.info("scheduler started: %d jobs in %.3f s", report.jobs, report.seconds)
        return report

    def _every(self, kind: str, seconds: float, first: datetime) -> None:
        assert self._aps is not None
        self._aps.add_job(
            _fire,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=kind,
            name=kind,
            args=(self, kind, 0),
            next_run_time=first,
        )

    async def shutdown(self) -> None:
        """Stop the jobs, let work in flight finish (briefly), give up the lease, close."""
        aps, self._aps = self._aps, None
        if aps is None:
            return
        aps.shutdown(wait=False)
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=3.0)
            for task in late:
                task.cancel()
        if self._dispatcher is not None:
            await self._dispatcher.stop()
        if self._store is not None:
            await asyncio.to_thread(self._store.close)
        log.info("scheduler stopped")

    # -- keeping in step with the database -----------------------------------------

    def resync(self) -> None:
        """Re-read the plan from the database soon; cheap and coalesced (call on data change)."""
        if self._aps is None:
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
            started = perf_counter()
            plan = await asyncio.to_thread(self._read_plan)
            report = await self._apply(plan, replan, started)
        await self._check_notices()
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

    async def _apply(self, plan: Plan, replan: bool, started: float) -> SyncReport:
        aps = self._aps
        if aps is None:
            return SyncReport(0, 0, 0, 0, 0.0)
        skew = self._ctx.clock.now() - datetime.now(UTC)
        # The injected clock jumped (a test moved it): every wall-clock time is off.
        replan = replan or abs((skew - self._skew).total_seconds()) > 1.0
        self._skew = skew
        gone = [key for key in self._planned if key not in plan]
        for key in gone:
            del self._planned[key]
            self._remove(key)
        todo: list[PlannedJob] = []
        moved = 0
        for key, job in plan.items():
            old = self._planned.get(key)
            if old is None or replan or old.due_iso != job.due_iso:
                todo.append(job)
                moved += old is not None
        todo.sort(key=lambda job: job.due_iso)  # soonest first, should the loop need to yield
        bulk = len(todo) > BULK and aps.state == STATE_RUNNING
        if bulk:
            aps.pause()
        try:
            for number, job in enumerate(todo, start=1):
                if self._aps is None:
                    break  # shut down meanwhile
                self._planned[job.key] = job
                self._add(job)
                if number % 2000 == 0:
                    await asyncio.sleep(0)  # let the console draw during a big rebuild
        finally:
            if bulk and self._aps is not None:
                self._aps.resume()
        elapsed = perf_counter() - started
        return SyncReport(len(todo) - moved, len(gone), moved, len(self._planned), elapsed)

    def _add(self, job: PlannedJob) -> None:
        if self._aps is None:
            return
        self._aps.add_job(
            _fire,
            DateTrigger(run_date=job.due_at - self._skew, timezone=UTC),
            id=job.key,
            name=job.kind.value,
            args=(self, job.kind.value, job.subject_id),
            replace_existing=True,
        )

    def _remove(self, key: str) -> None:
        if self._aps is None:
            return
        with contextlib.suppress(JobLookupError):  # it fired already
            self._aps.remove_job(key)

    # -- jobs firing -----------------------------------------------------------------

    def _job_fired(self, kind: str, subject_id: int) -> None:
        if kind == JobKind.REMINDER.value:
            self._due.add(subject_id)
            self._once("reminders", self._flush_reminders)
        elif kind == "watch":
            self._once("watch", self._watch)
        elif self._dispatcher is None:
            return
        elif kind == "lease":
            self._once("lease", self._keep_lease)
        else:  # the dispatch tick, or an alert or handoff deadline
            self._dispatcher.request(self._after_steps)

    async def _flush_reminders(self) -> None:
        """Claim every reminder that fell due together in one transaction, then show the won."""
        assert self.started_at is not None
        while self._due:
            ids = sorted(self._due)
            self._due.clear()
            try:
                batch = await asyncio.to_thread(
                    claim_reminders,
                    self._own,
                    ids,
                    fired_by=self.holder,
                    started_at=self.started_at,
                )
            except Exception as error:  # locked or full: forget them so a re-sync retries
                log.warning("reminders not claimed (%d): %s", len(ids), type(error).__name__)
                for follow_up_id in ids:
                    self._planned.pop(f"{JobKind.REMINDER.value}:{follow_up_id}", None)
                asyncio.get_running_loop().call_later(1.0, self.resync)
                continue
            for follow_up_id in batch.not_yet_due:
                job = self._planned.get(f"{JobKind.REMINDER.value}:{follow_up_id}")
                if job is not None and self._aps is not None:
                    self._add(job)
            for reminder in batch.won:
                self.reminders_fired += 1
                _safely(self._on_reminder, reminder, "reminder")

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
            _safely(self._on_dispatcher_change, changed, "dispatcher change")
            if changed:
                self._dispatcher.request(self._after_steps)

    async def _after_steps(self, steps: int) -> None:
        """Escalation steps were taken here: plan the next deadlines and announce them."""
        if steps:
            self.resync()
            await self._check_notices()

    async def dispatch_once(self) -> int:
        """Run one dispatcher round now if this process holds the lease; the steps taken."""
        if self._dispatcher is None or not self._dispatcher.lease.is_held():
            return 0
        steps = await self._dispatcher.round()
        await self._after_steps(steps)
        return steps

    async def _check_notices(self) -> None:
        if self._notices_for is None or self._store is None:
            return
        recipient = self._notices_for if isinstance(self._notices_for, int) else None
        async with self._notice_lock:
            try:
                notices, self._notice_after = await asyncio.to_thread(
                    notices_since, self._own, self._notice_after, recipient
                )
            except Exception as error:
                log.warning("escalation notices not read: %s", type(error).__name__)
                return
        for notice in notices:
            _safely(self._on_escalation, notice, "escalation notice")

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


def _safely(callback: Callable[[T], None] | None, value: T, what: str) -> None:
    """Call a UI callback; its failure is logged (by type only), never raised into the loop."""
    if callback is None:
        return
    try:
        callback(value)
    except Exception as error:
        log.error("%s callback failed: %s", what, type(error).__name__)
