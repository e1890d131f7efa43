"""Follow-ups from the supervisor's board (W4, W10): one overdue opened, one exhausted resolved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from console_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable

from conftest import Clinic
from followup_support import closed_episode_follow_ups
from oncall.cli import make_app
from oncall.domain.types import ContactChannel, ContactResult, FollowUpKind, FollowUpStatus
from oncall.services.followups import record_follow_up_attempt
from oncall.store import followups as follow_up_rows
from oncall.ui.app import OnCallApp
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.follow_up import FollowUpScreen
from oncall.ui.screens.forms.follow_up_contact import FollowUpForm


def _shown(screen: FollowUpScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("#follow-up-text, #risk, #plan-text"))


def supervisor(clinic: Clinic) -> OnCallApp:
    """Sue's console (no scheduler: the board needs none)."""
    return make_app(replace(clinic.settings, idle_lock_minutes=0), actor="sue", clock=clinic.clock)


async def _open_from_board(app: OnCallApp, pilot: Pilot[None], follow_up_id: int) -> FollowUpScreen:
    """F2, the overdue table, Enter on its only row."""
    await pilot.press("f2")
    await wait_until(pilot, lambda: bool(app.screen.query("#overdue")))
    table = app.screen.query_one("#overdue", DataTable)
    await wait_until(pilot, lambda: table.row_count == 1)
    table.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    screen = app.screen
    assert isinstance(screen, FollowUpScreen) and screen.follow_up_id == follow_up_id
    await wait_until(pilot, lambda: screen.view is not None)
    return screen


async def test_the_supervisor_opens_an_overdue_follow_up_from_the_board(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H], due_in=timedelta(0))
    clinic.clock.advance(timedelta(minutes=30))
    app = supervisor(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_from_board(app, pilot, fu)
        await wait_until(pilot, lambda: "overdue" in _shown(screen))
        assert "Assigned to Pat Moreno" in _shown(screen)
        await pilot.press("e")  # the episode it came from, closed but on record
        await wait_until(pilot, lambda: isinstance(app.screen, EpisodeScreen))
        assert screen.view is not None
        assert getattr(app.screen, "episode_id", None) == screen.view.follow_up.episode_id
    app.services.store.close()


async def test_an_exhausted_follow_up_is_resolved_off_the_board(clinic: Clinic) -> None:
    (fu,) = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H])
    for _ in range(5):
        record_follow_up_attempt(
            clinic.ctx("pat"), fu, channel=ContactChannel.PHONE, result=ContactResult.NO_ANSWER
        )
    note = "Asked the county mobile team for a wellness check at 04:10"
    app = supervisor(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_from_board(app, pilot, fu)
        assert "Attempts 5 of 5" in _shown(screen) and "exhausted" in _shown(screen)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        await pilot.press("enter", "end", "enter")  # the last outcome: not reached
        await pilot.press("tab", *note, "ctrl+s")
        await wait_until(pilot, lambda: "wellness check" in _shown(screen))
        await pilot.press("escape")
        table = app.screen.query_one("#overdue", DataTable)
        await wait_until(pilot, lambda: table.row_count == 0)
    with clinic.store.read() as conn:
        stored = follow_up_rows.follow_up_by_id(conn, fu)
    assert stored is not None and stored.status is FollowUpStatus.EXHAUSTED
    assert stored.result == f"Not reached: wellness check or outreach requested: {note}"
    app.services.store.close()
