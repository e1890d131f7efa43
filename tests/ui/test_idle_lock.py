"""The idle lock in the running console: it hides client data, and only the right PIN opens it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.config import Settings
from oncall.services import pin, staff_admin
from oncall.services.alerts import ingest_records
from oncall.store import staff_admin as accounts
from oncall.store.db import connect
from oncall.ui.app import OnCallApp
from oncall.ui.screens.lock import LockScreen

SIZE = (120, 36)
PIN = "2468"


def _screen_text(app: OnCallApp) -> str:
    """What the terminal shows now (the SVG export uses &#160; for spaces)."""
    return app.export_screenshot().replace("&#160;", " ")


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _wait_locked(pilot: Pilot[None], app: OnCallApp) -> None:
    # The idle check runs once a second of real time; the clock it reads is frozen.
    for _ in range(40):
        await pilot.pause(0.05)
        if isinstance(app.screen, LockScreen):
            return


async def _enter(pilot: Pilot[None], digits: str) -> None:
    await pilot.press(*digits, "enter")
    await _settle(pilot)


def _message(app: OnCallApp) -> str:
    return str(app.screen.query_one("#lock-message", Static).render())


def _clinic_with_alert(clinic: Clinic) -> None:
    ingest_records(clinic.ctx(), [alert_record(id="idle", client_ref="C-1")], origin="t")


async def test_idle_time_locks_and_hides_every_client_name(clinic: Clinic) -> None:
    _clinic_with_alert(clinic)
    pin.set_pin(clinic.ctx("alice"), PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    # Notifications drawn as in a terminal: run_test leaves them out unless asked.
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _settle(pilot)
        assert "Jordan" in _screen_text(app)
        clinic.clock.advance(timedelta(minutes=4, seconds=50))
        await pilot.pause(1.2)
        assert not isinstance(app.screen, LockScreen)
        clinic.clock.advance(timedelta(seconds=15))
        await _wait_locked(pilot, app)
        assert isinstance(app.screen, LockScreen)
        await pilot.pause()
        text = _screen_text(app)
        assert "Locked — enter your PIN" in text
        assert "Jordan" not in text and "555-0142" not in text
        # A notification naming a client is not shown over the lock.
        app.notify("New alert for Jordan Test")
        await pilot.pause()
        assert "Jordan" not in _screen_text(app)


async def test_input_keeps_the_console_open(clinic: Clinic) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        clinic.clock.advance(timedelta(minutes=4))
        await pilot.press("down")
        clinic.clock.advance(timedelta(minutes=4))
        await pilot.pause(1.2)
        assert not isinstance(app.screen, LockScreen)


async def test_right_pin_unlocks_wrong_pin_says_tries_left(clinic: Clinic) -> None:
    _clinic_with_alert(clinic)
    pin.set_pin(clinic.ctx("alice"), PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await _enter(pilot, "1111")
        assert isinstance(app.screen, LockScreen)
        assert "4 tries left" in _message(app)
        await _enter(pilot, PIN)
        assert not isinstance(app.screen, LockScreen)
        assert "Jordan" in _screen_text(app)
    with clinic.store.read() as conn:
        state = accounts.pin_state(conn, clinic.staff["alice"].id)
    assert state is not None and state.pin_failures == 0


async def test_five_wrong_pins_lock_out_until_a_supervisor_clears_it(clinic: Clinic) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        for _ in range(5):
            await _enter(pilot, "9999")
        assert "locked out" in _message(app)
        assert "oncall staff unlock alice" in _message(app)
        await _enter(pilot, PIN)
        assert isinstance(app.screen, LockScreen), (
            "the right PIN must not open a locked-out account"
        )
        assert staff_admin.unlock_staff(clinic.ctx("sue"), "alice")
        await _enter(pilot, PIN)
        assert not isinstance(app.screen, LockScreen)


async def test_a_locked_out_user_starts_locked(clinic: Clinic) -> None:
    _clinic_with_alert(clinic)
    pin.set_pin(clinic.ctx("alice"), PIN)
    for _ in range(5):
        pin.verify_pin(clinic.ctx("alice"), "0000")
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "Jordan" not in _screen_text(app)


async def test_without_a_pin_the_lock_says_how_to_set_one(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12")
        await _settle(pilot)
        assert "oncall staff set-pin" in _message(app)
        await _enter(pilot, "1234")
        assert isinstance(app.screen, LockScreen)
        # Setting a PIN elsewhere (as the same account) then entering it opens the console.
        pin.set_pin(clinic.ctx("alice"), PIN)
        await _enter(pilot, PIN)
        assert not isinstance(app.screen, LockScreen)


class _ClientCard(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Jordan Test, +1-714-555-0142")


async def test_a_screen_pushed_while_locked_is_covered(clinic: Clinic) -> None:
    pin.set_pin(clinic.ctx("alice"), PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        app.push_screen(_ClientCard())  # as a reminder timer might
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "Jordan" not in _screen_text(app)
        # App actions (back, command palette) are refused behind the lock.
        assert not await app.run_action("app.pop_screen")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await _enter(pilot, PIN)
        assert isinstance(app.screen, _ClientCard)
        app.pop_screen()
        await _settle(pilot)
        # The older cover under the card knows the console is open and goes away.
        assert not isinstance(app.screen, LockScreen)


async def test_the_demo_clinician_gets_a_known_pin(tmp_path: Path) -> None:
    from oncall.commands.console import give_demo_a_pin
    from oncall.services.demo import seed_everything
    from oncall.services.pin import DEMO_PIN
    from oncall.services.seed import demo_context

    settings = Settings(db_path=tmp_path / "demo.db")
    store = connect(settings.db_path)
    try:
        seed_everything(store, settings=settings, alerts=False)
        assert give_demo_a_pin(store, settings) == DEMO_PIN
        assert give_demo_a_pin(store, settings) is None  # an existing PIN is left alone
        demo = demo_context(store, settings=settings)
        assert pin.verify_pin(demo, DEMO_PIN).outcome is pin.PinOutcome.UNLOCKED
    finally:
        store.close()


async def test_nothing_is_read_in_the_users_name_while_locked(clinic: Clinic) -> None:
    from oncall.services import episodes
    from oncall.services.alerts import acknowledge_alert
    from oncall.store.audit import audit_entries
    from oncall.ui.navigation import open_episode
    from oncall.ui.screens.episode import EpisodeScreen

    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id="w", client_ref="C-1")], origin="t"
    ).accepted_ids
    episode = acknowledge_alert(clinic.ctx("alice"), alert_id).episode
    assert episode is not None
    pin.set_pin(clinic.ctx("alice"), PIN)

    def views() -> int:
        with clinic.store.read() as conn:
            entries = audit_entries(conn, client_id=clinic.clients["C-1"])
        return sum(1 for e in entries if (e.actor, e.action) == ("alice", "episode.viewed"))

    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        open_episode(app, episode.id)
        await _settle(pilot)
        before = views()
        assert before >= 1
        await pilot.press("f12")
        await pilot.pause()
        episodes.add_note(clinic.ctx("sue"), episode.id, "Supervisor called the client back")
        await pilot.pause(1.0)  # several live-refresh polls notice the change
        assert views() == before
        await _enter(pilot, PIN)
        await pilot.pause(0.6)  # the next live-refresh tick
        # The episode screen (beneath the location form it opened with) caught up.
        assert views() == before + 1
        (screen,) = [s for s in app.screen_stack if isinstance(s, EpisodeScreen)]
        assert screen.workspace is not None
        notes = [e.body.get("text") for e in screen.workspace.timeline]
        assert "Supervisor called the client back" in notes


@pytest.mark.parametrize("demo", [True, False])
async def test_only_the_demo_lock_screen_shows_the_demo_pin(clinic: Clinic, demo: bool) -> None:
    # `oncall demo` prints its PIN before the console covers the terminal: the lock must say it.
    from oncall.services.pin import DEMO_PIN

    pin.set_pin(clinic.ctx("alice"), DEMO_PIN)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock, demo=demo, feed=False)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        shown = app.screen.query("#lock-demo-pin")
        assert bool(shown) is demo
        if demo:
            assert f"the demo PIN is {DEMO_PIN}" in str(shown.first(Static).content)
