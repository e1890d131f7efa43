"""Reminders in a running console: a notification and the due-now list within a second of due."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from console_helpers import notices, wait_until
from textual.pilot import Pilot

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.alerts import create_alert
from oncall.ui.app import OnCallApp
from oncall.ui.screens.due_now import DueNowScreen
from oncall.ui.widgets.follow_up_list import FollowUpList
from oncall.ui.widgets.rota_header import RotaHeader
from oncall.ui.widgets.status_line import StatusLine
from scheduling_support import schedule_follow_ups


def console(clinic: Clinic, login: str = "pat", *, idle_lock_minutes: float = 0) -> OnCallApp:
    """A console with its scheduler running, acting as `login`."""
    settings = replace(clinic.settings, idle_lock_minutes=idle_lock_minutes)
    return make_app(settings, actor=login, clock=clinic.clock, scheduler=True)


async def _started(app: OnCallApp, pilot: Pilot[None]) -> None:
    """Wait for the console's scheduler to start (after the first paint) and rebuild its jobs."""
    await wait_until(
        pilot, lambda: app.scheduling is not None and app.scheduling.scheduler is not None
    )
    scheduling = app.scheduling
    assert scheduling is not None and scheduling.scheduler is not None
    assert scheduling.scheduler.ready is not None
    await scheduling.scheduler.ready


async def test_a_due_follow_up_is_a_notification_and_in_the_due_now_list(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(minutes=10)])
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await _started(app, pilot)
        await pilot.press("f6")
        assert isinstance(app.screen, DueNowScreen)
        listing = app.screen.query_one(FollowUpList)
        assert "Nothing due right now." in listing.text()
        assert f"F-{follow_up_id}" in listing.text().split("Coming up (1)")[1]
        clinic.clock.advance(timedelta(minutes=10))
        scheduling = app.scheduling
        assert scheduling is not None and scheduling.scheduler is not None
        await scheduling.scheduler.resync_now()  # the frozen clock jumped: re-time the jobs
        await wait_until(pilot, lambda: any("Casey Sample" in n for n in notices(app)))
        (message,) = [n for n in notices(app) if "Casey Sample" in n]
        assert f"follow-up F-{follow_up_id}" in message and "OVERDUE" not in message
        due = listing.text().split("Coming up")[0]
        assert "Casey Sample" in due and "contact 24h" in due
        assert "Bob Okafor" in str(app.screen.query_one(RotaHeader).render())


async def test_status_line_shows_who_is_on_call_and_how_much_is_due(clinic: Clinic) -> None:
    schedule_follow_ups(clinic, [timedelta(minutes=1)], assignee="alice")
    clinic.clock.advance(timedelta(minutes=2))
    app = console(clinic, "alice")
    async with app.run_test(size=(160, 36)) as pilot:
        await _started(app, pilot)

        def status() -> str:
            return str(app.screen.query_one(StatusLine).render())

        await wait_until(pilot, lambda: "1 due" in status() and "Bob Okafor" in status())
        assert "on call: Alice Rivera · backup Bob Okafor · sup Sue Lindqvist" in status()
        # What fell due before the console opened came up at once, marked overdue.
        await wait_until(pilot, lambda: any(n.startswith("OVERDUE") for n in notices(app)))


async def test_a_reminder_behind_the_lock_names_no_client(clinic: Clinic) -> None:
    schedule_follow_ups(clinic, [timedelta(minutes=10)])
    app = console(clinic, idle_lock_minutes=5)
    async with app.run_test(size=(120, 36)) as pilot:
        await _started(app, pilot)
        clinic.clock.advance(timedelta(minutes=10))  # idle long enough to lock
        await wait_until(pilot, lambda: app.idle_lock is not None and app.idle_lock.locked)
        scheduling = app.scheduling
        assert scheduling is not None and scheduling.scheduler is not None
        await scheduling.scheduler.resync_now()
        await wait_until(pilot, lambda: any("follow-up is due" in n for n in notices(app)))
        assert not any("Casey" in n for n in notices(app))


async def test_an_escalation_to_this_user_is_announced(clinic: Clinic) -> None:
    from conftest import alert_record

    create_alert(clinic.ctx(), alert_record(id="esc-1", severity="imminent"))
    app = console(clinic, "bob")  # the backup on call
    async with app.run_test(size=(120, 36)) as pilot:
        await _started(app, pilot)
        scheduling = app.scheduling
        assert scheduling is not None and scheduling.scheduler is not None
        scheduler = scheduling.scheduler
        await wait_until(pilot, lambda: scheduler.is_dispatcher, timeout=5.0)
        clinic.clock.advance(timedelta(minutes=2))
        await scheduler.resync_now()
        await wait_until(pilot, lambda: any("escalated to the backup" in n for n in notices(app)))


async def test_closing_the_console_gives_up_the_dispatcher_lease(clinic: Clinic) -> None:
    app = console(clinic, "sue")
    async with app.run_test(size=(120, 36)) as pilot:
        await _started(app, pilot)
        scheduling = app.scheduling
        assert scheduling is not None and scheduling.scheduler is not None
        scheduler = scheduling.scheduler
        await wait_until(pilot, lambda: scheduler.is_dispatcher, timeout=5.0)
    rows = clinic.store.query("SELECT holder FROM leases")
    assert rows == []
