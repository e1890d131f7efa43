"""Drafts: an open form's fields kept at a hang-up come back into the same form, for its author."""

from __future__ import annotations

from dataclasses import replace

from episode_helpers import open_episode, settle, stored_events, workspace
from textual.widgets import Input, Select, TextArea

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.types import ContactChannel, ContactResult, EventKind
from oncall.services.drafts import my_drafts
from oncall.ui.app import OnCallApp
from oncall.ui.hangup import keep_unsaved
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.contact_attempt import ContactAttemptForm

SIZE = (120, 36)
NOTE = "Sister answered: [client] is asleep; call back after 09:00 — she'll keep the phone on."


def _app(clinic: Clinic, login: str = "alice") -> OnCallApp:
    settings = replace(clinic.settings, idle_lock_minutes=0)
    return make_app(settings, actor=login, clock=clinic.clock)


async def _cut_off_mid_form(clinic: Clinic, episode_id: int) -> None:
    """Fill the contact-attempt form, then keep it as the hang-up handler does."""
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactAttemptForm)
        form.query_one("#who", Input).value = "Dana (sister)"
        form.query_one("#channel", Select).value = ContactChannel.TEXT
        form.query_one("#result", Select).value = ContactResult.LEFT_MESSAGE
        form.query_one("#note", TextArea).text = NOTE
        await settle(pilot)
        assert keep_unsaved(app) == 1


async def test_a_kept_form_comes_back_into_the_same_form_and_saves_as_typed(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic)
    await _cut_off_mid_form(clinic, episode_id)
    assert my_drafts(clinic.ctx("bob")) == [], "a draft is its author's alone"
    assert len(my_drafts(clinic.ctx("alice"))) == 1
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactAttemptForm)
        assert form.query_one("#who", Input).value == "Dana (sister)"
        assert form.query_one("#channel", Select).value == ContactChannel.TEXT
        assert form.query_one("#result", Select).value == ContactResult.LEFT_MESSAGE
        assert form.query_one("#note", TextArea).text == NOTE
        assert form.unsaved_work() is not None, "Esc must ask before throwing it away"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
    attempts = [e for e in stored_events(clinic, episode_id) if e.kind is EventKind.CONTACT_ATTEMPT]
    assert [a.body.get("note") for a in attempts] == [NOTE]
    assert my_drafts(clinic.ctx("alice")) == []


async def test_a_draft_discarded_by_its_author_is_not_offered_again(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    await _cut_off_mid_form(clinic, episode_id)
    app = _app(clinic)
    async with app.run_test(size=SIZE) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")  # asks first
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
    assert my_drafts(clinic.ctx("alice")) == []
