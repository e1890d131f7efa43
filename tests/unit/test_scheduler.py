"""ConsoleScheduler in a real event loop against a real database, due times on a frozen clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import Clinic
from oncall.scheduler.engine import ConsoleScheduler, SchedulerTiming
from oncall.scheduler.plan import EVERYONE
from oncall.services.alerts import acknowledge_alert
from oncall.services.context import ServiceContext
from oncall.services.escalation_notices import EscalationNotice
from oncall.services.reminders import Reminder
from oncall.store.db import connect
from scheduling_support import count, new_alert, schedule_follow_ups

FAST = SchedulerTiming(lease_ttl_s=1.0, renew_every_s=0.1, dispatch_every_s=0.1, watch_every_s=0.05)


async def until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait (really) until `predicate()` holds; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def running(
    clinic: Clinic, login: str = "pat", **options: Any
) -> AsyncIterator[ConsoleScheduler]:
    """A started scheduler acting as `login`, shut down afterwards."""
    options.setdefault("timing", FAST)
    options.setdefault("hooks", {})
    scheduler = ConsoleScheduler(clinic.ctx(login), **options)
    await scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.shutdown()


async def test_a_reminder_fires_once_when_the_clock_reaches_its_due_time(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(minutes=10)])
    shown: list[Reminder] = []
    pat = clinic.staff["pat"].id
    async with running(clinic, on_reminder=shown.append, reminders_for=pat) as scheduler:
        assert scheduler.planned == 1
        await asyncio.sleep(0.2)
        assert shown == []
        clinic.clock.advance(timedelta(minutes=10))
        await scheduler.resync_now()
        await until(lambda: len(shown) == 1)
        assert (shown[0].follow_up.follow_up_id, shown[0].overdue) == (follow_up_id, False)
        await scheduler.resync_now(replan=True)
        await asyncio.sleep(0.3)
        assert len(shown) == 1
        assert scheduler.planned == 0


async def test_what_fell_due_while_closed_fires_at_start_once_marked_overdue(
    clinic: Clinic,
) -> None:
    ids = schedule_follow_ups(clinic, [timedelta(hours=1), timedelta(hours=2), timedelta(days=2)])
    clinic.clock.advance(timedelta(hours=3))  # every console was closed meanwhile
    shown: list[Reminder] = []
    pat = clinic.staff["pat"].id
    async with running(clinic, on_reminder=shown.append, reminders_for=pat):
        await until(lambda: len(shown) == 2)
    assert [(r.follow_up.follow_up_id, r.overdue) for r in shown] == [
        (ids[0], True),
        (ids[1], True),
    ]
    async with running(clinic, on_reminder=shown.append, reminders_for=pat) as restarted:
        await asyncio.sleep(0.3)
        assert restarted.planned == 1  # only the one due in two days
    assert len(shown) == 2
    assert count(clinic, "SELECT COUNT(*) FROM audit_log WHERE action = 'follow_up.reminded'") == 2


async def test_two_consoles_of_the_assignee_show_a_reminder_once(clinic: Clinic) -> None:
    schedule_follow_ups(clinic, [timedelta(minutes=1)])
    shown: list[Reminder] = []
    pat = clinic.staff["pat"].id
    async with (
        running(clinic, on_reminder=shown.append, reminders_for=pat) as one,
        running(clinic, on_reminder=shown.append, reminders_for=pat) as two,
    ):
        clinic.clock.advance(timedelta(minutes=1))
        await asyncio.gather(one.resync_now(), two.resync_now())
        await until(lambda: len(shown) >= 1)
        await asyncio.sleep(0.3)
    assert len(shown) == 1


async def test_resync_picks_up_a_follow_up_added_by_another_connection(clinic: Clinic) -> None:
    shown: list[Reminder] = []
    pat = clinic.staff["pat"].id
    async with running(clinic, on_reminder=shown.append, reminders_for=pat) as scheduler:
        assert scheduler.planned == 0
        other = connect(clinic.store.path)
        try:
            elsewhere = Clinic(other, clinic.clock, clinic.settings, clinic.staff, clinic.clients)
            (follow_up_id,) = schedule_follow_ups(elsewhere, [timedelta(minutes=5)])
        finally:
            other.close()
        # No call from the app: the scheduler notices the commit itself (data_version).
        await until(lambda: scheduler.planned == 1, timeout=2.0)
        clinic.clock.advance(timedelta(minutes=5))
        await scheduler.resync_now()
        await until(lambda: len(shown) == 1)
    assert shown[0].follow_up.follow_up_id == follow_up_id


async def test_a_cancelled_follow_up_loses_its_job(clinic: Clinic) -> None:
    from oncall.services.followups import cancel_follow_up

    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(minutes=5)])
    pat = clinic.staff["pat"].id
    shown: list[Reminder] = []
    async with running(clinic, on_reminder=shown.append, reminders_for=pat) as scheduler:
        assert scheduler.planned == 1
        cancel_follow_up(clinic.ctx("pat"), follow_up_id, "Client moved out of state")
        scheduler.resync()  # what the app does on a change
        await until(lambda: scheduler.planned == 0)
        clinic.clock.advance(timedelta(minutes=10))
        await scheduler.resync_now()
        await asyncio.sleep(0.3)
    assert shown == []


async def test_escalation_runs_at_the_deadline_and_acknowledging_stops_it(
    clinic: Clinic,
) -> None:
    alert_id = new_alert(clinic, severity="high")
    notices: list[EscalationNotice] = []
    bob = clinic.staff["bob"].id
    async with running(
        clinic, login="bob", on_escalation=notices.append, notices_for=bob
    ) as scheduler:
        await until(lambda: scheduler.is_dispatcher)
        clinic.clock.advance(timedelta(minutes=5))
        await scheduler.resync_now()  # the deadline job fires at once
        await until(lambda: len(notices) == 1)
        assert "escalated to the backup on call (Bob Okafor)" in notices[0].message
        acknowledge_alert(clinic.ctx("alice"), alert_id)
        clinic.clock.advance(timedelta(minutes=30))
        await scheduler.resync_now()
        await asyncio.sleep(0.5)  # several dispatcher ticks
    assert count(clinic, "SELECT COUNT(*) FROM dispatch_claims WHERE subject_type = 'alert'") == 1
    assert count(clinic, "SELECT COUNT(*) FROM outbox WHERE kind = 'escalation'") == 1


async def test_only_the_lease_holder_dispatches_and_another_takes_over(clinic: Clinic) -> None:
    calls: list[str] = []

    def hook(name: str) -> Callable[[ServiceContext, datetime], None]:
        def dispatch(ctx: ServiceContext, now: datetime) -> None:
            calls.append(name)

        return dispatch

    first = ConsoleScheduler(clinic.ctx("alice"), timing=FAST, hooks={"h": hook("first")})
    await first.start()
    await until(lambda: first.is_dispatcher)
    async with running(clinic, login="bob", hooks={"h": hook("second")}) as second:
        await asyncio.sleep(0.5)
        assert not second.is_dispatcher
        assert "first" in calls and "second" not in calls
        await first.shutdown()  # releases the lease: no need to wait it out
        await until(lambda: second.is_dispatcher, timeout=1.0)
        await until(lambda: "second" in calls)


async def test_a_failing_hook_does_not_stop_escalations(clinic: Clinic) -> None:
    def broken(ctx: ServiceContext, now: datetime) -> None:
        raise RuntimeError("endpoint down")

    new_alert(clinic, severity="imminent")
    async with running(clinic, login="sue", hooks={"broken": broken}) as scheduler:
        await until(lambda: scheduler.is_dispatcher)
        clinic.clock.advance(timedelta(minutes=10))
        await until(lambda: count(clinic, "SELECT COUNT(*) FROM dispatch_claims") == 1)
        clinic.clock.advance(timedelta(minutes=2))  # level 2 waits its gap after level 1
        await until(lambda: count(clinic, "SELECT COUNT(*) FROM dispatch_claims") == 2)


async def test_start_outside_a_running_loop_is_refused(clinic: Clinic) -> None:
    scheduler = ConsoleScheduler(clinic.ctx())

    def outside() -> None:
        scheduler.start()

    with pytest.raises(RuntimeError, match="no running event loop"):
        await asyncio.to_thread(outside)


async def test_everyone_scope_plans_every_assignees_reminders(clinic: Clinic) -> None:
    schedule_follow_ups(clinic, [timedelta(hours=1)], assignee="pat")
    schedule_follow_ups(clinic, [timedelta(hours=2)], assignee="alice", client_ref="C-3")
    async with running(clinic, on_reminder=lambda r: None, reminders_for=EVERYONE) as everyone:
        assert everyone.planned == 2
