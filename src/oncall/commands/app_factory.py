"""The console as an app object: what `oncall`, `oncall demo`, the gate, `serve` and tests open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncall.commands.common import CommandError

if TYPE_CHECKING:
    from oncall.clock import Clock
    from oncall.config import Settings
    from oncall.domain.models import Staff
    from oncall.ui.app import OnCallApp


def make_app(
    settings: Settings,
    *,
    actor: Staff | str | None = None,
    clock: Clock | None = None,
    demo: bool = False,
    feed: bool = True,
    feed_interval_s: float = 6.0,
    board: bool = False,
    scheduler: bool = False,
) -> OnCallApp:
    """Build the console on the settings' database; the CLI and the tests both use this.

    `actor` is a staff login or record to act as (tests, the demo); by default the
    operating-system account of the process, refused unless it is active staff.
    `demo` marks the console as the demo and, with `feed`, runs the simulated feed.
    `scheduler` runs reminders, escalations and the dispatcher (the real console does).
    """
    from oncall.clock import SystemClock
    from oncall.commands.common import open_store
    from oncall.commands.console import console_user
    from oncall.services.context import ServiceContext
    from oncall.ui.app import OnCallApp

    clock = clock or SystemClock()
    store = open_store(settings)
    try:
        staff = console_user(store, actor, clock=clock)
    except CommandError:
        store.close()
        raise
    demo_feed = None
    if demo and feed:
        from oncall.services.demo_feed import DemoFeed

        # Its own connection: the console notices its alerts exactly as another process's.
        demo_feed = DemoFeed(
            open_store(settings), clock=clock, settings=settings, interval_s=feed_interval_s
        )
    return OnCallApp(
        ServiceContext(store, staff, clock, settings),
        demo_feed=demo_feed,
        demo=demo,
        start_on_board=board,
        scheduler=scheduler,
    )
