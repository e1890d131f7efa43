"""The console shell: status line, help, palette, navigation, identity, crash handling, demo."""

from __future__ import annotations

import os
import pwd
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from console_helpers import notices
from episode_helpers import open_episode
from textual.command import CommandPalette
from textual.containers import VerticalScroll

from conftest import Clinic, alert_record
from oncall.cli import main, make_app
from oncall.clock import FrozenClock
from oncall.commands.common import CommandError
from oncall.config import Settings
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.demo import seed_everything
from oncall.store.db import connect
from oncall.ui import navigation
from oncall.ui.app import OnCallApp
from oncall.ui.base import OnCallScreen
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.help import HelpScreen
from oncall.ui.widgets.status_line import StatusLine


def console(clinic: Clinic, login: str = "alice") -> OnCallApp:
    """A console acting as `login`, idle lock off (the clock is moved by hand)."""
    return make_app(replace(clinic.settings, idle_lock_minutes=0), actor=login, clock=clinic.clock)


class Opened(OnCallScreen[None]):
    """Stands in for a screen another module provides, recording what it was opened with."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        self.args = args


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every navigation target is the recording stand-in."""
    monkeypatch.setattr(navigation, "_screen_class", lambda kind: Opened)


async def test_status_line_names_the_user_and_the_clinic_time(clinic: Clinic) -> None:
    app = console(clinic, "bob")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        line = str(app.screen.query_one(StatusLine).render())
        assert "Bob Okafor (clinician)" in line
        assert "Sun 22 Nov 03:00 PST" in line  # 11:00 UTC in the clinic's zone
        assert "data as of 03:00:00 PST" in line
        app.services.store.close()


async def test_help_lists_every_key_of_the_queue(clinic: Clinic) -> None:
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {text for _, text in app.screen.keys}
        for wording in [
            "Acknowledge (claim) the selected alert",
            "Open the alert's episode",
            "Open the client's record",
            "Open the resource directory",
            "Move to my open episodes",
            "Back to the queue",
        ]:
            assert wording in listed
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        app.services.store.close()


async def test_help_scrolls_to_its_last_key_on_a_small_terminal(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = console(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await pilot.pause()
        await pilot.press("ctrl+n")  # the location prompt: not yet
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = help_screen.query_one("#help-keys", VerticalScroll)
        assert listed.max_scroll_y > 0, "more keys than rows: the list must scroll"
        assert listed.region.bottom <= 24
        await pilot.press("end")
        await pilot.pause()
        assert listed.scroll_y == listed.max_scroll_y
        assert help_screen.keys[-1] == ("ctrl+q", "Quit the console")
        app.services.store.close()


async def test_no_screenshot_command(clinic: Clinic) -> None:
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Screenshot" not in titles
        app.action_screenshot()
        await pilot.pause()
        assert any("Screenshots are turned off" in n for n in notices(app))
        app.services.store.close()


async def test_palette_jumps_to_a_client_by_name(clinic: Clinic, opened: None) -> None:
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Riley")
        await pilot.pause(0.5)  # the palette searches after a short debounce
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Opened)
        assert app.screen.args == (clinic.clients["C-3"],)
        app.services.store.close()


async def test_palette_jumps_to_an_episode_by_number(clinic: Clinic, opened: None) -> None:
    (alert_id,) = ingest_records(clinic.ctx(), [alert_record(id="p-1")], origin="t").accepted_ids
    episode = acknowledge_alert(clinic.ctx("bob"), alert_id).episode
    assert episode is not None
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p", *f"#{episode.id}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Opened) and app.screen.args == (episode.id,)
        app.services.store.close()


async def test_enter_opens_the_episode_once_acknowledged(clinic: Clinic, opened: None) -> None:
    ingest_records(clinic.ctx(), [alert_record(id="e-1")], origin="test")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        assert any("acknowledge it (a) first" in n for n in notices(app))
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, Opened)
        (episode_id,) = app.screen.args
        await pilot.press("escape")  # the stand-in has no key to close; pop it by hand
        app.pop_screen()
        await pilot.pause()
        await pilot.press("e", "enter")  # the same episode from "my open episodes"
        assert isinstance(app.screen, Opened) and app.screen.args == (episode_id,)
        app.pop_screen()
        await pilot.press("w", "c")
        assert isinstance(app.screen, Opened) and app.screen.args == (clinic.clients["C-1"],)
        app.pop_screen()
        await pilot.press("r")
        assert isinstance(app.screen, Opened) and app.screen.args == (episode_id,)
        app.services.store.close()


async def test_a_screen_missing_from_the_build_is_a_message(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(navigation, "_screen_class", lambda kind: None)
    ingest_records(clinic.ctx(), [alert_record(id="m-1")], origin="test")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, DashboardScreen)
        assert any("client record is not part of this build" in n for n in notices(app))
        app.services.store.close()


def test_an_unknown_account_is_refused_by_name(clinic: Clinic) -> None:
    with pytest.raises(CommandError, match="'mallory'"):
        make_app(clinic.settings, actor="mallory", clock=clinic.clock)


async def test_an_unexpected_error_ends_with_an_incident_id_not_a_traceback(
    clinic: Clinic,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ONCALL_LOG_DIR", str(tmp_path / "logs"))
    app = console(clinic)

    def boom() -> None:
        client_name = "Jordan Test"
        raise ValueError(f"cannot show {client_name}")

    with pytest.raises(ValueError):
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            app.call_later(boom)
            await pilot.pause()
    assert app.return_code == 1
    shown = capsys.readouterr().err  # what the terminal shows after the console stops
    assert "incident" in shown and "Jordan" not in shown and "Traceback" not in shown
    (report,) = (tmp_path / "logs").iterdir()
    text = report.read_text()
    assert "builtins.ValueError" in text and "in boom" in text
    assert "Jordan" not in text
    app.services.store.close()


async def test_the_demo_feed_brings_new_alerts(tmp_path: Path, clock: FrozenClock) -> None:
    settings = Settings(db_path=tmp_path / "demo.db", idle_lock_minutes=0)
    store = connect(settings.db_path)
    seed_everything(store, settings=settings, clock=clock)
    store.close()
    app = make_app(settings, actor="demo", clock=clock, demo=True, feed_interval_s=0.2)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert "DEMO" in str(screen.query_one(StatusLine).render())
        start = screen._tallies.total
        give_up = time.monotonic() + 5
        while screen._tallies.total < start + 2:
            assert time.monotonic() < give_up, "the demo feed brought nothing"
            await pilot.pause(0.1)
        app.services.store.close()
        assert app.demo_feed is not None
        app.demo_feed.ctx.store.close()


def test_oncall_demo_seeds_and_opens_the_console_as_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[OnCallApp] = []
    monkeypatch.setattr(OnCallApp, "run", lambda app, **_: opened.append(app))
    assert main(["demo", "--no-feed", "--db", str(tmp_path / "demo.db")]) == 0
    (app,) = opened
    assert app.services.actor.login == "demo" and app.demo_mode and app.demo_feed is None
    out = capsys.readouterr().out
    assert "alerts over the past 28 days" in out and str(tmp_path / "demo.db") in out


def test_oncall_refuses_an_account_that_is_not_staff(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(OnCallApp, "run", lambda app, **_: pytest.fail("the console opened"))
    login = pwd.getpwuid(os.getuid()).pw_name  # not one of the clinic's staff
    assert main(["--db", str(clinic.store.path)]) == 1
    assert f"'{login}'" in capsys.readouterr().err
