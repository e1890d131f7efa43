"""The episode's risk on screen: each assessment with source and time, corrections applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from episode_helpers import header, open_episode, settle, timeline_text
from textual.widgets import DataTable, Label, RadioSet, Select, Static, TextArea

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.types import EventKind, RiskLevel
from oncall.services import episodes
from oncall.store import episodes as episode_rows
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.amend import AmendForm
from oncall.ui.screens.forms.close import CloseEpisodeForm
from oncall.ui.screens.forms.cssrs import CssrsForm
from oncall.ui.widgets.timeline import Timeline

HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
NO_RISK = CssrsAnswers(q1=False, q2=False, q3=None, q4=None, q5=None, q6=False)


async def test_not_screened_and_screened_with_no_risk_read_differently(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    settings = replace(clinic.settings, idle_lock_minutes=0)  # the clock moves on below
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "Risk: NOT SCREENED (not the same as no risk" in header(app)
        assert "C-SSRS not screened · overdose-risk checklist not screened" in header(app)
        clinic.clock.advance(timedelta(minutes=7))
        episodes.record_cssrs(clinic.ctx(), episode_id, NO_RISK)
        await pilot.pause(0.6)  # another console's save: noticed by the refresh poll
        await settle(pilot)
        text = header(app)
        assert "Risk:  NONE  highest current assessment: C-SSRS, 03:07" in text
        assert "C-SSRS NONE 03:07 (no to every question)" in text
        assert "NOT SCREENED" not in text


async def test_checklist_then_screener_typed_at_speed_keeps_the_higher_level(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, kind="overdose", location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("o", "space", "tab", "space", "tab", "space", "ctrl+s")
        await settle(pilot)
        await pilot.press("s", "y", "n", "n", "ctrl+s")  # C-SSRS: 1 yes, 2 no, 6 no: LOW
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        text = header(app)
        assert "Risk:  MODERATE  highest current assessment: overdose-risk checklist" in text
        assert "C-SSRS LOW 03:00 (yes to 1)" in text
        assert "overdose-risk checklist MODERATE 03:00 (3 flags)" in text
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CloseEpisodeForm)
        assert form.query_one(DataTable).row_count == 2, "moderate: 24 h and 72 h"
        labels = " ".join(str(label.render()) for label in form.query(Label))
        assert "proposed for risk MODERATE" in labels
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None and episode.risk_level is RiskLevel.MODERATE


async def test_amending_a_screener_re_asks_it_and_the_risk_follows(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "Risk:  HIGH " in header(app)
        timeline = app.screen.query_one(Timeline)
        assert timeline.highlighted_event is not None
        assert timeline.highlighted_event.kind is EventKind.RISK_SCREENING
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CssrsForm) and form.corrects is not None
        assert form.answers["q4"] is True, "the recorded answers are filled in"
        form.query_one("#set-q4", RadioSet).focus()
        reason = "Misheard: no intention of acting; thinks about it"
        await pilot.press("n", *reason, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        text = header(app)
        assert "Risk:  MODERATE " in text
        assert "C-SSRS MODERATE 03:00 (yes to 1, 2, 3; corrected by #3)" in text
        assert "Corrected to: C-SSRS screener: risk MODERATE (yes to 1, 2, 3)." in (
            timeline_text(app)
        )
    with clinic.store.read() as conn:
        events = episode_rows.timeline(conn, episode_id)
        episode = episode_rows.episode_by_id(conn, episode_id)
    amendment = events[-1]
    assert amendment.kind is EventKind.AMENDMENT and amendment.amends == events[1].id
    assert amendment.body["correction"] == reason
    assert episode is not None and episode.risk_level is RiskLevel.MODERATE


async def test_a_correction_without_a_reason_is_not_saved(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CssrsForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Say what was wrong with the screener as recorded." in str(
            form.query_one("#form-error").render()
        )
        assert form.query_one("#reason", TextArea).text == ""


async def test_a_correction_in_words_says_the_level_stays_and_the_header_names_it(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, location=None)
    screening = episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    episodes.add_note(clinic.ctx(), episode_id, "Client calmer")
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("a")  # the note is highlighted: the amendment form in words
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AmendForm)
        hint = form.query_one("#amend-screening", Static)
        assert not hint.display, "a note: nothing to say"
        form.query_one("#event", Select).value = screening.id
        await pilot.pause()
        assert hint.display
        assert "the screening's risk level stays as recorded" in str(hint.render())
        form.query_one("#correction").focus()
        await pilot.press(*"Client later said the plan was last year", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "Risk:  HIGH " in header(app)
        assert "amended in words by #4, level as recorded" in header(app)
