"""Overdose in progress at keyboard speed: each key a timed step on the timeline, in order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from burst import burst, keys_of
from episode_helpers import header, open_episode, settle, timeline_text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind
from oncall.store import episodes as episode_rows
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.emergency import EmergencyServicesForm
from oncall.ui.screens.overdose_response import OverdoseResponseScreen


def _steps(clinic: Clinic, episode_id: int) -> list[TimelineEvent]:
    with clinic.store.read() as conn:
        events = episode_rows.timeline(conn, episode_id)
    return [e for e in events if e.kind is EventKind.OVERDOSE_RESPONSE]


async def _protocol(pilot: Pilot[Any], episode_id: int) -> OverdoseResponseScreen:
    await pilot.app.push_screen(EpisodeScreen(episode_id))
    await settle(pilot)
    await pilot.press("ctrl+n")  # location: not yet
    await settle(pilot)
    await pilot.press("O")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OverdoseResponseScreen)
    return screen


def _next(screen: OverdoseResponseScreen) -> str:
    return str(screen.query_one("#od-next", Static).render())


async def test_a_burst_of_step_keys_is_recorded_in_the_order_pressed(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, kind="overdose", severity="imminent", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _protocol(pilot, episode_id)
        assert "Next: Is the person breathing? (b yes / n no)" in _next(screen)
        await pilot.press("n", "u", "9", *"Her brother Sam", "enter", "x", "v", "s")
        await settle(pilot)
        assert app.screen is screen
        assert "Naloxone dose 1 at 03:00:00: if no response by 03:02:00–03:03" in _next(screen)
        log = str(screen.query_one("#od-log", Static).render())
        assert "03:00:00  911 called by Her brother Sam at 03:00" in log
        await pilot.press("x", "a", "escape")  # leaving at once keeps the last steps
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
    steps = _steps(clinic, episode_id)
    assert [(e.body["step"], e.body.get("value")) for e in steps] == [
        ("breathing", False),
        ("responsive", False),
        ("called_911", None),
        ("naloxone", None),
        ("rescue_breathing", None),
        ("staying_with", None),
        ("naloxone", None),
        ("ems_arrived", None),
    ]
    assert steps[2].body["called_by"] == "Her brother Sam"
    assert (steps[3].body["dose"], steps[6].body["dose"]) == (1, 2)
    assert [e.id for e in steps] == sorted(e.id for e in steps)


async def test_naloxone_is_prompted_again_after_two_minutes_without_response(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, kind="overdose", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _protocol(pilot, episode_id)
        await pilot.press("x")
        await settle(pilot)
        clinic.clock.advance(timedelta(minutes=2, seconds=5))
        await pilot.pause(1.2)  # the screen's one-second clock redraws the prompt
        assert "No response recorded 2 min after naloxone dose 1 (03:00:00)" in _next(screen)
        await pilot.press("x", "r", "a")
        await settle(pilot)
        assert "EMS arrived." in _next(screen)
        assert "Naloxone" not in _next(screen), "responsive after dose 2: no reminder"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "overdose in progress HIGH 03:00" in header(app)
        text = timeline_text(app)
        assert "Overdose in progress — Naloxone given: dose 2." in text
        assert "Overdose in progress — EMS arrived." in text
    steps = _steps(clinic, episode_id)
    assert [e.body.get("dose") for e in steps if e.body["step"] == "naloxone"] == [1, 2]
    assert steps[1].at - steps[0].at == timedelta(minutes=2, seconds=5)


async def test_when_the_clinician_calls_911_the_disclosure_is_recorded_and_linked(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, kind="overdose", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _protocol(pilot, episode_id)
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EmergencyServicesForm)
        assert form.query_one("#service", Input).value == "911"
        await pilot.press(*"Dispatcher 12", "tab", *"Orange County 911", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        log = str(screen.query_one("#od-log", Static).render())
        assert "911 called by Alice Rivera at 03:00 (disclosure recorded" in log
    with clinic.store.read() as conn:
        events = episode_rows.timeline(conn, episode_id)
    (disclosure,) = [e for e in events if e.kind is EventKind.EMERGENCY_SERVICES]
    assert disclosure.body["recipient_name"] == "Dispatcher 12"
    assert disclosure.body["recipient_affiliation"] == "Orange County 911"
    assert disclosure.body["nature_of_emergency"] == "Overdose in progress"
    (call,) = _steps(clinic, episode_id)
    assert call.body["emergency_event_id"] == disclosure.id


async def test_a_garbled_911_time_is_named_and_nothing_is_recorded(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, kind="overdose", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _protocol(pilot, episode_id)
        await pilot.press("9", *"Caller", "tab", *"2:5x", "enter")
        await settle(pilot)
        assert "'2:5x' is not a time: write it as HH:MM." in str(
            screen.query_one("#od-error", Static).render()
        )
        await pilot.press("backspace", "backspace", *"58", "enter")
        await settle(pilot)
    (call,) = _steps(clinic, episode_id)
    assert call.body["called_by"] == "Caller"
    assert call.body["called_at"].startswith("2026-11-22T10:58:00")


async def test_keys_arriving_in_one_read_over_ssh_are_steps_in_that_order(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, kind="overdose", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _protocol(pilot, episode_id)
        # "9", a name with letters that are step keys (a, s, n), enter, then two steps.
        await burst(pilot, "n", "x", "9", keys_of("Dana Ross"), "enter", "x", "a")
        await settle(pilot)
    steps = _steps(clinic, episode_id)
    assert [e.body["step"] for e in steps] == [
        "breathing",
        "naloxone",
        "called_911",
        "naloxone",
        "ems_arrived",
    ]
    assert steps[2].body["called_by"] == "Dana Ross"
    assert [e.body.get("dose") for e in steps if e.body["step"] == "naloxone"] == [1, 2]
