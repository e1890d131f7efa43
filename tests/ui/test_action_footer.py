"""The footer of keys in a running console: what it lists, that it all fits, that clicks work."""

from __future__ import annotations

from typing import ClassVar

import pytest
from episode_helpers import HANDOFF, open_episode, settle
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from conftest import Clinic
from oncall.cli import make_app
from oncall.ui.app import OnCallApp
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.resources import ResourceDirectoryScreen
from oncall.ui.widgets.action_footer import MAX_LINES, ActionFooter

EPISODE_KEYS = [
    "esc Back",
    "l Location",
    "s C-SSRS",
    "o Overdose",
    "n Note",
    "c Contact",
    "g Coping",
    "r Referral",
    "p Plan rev.",
    "w Handoff",
    "h Confirm",
    "e Emergency",
    "t Notify EC",
    "a Amend",
    "x Close ep.",
    "i Client",
    "d Directory",
    "F12 Lock",
    "? Keys",
]


def footer(app: OnCallApp) -> ActionFooter:
    """The footer of the screen on top."""
    return app.screen.query_one(ActionFooter)


def footer_lines(app: OnCallApp) -> list[str]:
    """The footer's lines as drawn (only as many as it has room for)."""
    shown = footer(app)
    return [shown.render_line(y).text for y in range(shown.size.height)]


def where(app: OnCallApp, label: str) -> tuple[int, int]:
    """Where `label` is drawn in the footer (column, line)."""
    for y, line in enumerate(footer_lines(app)):
        if label in line:
            return line.index(label), y
    raise AssertionError(f"{label!r} not in the footer: {footer_lines(app)}")


async def test_dashboard_footer_lists_the_queue_keys_and_help(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        text = " ".join(footer_lines(app))
        for key in ["a Ack", "c Client", "r Resources", "e Episodes", "? Keys", "F12 Lock"]:
            assert key in text, key
        # App-wide keys other than help and lock are left to the help screen.
        assert "Board" not in text and "Privacy" not in text
        app.services.store.close()


async def test_every_episode_key_is_visible_at_80_columns(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="hotline", handoff=HANDOFF)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")  # the location: not yet
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        lines = footer_lines(app)
        assert 1 < len(lines) <= MAX_LINES, "the keys wrap, within four lines"
        text = " ".join(lines)
        for key in EPISODE_KEYS:
            assert key in text, key
        app.services.store.close()


async def test_the_footer_reflows_when_the_terminal_narrows(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert footer(app).size.height == 1
        await pilot.resize_terminal(40, 24)
        await settle(pilot)
        lines = footer_lines(app)
        assert len(lines) == 2, lines
        assert all(len(line) == 40 for line in lines)
        assert "? Keys" in " ".join(lines)
        app.services.store.close()


async def test_clicking_a_key_does_what_the_key_does(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click(footer(app), offset=where(app, "Resources"))
        await settle(pilot)
        assert isinstance(app.screen, ResourceDirectoryScreen)
        app.services.store.close()


async def test_clicking_a_dimmed_key_does_nothing(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ResourceDirectoryScreen())
        await settle(pilot)
        await pilot.press("down")  # from the search box to the results: paging keys show
        await settle(pilot)
        pressed: list[str] = []
        monkeypatch.setattr(app, "simulate_key", pressed.append)
        column, line = where(app, "[ Prev page")  # the first page: nothing before it
        segment = next(s for s in footer(app).render_line(line) if s.text == "[")
        assert segment.style is not None and segment.style.dim
        await pilot.click(footer(app), offset=(column, line))
        await settle(pilot)
        assert pressed == []
        await pilot.click(footer(app), offset=where(app, "esc Back"))
        assert pressed == ["escape"]
        app.services.store.close()


async def test_hovering_a_key_shows_what_it_does(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.hover(footer(app), offset=where(app, "a Ack"))
        await pilot.pause()
        assert footer(app).tooltip == "Acknowledge (claim) the selected alert"
        await pilot.hover(footer(app), offset=where(app, "Episodes"))
        await pilot.pause()
        assert footer(app).tooltip == "Move to my open episodes"
        app.services.store.close()


class ManyKeysScreen(Screen[None]):
    """Sixteen keys with long descriptions, and a footer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"do({n})", f"Something long to do number {key}")
        for n, key in enumerate("abcdefghijklmnop")
    ]

    def compose(self) -> ComposeResult:
        yield ActionFooter()

    def action_do(self, n: int) -> None:
        self.notify(f"did {n}")


class ManyKeys(App[None]):
    """An app whose screen has many keys."""

    def get_default_screen(self) -> Screen[None]:
        return ManyKeysScreen()


async def test_long_descriptions_are_cut_so_that_every_key_still_shows() -> None:
    app = ManyKeys()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        lines = [line.rstrip() for line in footer_lines(app)]  # type: ignore[arg-type]
        assert len(lines) == MAX_LINES
        words = "  ".join(lines).split("  ")
        assert [word.split()[0] for word in words] == list("abcdefghijklmnop")
        assert all(word.endswith("…") for word in words)  # cut, and says so
        await pilot.resize_terminal(200, 10)
        await pilot.pause()
        lines = [line.rstrip() for line in footer_lines(app)]  # type: ignore[arg-type]
        assert "a Something long to do number a" in lines[0]  # room enough: whole again


async def test_keys_with_long_descriptions_do_not_run_into_each_other(clinic: Clinic) -> None:
    from oncall.ui.screens.supervisor import SupervisorScreen

    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(SupervisorScreen())
        await settle(pilot)
        text = " ".join(footer_lines(app))
        for key in ["f Figures for a range", "t Today", "y Retry delivery", "o Messages"]:
            assert f"{key}  " in text, (key, text)
        app.services.store.close()
