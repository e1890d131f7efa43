"""An IMMINENT alert arriving while the clinician is away from the queue: the bell, a notice
that stays until seen, and nothing of it on the lock screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from console_helpers import wait_until
from episode_helpers import open_episode, settle

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services import pin
from oncall.services.alerts import ingest_records
from oncall.ui.app import OnCallApp
from oncall.ui.imminent import TITLE
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.lock import LockScreen

UNRESPONSIVE = "Roommate reports client unresponsive, [blue] lips"


def arrive(clinic: Clinic, external_id: str, severity: str = "imminent") -> None:
    """An overdose alert for Casey Sample (C-2), written by another connection."""
    record = alert_record(
        id=external_id, client_ref="C-2", kind="overdose", severity=severity, summary=UNRESPONSIVE
    )
    ingest_records(clinic.ctx(), [record], origin="test")


def console(clinic: Clinic, *, privacy: bool = False) -> tuple[OnCallApp, list[int]]:
    """Alice's console, and the list its terminal bell rings into."""
    settings = replace(clinic.settings, idle_lock_minutes=0, privacy_mode=privacy)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    return app, rings


def imminent_notices(app: OnCallApp) -> list[Any]:
    """The notifications about new IMMINENT alerts shown now."""
    return [n for n in app._notifications if n.title == TITLE]


async def test_in_an_episode_an_imminent_alert_rings_and_its_notice_stays_until_the_queue(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic)
    app, rings = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        arrive(clinic, "high-1", severity="high")  # not imminent: no bell
        await pilot.pause(0.5)
        assert rings == [] and imminent_notices(app) == []
        arrive(clinic, "od-1")
        await wait_until(pilot, lambda: len(imminent_notices(app)) == 1)
        (notice,) = imminent_notices(app)
        assert rings == [1]
        assert f"Casey Sample — overdose: {UNRESPONSIVE}" in notice.message
        assert not notice.markup and notice.timeout >= 3600  # stays: it is not a toast to miss
        while not isinstance(app.screen, DashboardScreen):  # the location form, the episode
            await pilot.press("escape")
            await pilot.pause()
        await settle(pilot)
        assert imminent_notices(app) == []  # seen: the queue shows the alert at the top
        queue = app.screen.queue
        assert queue.selected is not None and queue.selected.alert.external_id == "od-1"
        app.services.store.close()


async def test_on_the_queue_an_imminent_alert_is_simply_at_the_top(clinic: Clinic) -> None:
    app, rings = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        arrive(clinic, "od-1")
        await wait_until(pilot, lambda: app.screen.queue.row_count == 1)
        await pilot.pause(0.3)
        assert rings == [] and imminent_notices(app) == []
        app.services.store.close()


async def test_in_privacy_mode_the_notice_gives_initials_and_no_summary(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app, _rings = console(clinic, privacy=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        arrive(clinic, "od-1")
        await wait_until(pilot, lambda: len(imminent_notices(app)) == 1)
        (notice,) = imminent_notices(app)
        assert "C.S. — overdose" in notice.message
        assert "Casey" not in notice.message and "Roommate" not in notice.message
        app.services.store.close()


def _screen_text(app: OnCallApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


@pytest.mark.parametrize("when", ["before locking", "while locked"])
async def test_the_lock_screen_shows_no_notification(clinic: Clinic, when: str) -> None:
    pin.set_pin(clinic.ctx("alice"), "2468")
    episode_id = open_episode(clinic)
    app, rings = console(clinic)
    # Notifications drawn as in a terminal (run_test leaves them out unless asked).
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        if when == "before locking":
            app.notify("New alert for Jordan Test", timeout=60)
            await pilot.pause(0.2)
            assert "New alert for Jordan Test" in _screen_text(app)
        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(app.screen, LockScreen))
        arrive(clinic, "od-1")
        await wait_until(pilot, lambda: len(imminent_notices(app)) == 1)
        await pilot.pause(0.3)
        assert rings == [1]  # the bell still calls the clinician back; it names nobody
        text = _screen_text(app)
        assert "Locked — enter your PIN" in text
        assert "Casey" not in text and "Jordan" not in text and "overdose" not in text
        await pilot.press(*"2468", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, LockScreen))
        await pilot.pause(0.3)
        assert "Casey Sample — overdose" in _screen_text(app)
        app.services.store.close()
