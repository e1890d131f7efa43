"""The job table: APScheduler's in-memory jobs, kept equal to a plan read from the database.

The plan holds only the soonest jobs (scheduler/plan.py), so the table stays small
however many alerts wait; `at` keeps the one job that reads the plan again.

Times: a record falls due by the injected clock (`ctx.clock`); APScheduler
waits on the wall clock, so each due time is moved by the difference between
the two. With the system clock that difference is nil; when a test moves a
frozen clock the difference jumps and every job is re-timed at the next sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from oncall.clock import Clock
from oncall.scheduler.plan import Jobs, PlannedJob

JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
"""PITFALLS: the default grace of 1 s silently drops jobs when the loop stalls."""
BULK = 64
"""More changes than this in one sync are made with the scheduler paused."""
YIELD_EVERY = 2000
"""During a big rebuild, let the loop (and the console) breathe this often."""

OnFire = Callable[[str, int], None]


@dataclass(frozen=True)
class SyncReport:
    """What one sync did to the jobs."""

    added: int
    removed: int
    moved: int
    jobs: int
    seconds: float


async def _fire(table: JobTable, kind: str, subject_id: int) -> None:
    """Every job's function: hand the firing to the table's owner (tiny, never raising)."""
    table.on_fire(kind, subject_id)


# APScheduler inspects a job function's signature for every job added; handing it
# the signature ready-made halves the cost of planning ten thousand reminders.
_fire.__signature__ = inspect.signature(_fire)  # type: ignore[attr-defined]


class JobTable:
    """Date jobs by key ("reminder:12") and a few interval jobs, on one AsyncIOScheduler."""

    def __init__(self, clock: Clock, on_fire: OnFire) -> None:
        self.clock = clock
        self.on_fire = on_fire
        self.planned: Jobs = {}
        """The date jobs the database called for at the last sync."""
        self._aps: AsyncIOScheduler | None = None
        self._skew = timedelta(0)

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return self._aps is not None

    def start(self) -> None:
        """Start APScheduler paused in the running loop; `resume()` once the jobs are in."""
        self._aps = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self._aps.start(paused=True)

    def resume(self) -> None:
        """Let due jobs run."""
        if self._aps is not None:
            self._aps.resume()

    async def shutdown(self) -> None:
        """Stop APScheduler; no job fires after this."""
        aps, self._aps = self._aps, None
        if aps is None:
            return
        aps.pause()
        # Jobs already handed to the executor are tasks not yet run: let them finish
        # (they only note the firing), or shutdown cancels them and logs each as failed.
        for _ in range(3):
            await asyncio.sleep(0)
        aps.shutdown(wait=False)

    def every(self, kind: str, seconds: float) -> None:
        """An interval job that fires `on_fire(kind, 0)` now and every `seconds`."""
        if self._aps is None:
            return
        self._aps.add_job(
            _fire,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=kind,
            name=kind,
            args=(self, kind, 0),
            next_run_time=datetime.now(UTC),
        )

    async def sync(self, plan: Jobs, *, replan: bool = False) -> SyncReport:
        """Make the date jobs equal to `plan` by key and due time; `replan` re-times all."""
        started = perf_counter()
        skew = self.clock.now() - datetime.now(UTC)
        replan = replan or abs((skew - self._skew).total_seconds()) > 1.0
        self._skew = skew
        gone = [key for key in self.planned if key not in plan]
        for key in gone:
            del self.planned[key]
            self.remove(key)
        todo: list[PlannedJob] = []
        moved = 0
        for key, job in plan.items():
            old = self.planned.get(key)
            if old is None or replan or old.due_iso != job.due_iso:
                todo.append(job)
                moved += old is not None
        todo.sort(key=lambda job: job.due_iso)  # soonest first, should the loop need to yield
        aps = self._aps
        bulk = aps is not None and len(todo) > BULK and aps.state == STATE_RUNNING
        if bulk and aps is not None:
            aps.pause()
        try:
            for number, job in enumerate(todo, start=1):
                if self._aps is None:
                    break  # shut down meanwhile
                self.planned[job.key] = job
                self.add(job)
                if number % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
        finally:
            if bulk and self._aps is not None:
                self._aps.resume()
        return SyncReport(
            len(todo) - moved, len(gone), moved, len(self.planned), perf_counter() - started
        )

    def at(self, kind: str, due: datetime | None, *, not_before_s: float = 0.0) -> None:
        """One date job that fires `on_fire(kind, 0)` at `due` by the injected clock (None:
        no such job); but no sooner than `not_before_s` seconds from now on the wall clock."""
        if self._aps is None:
            return
        if due is None:
            self.remove(kind)
            return
        run_at = max(due - self._skew, datetime.now(UTC) + timedelta(seconds=not_before_s))
        self._aps.add_job(
            _fire,
            DateTrigger(run_date=run_at, timezone=UTC),
            id=kind,
            name=kind,
            args=(self, kind, 0),
            replace_existing=True,
        )

    def add(self, job: PlannedJob) -> None:
        """Add (or re-time) one date job at its due time on the wall clock."""
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

    def remove(self, key: str) -> None:
        """Drop a date job (no error if it fired already)."""
        if self._aps is None:
            return
        with contextlib.suppress(JobLookupError):
            self._aps.remove_job(key)

    def forget(self, key: str) -> None:
        """Forget a job was planned, so the next sync plans it again."""
        self.planned.pop(key, None)
