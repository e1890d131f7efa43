"""Keys typed in one burst (SSH, tmux, a paste) are stored exactly as typed, in the right place."""

from __future__ import annotations

import time
from typing import Any

import pytest
from burst import burst, keys_of
from episode_helpers import open_episode, settle, stored_events, workspace
from textual.widgets import Button, Input, Static, TextArea

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.domain.types import EventKind
from oncall.services.alerts import ingest_records
from oncall.ui.app import OnCallApp
from oncall.ui.screens.confirm import ConfirmScreen
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.location import LocationForm
from oncall.ui.screens.forms.text_event import TextEventForm

NOTE = (
    "Client called back at 03:12 from her sister's apartment; calmer than at the first call."
    " Says the pills are now in the sister's car, locked. Agreed to keep the sister in the room,"
    " to call 988 if the urge returns, and to take the 09:00 check-in call. Naloxone kit on"
    " hand; sister knows where it is kept."
)


def _app(clinic: Clinic) -> OnCallApp:
    return make_app(clinic.settings, actor="alice", clock=clinic.clock)


async def test_a_long_note_and_its_save_key_in_one_burst_is_stored_byte_for_byte(
    clinic: Clinic,
) -> None:
    assert len(NOTE) > 290
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(pilot, "n", keys_of(NOTE), "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen), "the form saved and closed"
    notes = [e for e in stored_events(clinic, episode_id) if e.kind is EventKind.NOTE]
    assert [n.body["text"] for n in notes] == [NOTE]


async def test_cssrs_answers_typed_in_a_burst_go_to_their_own_questions(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        # 1 yes, 2 no (3-5 skipped), 6 yes, 6a no; then save, all in one read.
        await burst(pilot, "s", "y", "n", "y", "n", "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen)
    screenings = [
        e for e in stored_events(clinic, episode_id) if e.kind is EventKind.RISK_SCREENING
    ]
    assert len(screenings) == 1
    answers = screenings[0].body["answers"]
    assert answers["q1"] is True
    assert answers["q2"] is False
    assert answers["q6"] is True
    assert answers["q6_within_3_months"] is False
    assert screenings[0].body["risk_level"] == "moderate"


async def test_disclosure_fields_typed_across_tab_stay_in_their_fields(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    fields = {
        "service": "mobile crisis team",
        "recipient": "Dispatcher R. Ortiz, ID 4471",
        "affiliation": "Orange County Fire Authority dispatch",
        "nature": "Client has pills in hand and is alone; states intent.",
        "reference": "OCFA-2026-88120",
    }
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(
            pilot,
            "e",
            keys_of(fields["service"]),
            "tab",
            keys_of(fields["recipient"]),
            "tab",
            keys_of(fields["affiliation"]),
            "tab",
            keys_of(fields["nature"]),
            "tab",
            keys_of(fields["reference"]),
            "ctrl+s",
        )
        assert isinstance(app.screen, EpisodeScreen)
    [event] = [
        e for e in stored_events(clinic, episode_id) if e.kind is EventKind.EMERGENCY_SERVICES
    ]
    body = event.body
    assert body["service"] == fields["service"]
    assert body["recipient_name"] == fields["recipient"]
    assert body["recipient_affiliation"] == fields["affiliation"]
    assert body["nature_of_emergency"] == fields["nature"]
    assert body["reference"] == fields["reference"]


async def test_a_key_typed_while_leaving_a_screen_acts_on_the_screen_it_was_meant_for(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        # Back to the queue, then "e" (move to my open episodes) at once.
        await burst(pilot, "escape", "e")
        assert isinstance(app.screen, DashboardScreen), "no emergency form was opened"
        screen = app.screen
        assert screen.focused is not None
        assert screen.focused.id == "my-episodes"
    kinds = [e.kind for e in stored_events(clinic, episode_id)]
    assert EventKind.EMERGENCY_SERVICES not in kinds


async def test_the_location_prompt_does_not_take_keys_typed_before_it_appeared(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # Open the episode from "my open episodes" and type "n" (a note) at once.
        await burst(pilot, "e", "enter", "n", "o")
        screen = app.screen
        assert isinstance(screen, LocationForm), "the prompt is on top, not a note form"
        assert screen.query_one("#where", Input).value == "", "hotkeys are not its text"
        said = [n.message for n in app._notifications]
        assert "2 keys typed before this form opened: not used." in " ".join(said)
        # Keys typed once it is shown are its own.
        await burst(pilot, keys_of("home"), "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen)
    episode = stored_events(clinic, episode_id)
    assert EventKind.NOTE not in [e.kind for e in episode]


async def test_escape_on_a_half_written_note_asks_before_discarding_it(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(pilot, "n", keys_of("Client agreed to"), "escape")
        assert isinstance(app.screen, ConfirmScreen), "typing is not thrown away on one key"
        await burst(pilot, "n")  # keep editing
        form = app.screen
        assert isinstance(form, TextEventForm)
        assert form.query_one(TextArea).text == "Client agreed to"
        await burst(pilot, keys_of(" call back"), "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen)
        # An empty form closes at once; a typed one goes after "y".
        await burst(pilot, "n", "escape")
        assert isinstance(app.screen, EpisodeScreen)
        await burst(pilot, "n", keys_of("draft"), "escape", "y")
        assert isinstance(app.screen, EpisodeScreen)
    notes = [e.body["text"] for e in stored_events(clinic, episode_id) if e.kind is EventKind.NOTE]
    assert notes == ["Client agreed to call back"]


async def test_a_focused_cancel_button_asks_too(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(pilot, "e", keys_of("911"))
        app.screen.query_one("#form-cancel", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)


async def test_ctrl_q_asks_while_typing_would_be_lost(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(pilot, "n", keys_of("half a note"), "ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-detail", Static).content)
        assert "What you typed in “Add a note” is not saved" in question
        await burst(pilot, "n")
        assert isinstance(app.screen, TextEventForm), "staying keeps the note"
        assert app.is_running


async def test_ctrl_q_with_an_open_imminent_episode_asks_and_ctrl_q_again_quits(
    clinic: Clinic,
) -> None:
    open_episode(clinic, severity="imminent", kind="overdose")
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await burst(pilot, "ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        detail = str(app.screen.query_one("#confirm-detail", Static).content)
        assert "1 open episode with an IMMINENT alert" in detail
        await burst(pilot, "ctrl+q")
        assert not app.is_running


async def test_ctrl_q_quits_at_once_when_nothing_would_be_lost(clinic: Clinic) -> None:
    open_episode(clinic, severity="high")
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await burst(pilot, "ctrl+q")
        assert not app.is_running


async def test_a_key_after_a_write_waits_for_it_and_sees_its_result(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A slow claim (a busy database): Enter typed right after `a` must open the episode the
    # claim opens, not say "acknowledge it first".
    from oncall.ui.screens import dashboard

    report = ingest_records(clinic.ctx(), [(1, alert_record(id="slow-1"))], origin="test")
    claim = dashboard._acknowledge

    def slow_claim(services: Any, alert_id: int) -> Any:
        time.sleep(0.6)
        return claim(services, alert_id)

    monkeypatch.setattr(dashboard, "_acknowledge", slow_claim)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await burst(pilot, "a", "enter")
        assert isinstance(app.screen, LocationForm), "Enter opened the claimed episode"
        said = " ".join(n.message for n in app._notifications)
        assert "no episode yet" not in said
    with clinic.store.read() as conn:
        row = conn.execute(
            "SELECT acknowledged_by FROM alerts WHERE id = ?", (report.accepted_ids[0],)
        ).fetchone()
    assert row[0] == clinic.staff["alice"].id


async def test_a_key_arriving_as_the_console_closes_is_dropped_not_an_incident(
    clinic: Clinic,
) -> None:
    from textual import events

    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        stack = app._screen_stacks[app._current_mode]
        screens = list(stack)
        stack.clear()  # as when the last screen has gone and a key is still in flight
        try:
            await app.on_event(events.Key("a", "a"))
        finally:
            stack.extend(screens)
        await pilot.pause()
        assert app.is_running
