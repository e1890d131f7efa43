"""The headless dispatcher behind `oncall worker`: hold the lease, escalate, run the hooks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from oncall.scheduler.engine import ConsoleScheduler, SchedulerTiming
from oncall.scheduler.hooks import DispatchHook
from oncall.services.context import ServiceContext

log = logging.getLogger("oncall.scheduler")


@dataclass(frozen=True)
class WorkerSummary:
    """What a worker did before it stopped."""

    holder: str
    steps_taken: int
    hooks: tuple[str, ...]


async def run_worker(
    ctx: ServiceContext,
    stop: asyncio.Event,
    *,
    timing: SchedulerTiming | None = None,
    hooks: Mapping[str, DispatchHook] | None = None,
) -> WorkerSummary:
    """Run the dispatcher until `stop` is set, then give the lease up and return a summary.

    No reminders are shown here (no one is at a worker); escalation steps,
    handoff reminders, follow-up escalations and the dispatch hooks run
    whenever this process holds the lease, and it competes for the lease
    with every console on the same database.
    """
    scheduler = ConsoleScheduler(ctx, dispatch=True, timing=timing, hooks=hooks, role="worker")
    report = await scheduler.start()
    dispatcher = scheduler.dispatcher
    assert dispatcher is not None
    names = tuple(sorted(dispatcher.hook_names))
    log.info(
        "worker %s started: %d deadline jobs; hooks: %s",
        scheduler.holder,
        report.jobs,
        ", ".join(names) or "none installed",
    )
    try:
        await stop.wait()
    finally:
        await scheduler.shutdown()
    return WorkerSummary(scheduler.holder, dispatcher.steps_taken, names)
