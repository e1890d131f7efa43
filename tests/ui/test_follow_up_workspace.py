"""The follow-up workspace by keys: F6, Enter, then attempt, complete, reschedule, hand over."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from burst import burst, keys_of
from console_helpers import notices, wait_until
from textual.pilot import Pilot

from conftest import Clinic
from followup_support import closed_episode_follow_ups, save_plan
from oncall.cli import make_app
from oncall.domain.types import FollowUpKind, FollowUpStatus
from oncall.services.followup_changes import hand_over_follow_up
from oncall.services.followup_workspace import view_follow_up
from oncall.store import followups as follow_up_rows
from oncall.ui.app import OnCallApp
from oncall.ui.screens.due_now import DueNowScreen
from oncall.ui.screens.follow_up import FollowUpScreen
from oncall.ui.screens.forms.follow_up_contact import FollowUpForm
from oncall.ui.widgets.follow_up_list import FollowUpList

NOTE = "Rang at 09:10 [no answer]; left no message, will try after lunch"


def console(clinic: Clinic, login: str = "pat") -> OnCallApp:
    """A console with its scheduler running (F6 comes with it), acting as `login`."""
    settings = replace(clinic.settings, idle_lock_minutes=0)
    return make_app(settings, actor=login, clock=clinic.clock, scheduler=True)


async def _workspace(app: OnCallApp, pilot: Pilot[None], follow_up_id: int) -> FollowUpScreen:
    """F6, the cursor to the follow-up, Enter: its workspace."""
    await wait_until(pilot, lambda: app.scheduling is not None)
    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(app.screen, DueNowScreen))
    listing = app.screen.query_one(FollowUpList)
    await wait_until(pilot, lambda: f"F-{follow_up_id}" in listing.text())
    listing.select_follow_up(follow_up_id)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    screen = app.screen
    assert isinstance(screen, FollowUpScreen)
    await wait_until(pilot, lambda: screen.view is not None)
    return screen


def _shown(screen: FollowUpScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("#follow-up-text, #risk, #plan-text"))


async def _form_open(app: OnCallApp, pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, FollowUpForm))


async def test_an_attempt_typed_at_burst_speed_is_stored_as_typed(clinic: Clinic) -> None:
    save_plan(clinic)
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H])
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _workspace(app, pilot, fu)
        shown = _shown(screen)
        assert f"Follow-up F-{fu}" in shown and "Contact within 24 h" in shown
        assert "Casey Sample" in shown and "Attempts 0 of 5" in shown
        assert "Walk the dog" in shown and "Latest risk" in shown
        await pilot.press("a")
        await _form_open(app, pilot)
        await pilot.press("enter", "down", "down", "enter")  # result: no answer
        await pilot.press("tab")  # to the note
        await pilot.press(*NOTE, "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: "Attempts 1 of 5" in _shown(screen))
    (attempt,) = view_follow_up(clinic.ctx("pat"), fu).attempts
    assert (attempt.result, attempt.note) == ("no_answer", NOTE)
    app.services.store.close()


async def test_complete_reschedule_and_hand_over_by_keys(clinic: Clinic) -> None:
    done_id, moved_id, given_id = closed_episode_follow_ups(
        clinic, [FollowUpKind.CALL_72H, FollowUpKind.CONTACT_24H, FollowUpKind.DAILY_CHECKIN]
    )
    reason = "Client starts a new job; call after 6 pm"
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _workspace(app, pilot, done_id)
        await pilot.press("c")
        await _form_open(app, pilot)
        await pilot.press("enter", "down", "enter")  # outcome: reached, client safe
        await pilot.press("tab", *"Sounded well; at a meeting tonight", "ctrl+s")
        await wait_until(pilot, lambda: "Status: done" in _shown(screen))
        await pilot.press("escape")

        screen = await _workspace(app, pilot, moved_id)
        await pilot.press("r")
        await _form_open(app, pilot)
        await pilot.press(*reason, "ctrl+s")  # the due time offered: tomorrow, this time
        await wait_until(pilot, lambda: screen.follow_up_id != moved_id)
        await wait_until(pilot, lambda: f"Follow-up F-{screen.follow_up_id}" in _shown(screen))
        await pilot.press("escape")

        screen = await _workspace(app, pilot, given_id)
        await pilot.press("h")
        await _form_open(app, pilot)
        await pilot.press("enter", "down", "enter")  # the first colleague: Alice Rivera
        await pilot.press("tab", *"She knows the family", "ctrl+s")
        # It is Alice's now: back to the list, where it no longer shows.
        await wait_until(pilot, lambda: isinstance(app.screen, DueNowScreen))
        assert f"Follow-up F-{given_id} is now Alice Rivera's." in notices(app)
        listing = app.screen.query_one(FollowUpList)
        await wait_until(pilot, lambda: f"F-{given_id} " not in listing.text())
    with clinic.store.read() as conn:
        done = follow_up_rows.follow_up_by_id(conn, done_id)
        moved = follow_up_rows.follow_up_by_id(conn, moved_id)
        given = follow_up_rows.follow_up_by_id(conn, given_id)
        replacement = follow_up_rows.replaced_by(conn, moved_id)
    assert done is not None and done.status is FollowUpStatus.DONE
    assert done.result == "Reached: client safe, plan in use: Sounded well; at a meeting tonight"
    assert moved is not None and moved.result == f"Rescheduled as F-{replacement}: {reason}"
    assert given is not None and given.assignee_id == clinic.staff["alice"].id
    app.services.store.close()


async def test_a_caring_contact_message_typed_at_burst_speed(clinic: Clinic) -> None:
    caring, call = closed_episode_follow_ups(
        clinic, [FollowUpKind.CARING_CONTACT, FollowUpKind.CALL_72H]
    )
    message = "Hi Casey, thinking of you this week. We're here: call any time."
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _workspace(app, pilot, call)
        await pilot.press("m")  # a call needs the client reached: refused with a reason
        await wait_until(pilot, lambda: any("needs the client reached" in n for n in notices(app)))
        assert app.screen is screen
        await pilot.press("escape")
        screen = await _workspace(app, pilot, caring)
        await pilot.press("m")
        await _form_open(app, pilot)
        await pilot.press(*message, "ctrl+s")
        await wait_until(pilot, lambda: "Status: done" in _shown(screen))
    (attempt,) = view_follow_up(clinic.ctx("pat"), caring).attempts
    assert (attempt.result, attempt.note) == ("message_sent", message)
    app.services.store.close()


async def test_the_reminder_names_the_follow_up_and_f6_enter_opens_it(clinic: Clinic) -> None:
    first, reminded = closed_episode_follow_ups(
        clinic, [FollowUpKind.CALL_72H, FollowUpKind.CONTACT_24H], due_in=timedelta(minutes=1)
    )
    with clinic.store.write() as conn:  # the other one is due first, so the cursor must move
        conn.execute(
            "UPDATE follow_ups SET due_at = '2026-11-22T10:00:00+00:00' WHERE id = ?", (first,)
        )
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.scheduling is not None)
        scheduling = app.scheduling
        assert scheduling is not None
        await wait_until(pilot, lambda: scheduling.scheduler is not None)
        assert scheduling.scheduler is not None and scheduling.scheduler.ready is not None
        await scheduling.scheduler.ready
        clinic.clock.advance(timedelta(minutes=1))
        await scheduling.scheduler.resync_now()
        await wait_until(pilot, lambda: any(f"F-{reminded}" in n for n in notices(app)))
        (message,) = [n for n in notices(app) if f"F-{reminded}" in n]
        assert f"#{reminded}" not in message and "Press F6, then Enter" in message
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, DueNowScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        assert isinstance(app.screen, FollowUpScreen) and app.screen.follow_up_id == reminded
    app.services.store.close()


async def test_f6_enter_and_an_attempt_in_one_burst_of_keys(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H], due_in=timedelta(0))
    clinic.clock.advance(timedelta(minutes=1))
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.scheduling is not None)
        # As over SSH: every key in the terminal's buffer before the console reads one.
        await burst(
            pilot,
            "f6",
            "enter",  # the only follow-up due: its workspace
            "a",
            *("enter", "down", "down", "down", "enter"),  # result: left a message
            "tab",
            keys_of(NOTE),
            "ctrl+s",
        )
        await wait_until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    (attempt,) = view_follow_up(clinic.ctx("pat"), fu).attempts
    assert (attempt.result, attempt.note) == ("left_message", NOTE)
    app.services.store.close()


async def test_a_follow_up_handed_over_is_announced_to_the_colleague(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CALL_72H], due_in=timedelta(days=1))
    app = console(clinic, "bob")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.scheduling is not None)
        scheduling = app.scheduling
        assert scheduling is not None
        await wait_until(pilot, lambda: scheduling.scheduler is not None)
        assert scheduling.scheduler is not None and scheduling.scheduler.ready is not None
        await scheduling.scheduler.ready
        hand_over_follow_up(clinic.ctx("pat"), fu, clinic.staff["bob"].id, "Covering Monday")
        await wait_until(pilot, lambda: any(f"F-{fu}" in n for n in notices(app)), timeout=5.0)
        assert "Jordan" not in " ".join(notices(app))
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, DueNowScreen))
        await pilot.press("enter")  # the handed-over one, though not due yet
        await wait_until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        assert isinstance(app.screen, FollowUpScreen) and app.screen.follow_up_id == fu
    app.services.store.close()
