"""Another console renewing its dispatcher lease does not make an idle console re-read."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from conftest import Clinic
from oncall.cli import make_app
from oncall.scheduler.engine import ConsoleScheduler, SchedulerTiming
from oncall.store import leases
from oncall.store.db import connect
from scheduling_support import new_alert

RENEWING = SchedulerTiming(
    lease_ttl_s=1.0, renew_every_s=0.05, dispatch_every_s=0.5, watch_every_s=0.05
)


async def _until(predicate: object, timeout: float = 5.0) -> None:
    assert callable(predicate)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_an_idle_console_does_not_refresh_while_another_renews_its_lease(
    clinic: Clinic,
) -> None:
    settings = replace(clinic.settings, idle_lock_minutes=0, refresh_interval_s=0.02)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    # The other console: its scheduler holds the dispatcher lease, renewed 20 times a second.
    other = ConsoleScheduler(clinic.ctx("bob"), timing=RENEWING, hooks={}, role="console-bob")
    async with app.run_test(size=(100, 30)):
        await other.start()
        try:
            await _until(lambda: other.is_dispatcher)
            holder = connect(clinic.store.path, migrate=False)
            with holder.read() as conn:
                before = leases.current(conn, leases.DISPATCHER)
            await asyncio.sleep(0.3)  # let the live refresh settle after the lease was taken
            generation = app.change_generation
            await asyncio.sleep(0.6)  # about a dozen renewals, thirty polls
            with holder.read() as conn:
                after = leases.current(conn, leases.DISPATCHER)
            holder.close()
            assert before is not None and after is not None
            assert after.expires_at > before.expires_at, "the lease was not renewed meanwhile"
            assert app.change_generation == generation, (
                f"{app.change_generation - generation} refreshes caused by lease renewals"
            )
            # A real change from another process still shows at the next poll.
            new_alert(clinic, severity="high")
            await _until(lambda: app.change_generation > generation, timeout=2.0)
        finally:
            await other.shutdown()
