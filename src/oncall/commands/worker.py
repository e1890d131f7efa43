"""`oncall worker`: the headless dispatcher (escalations, handoff reminders, outbox, feeds)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    service_context,
    settings_for,
)
from oncall.logs import SecretScrubbingFormatter
from oncall.scheduler.timing import SchedulerTiming

if TYPE_CHECKING:
    from oncall.scheduler.worker import WorkerSummary
    from oncall.services.context import ServiceContext

log = logging.getLogger("oncall.worker")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `worker` command."""
    worker = subparsers.add_parser(
        "worker", help="run escalations, reminders to others, the outbox and feeds, headless"
    )
    add_db_option(worker)
    defaults = SchedulerTiming()
    worker.add_argument(
        "--lease-ttl",
        type=float,
        default=defaults.lease_ttl_s,
        metavar="SECONDS",
        help=f"how long the dispatcher lease lasts unrenewed (default: {defaults.lease_ttl_s:g})",
    )
    worker.add_argument(
        "--renew-every",
        type=float,
        default=defaults.renew_every_s,
        metavar="SECONDS",
        help=f"how often the lease is renewed or tried (default: {defaults.renew_every_s:g})",
    )
    worker.add_argument(
        "--tick",
        type=float,
        default=defaults.dispatch_every_s,
        metavar="SECONDS",
        help=f"how often due work is looked for (default: {defaults.dispatch_every_s:g})",
    )
    worker.set_defaults(handler=run_worker_command)


def _timing(args: argparse.Namespace) -> SchedulerTiming:
    ttl, renew, tick = args.lease_ttl, args.renew_every, args.tick
    if min(ttl, renew, tick) <= 0:
        raise CommandError("--lease-ttl, --renew-every and --tick must be positive.", EXIT_USAGE)
    if renew >= ttl:
        raise CommandError(
            f"--renew-every ({renew:g} s) must be shorter than --lease-ttl ({ttl:g} s),"
            " or the lease runs out between renewals.",
            EXIT_USAGE,
        )
    return SchedulerTiming(lease_ttl_s=ttl, renew_every_s=renew, dispatch_every_s=tick)


def _configure_logging() -> None:
    """Log lines to stdout; messages name ids and counts, never client data."""
    handler = logging.StreamHandler(sys.stdout)
    # Scrubbed: a server may echo a token into an error message.
    handler.setFormatter(SecretScrubbingFormatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger("oncall")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    apscheduler = logging.getLogger("apscheduler")
    apscheduler.addHandler(handler)
    apscheduler.setLevel(logging.WARNING)


async def _serve(ctx: ServiceContext, timing: SchedulerTiming) -> WorkerSummary:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    from oncall.scheduler.worker import run_worker  # APScheduler loads only for the worker

    return await run_worker(ctx, stop, timing=timing)


def run_worker_command(args: argparse.Namespace) -> int:
    """Run the dispatcher until SIGTERM or SIGINT, then release the lease and exit 0."""
    timing = _timing(args)
    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        ctx = service_context(store, settings, "worker")  # the service account only
        _configure_logging()
        log.info("worker starting on %s", settings.db_path)
        summary = asyncio.run(_serve(ctx, timing))
    finally:
        store.close()
    log.info(
        "worker %s stopped: %d escalation steps taken; lease released",
        summary.holder,
        summary.steps_taken,
    )
    return EXIT_OK
