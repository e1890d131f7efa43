"""The idle lock outlives the console: quit behind it, and the next start asks for the PIN."""

from __future__ import annotations

from episode_helpers import open_episode, workspace
from textual.pilot import Pilot

from conftest import Clinic
from oncall.cli import make_app
from oncall.services import pin
from oncall.ui.app import OnCallApp
from oncall.ui.hangup import keep_unsaved
from oncall.ui.screens.lock import LockScreen

SIZE = (120, 36)
PIN = "2468"


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _audited(clinic: Clinic, action: str) -> list[str]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT detail FROM audit_log WHERE action = ?", (action,))
        return [str(row[0]) for row in rows]


def _console(clinic: Clinic) -> OnCallApp:
    return make_app(clinic.settings, actor="alice", clock=clinic.clock)


async def test_a_console_quit_from_the_lock_screen_starts_locked_until_the_pin(
    clinic: Clinic,
) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    first = _console(clinic)
    async with first.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12", "ctrl+q")  # locked, then quit at once: no PIN asked
        await _settle(pilot)
    assert first.return_code == 0
    second = _console(clinic)
    async with second.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(second.screen, LockScreen), "the restart skipped the PIN"
        await pilot.press("ctrl+q")  # quitting again keeps it locked
        await _settle(pilot)
    third = _console(clinic)
    async with third.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(third.screen, LockScreen)
        await pilot.press(*PIN, "enter")
        await _settle(pilot)
        assert not isinstance(third.screen, LockScreen)
    fourth = _console(clinic)
    async with fourth.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert not isinstance(fourth.screen, LockScreen), "the PIN was entered: starts open"
    assert any("left_locked" in detail for detail in _audited(clinic, "console.locked"))
    assert len(_audited(clinic, "console.unlocked")) == 1


async def test_another_staff_members_lock_does_not_lock_my_console(clinic: Clinic) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    mine = _console(clinic)
    async with mine.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12", "ctrl+q")
        await _settle(pilot)
    other = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with other.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert not isinstance(other.screen, LockScreen)


async def test_a_draft_kept_behind_the_lock_is_announced_once_the_pin_is_entered(
    clinic: Clinic,
) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    episode_id = open_episode(clinic)
    first = _console(clinic)
    async with first.run_test(size=SIZE) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("n", *"Called her sister")
        await pilot.press("f12")
        await _settle(pilot)
        assert keep_unsaved(first) == 1  # what the hang-up handler does
        await pilot.press("ctrl+q")
        await _settle(pilot)
    second = _console(clinic)
    async with second.run_test(size=SIZE, notifications=True) as pilot:
        await _settle(pilot)
        assert isinstance(second.screen, LockScreen)
        # Not announced behind the lock, where no toast shows and its minute would run out.
        pending = [n.title for n in second._notifications]
        assert "Draft kept" not in pending
        await pilot.press(*PIN, "enter")
        await _settle(pilot)
        shown = second.export_screenshot().replace("&#160;", " ")
        assert "Draft kept" in shown and f"episode #{episode_id}" in shown
