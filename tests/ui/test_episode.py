"""The episode workspace in the running console: header, location, risk forms (W2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from episode_helpers import HANDOFF, header, open_episode, settle, timeline_text
from textual.widgets import Input, RadioSet, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.store import episodes as episode_rows
from oncall.ui.screens.break_glass import BreakGlassScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.cssrs import CssrsForm
from oncall.ui.screens.forms.location import LocationForm
from oncall.ui.screens.forms.overdose import OverdoseForm


async def test_header_shows_the_client_and_the_screen_asks_where_they_are(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location={"text": "home", "zip": "92701"})
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        assert isinstance(app.screen, LocationForm), "the location is asked for at once"
        form = app.screen
        assert "Last known, not confirmed: home (92701)" in str(
            form.query_one(".hint", Static).render()
        )
        await pilot.press(*"at her sister's, 14 Elm St")
        await pilot.press("tab", *"92703", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        text = header(app)
        for expected in [
            "Jordan Test",
            "they/them",
            "Virtual IOP",
            "clinician Alice Rivera",
            "phone +1-714-555-0142",
            "emergency-contact disclosure YES",
            "hotline outcome report YES",
            "Location: at her sister's, 14 Elm St (92703) — confirmed 03:00",
            "Risk: NOT SCREENED",
            "OPEN since 03:00",
        ]:
            assert expected in text, expected
        assert "Location confirmed: at her sister's, 14 Elm St (92703)" in timeline_text(app)
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None and episode.location_confirmed_at == clinic.clock.now()


async def test_not_yet_leaves_the_location_flagged_and_l_asks_again(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "LOCATION NOT CONFIRMED" in header(app)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LocationForm)


async def test_a_bad_zip_is_named_and_nothing_typed_is_lost(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press(*"home", "tab", *"9270")
        form = app.screen
        assert "zip code must be 5 digits" in str(form.query_one("#form-problems").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the form stays open"
        assert "Not saved" in str(form.query_one("#form-error").render())
        assert form.query_one("#where", Input).value == "home"
        await pilot.press("1", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "Location: home (92701)" in header(app)


async def test_cssrs_no_to_question_2_skips_to_6_and_records_the_risk(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CssrsForm)
        await pilot.press("y")  # q1 wished dead
        assert form.query_one("#row-q3").display, "3-5 are asked until 2 is answered"
        await pilot.press("n")  # q2 no: 3-5 are skipped
        for key in ("q3", "q4", "q5"):
            assert not form.query_one(f"#row-{key}").display
        assert form.focused is form.query_one("#set-q6", RadioSet), "next is question 6"
        assert not form.query_one("#row-q6_within_3_months").display
        await pilot.press("y")  # q6 yes: the 3-month follow-up appears
        assert form.query_one("#row-q6_within_3_months").display
        assert "Answer question 6a" in str(form.query_one("#form-problems").render())
        await pilot.press("n")  # longer ago
        assert "Risk level: MODERATE" in str(form.query_one("#cssrs-next").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "Risk:  MODERATE  highest current assessment: C-SSRS, 03:00" in header(app)
        assert "C-SSRS MODERATE 03:00 (yes to 1, 6)" in header(app)
        assert "overdose-risk checklist not screened" in header(app)
        assert "C-SSRS screener: risk MODERATE (yes to 1, 6)" in timeline_text(app)


async def test_cssrs_changing_question_2_back_to_yes_asks_3_to_5_again(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CssrsForm)
        await pilot.press("y", "n", "n")  # 1 yes, 2 no, 6 no: complete, low
        assert "Risk level: LOW" in str(form.query_one("#cssrs-next").render())
        form.query_one("#set-q2").focus()
        await pilot.press("y")  # 2 yes after all: 3 is next and the form is incomplete again
        assert form.query_one("#row-q3").display
        assert "Answer question 3" in str(form.query_one("#form-problems").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "an incomplete screener is not saved"
        await pilot.press("y", "y", "y")  # 3, 4, 5 yes
        assert "Risk level: HIGH" in str(form.query_one("#cssrs-next").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Risk:  HIGH " in header(app)


async def test_overdose_checklist_alone_takes_the_risk_from_not_screened_to_low(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, location=None)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OverdoseForm)
        await pilot.press("space", "tab", "tab", "tab", "space")  # lowered tolerance, using alone
        result = str(form.query_one("#overdose-result").render())
        assert "2 flag(s): the episode's risk goes from NOT SCREENED to LOW." in result
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "Risk:  LOW " in header(app)
        assert (
            "Overdose-risk checklist: lowered tolerance; using alone; risk not screened → LOW"
            in timeline_text(app)
        )


async def test_a_hotline_handoff_shows_its_countdown(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="hotline", handoff=HANDOFF, location=None)
    # The console locks after idle minutes; this test moves the clock half an hour.
    settings = replace(clinic.settings, idle_lock_minutes=120)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        text = header(app)
        assert "HANDOFF PENDING from 988 Orange County, ref 988-55812" in text
        assert "callback +1-714-555-0101 — confirm within 30m00s" in text
        clinic.clock.advance(timedelta(minutes=31))
        await pilot.pause(1.2)
        assert "confirm within -1m00s over" in header(app)


async def test_a_record_not_yours_to_open_is_a_message_not_a_crash(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)  # alice's client and episode; bob has no access
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        # Break-the-glass is offered; declining it leaves the refusal, never the record.
        assert isinstance(app.screen, BreakGlassScreen)
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EpisodeScreen), "no location prompt for a refused view"
        assert "not on your caseload" in header(app)
        assert "Jordan" not in header(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen


async def test_a_missing_episode_says_so(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(404))
        await settle(pilot)
        assert "There is no episode 404." in header(app)


async def test_privacy_mode_hides_the_plan_and_masks_phone_numbers(clinic: Clinic) -> None:
    from textual.widgets import OptionList

    from oncall.domain.types import ContactChannel, ContactResult
    from oncall.services.episodes import record_contact_attempt
    from oncall.ui.widgets.safety_plan_panel import SafetyPlanPanel
    from oncall.ui.widgets.timeline import Timeline

    episode_id = open_episode(clinic)
    record_contact_attempt(
        clinic.ctx("alice"),
        episode_id,
        who="sister at +1-714-555-0177",
        channel=ContactChannel.PHONE,
        result=ContactResult.REACHED,
    )
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        if not isinstance(app.screen, EpisodeScreen):
            await pilot.press("ctrl+n")  # the location prompt: not yet
            await settle(pilot)

        def timeline_text() -> str:
            options = app.screen.query_one(Timeline).query_one(OptionList)
            return " ".join(
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            )

        assert "555-0177" in timeline_text()
        await pilot.press("f9")
        await settle(pilot)
        assert "555-0177" not in timeline_text() and "•••" in timeline_text()
        plan = str(app.screen.query_one(SafetyPlanPanel).query_one("#plan-text").render())
        assert "Hidden in privacy mode" in plan
        assert "J.T." in header(app) and "Jordan" not in header(app)


async def test_header_gives_age_and_date_of_birth_and_only_the_age_in_privacy_mode(
    clinic: Clinic,
) -> None:
    with clinic.store.write() as conn:
        conn.execute(
            "UPDATE clients SET date_of_birth = '2010-03-12' WHERE id = ?",
            (clinic.clients["C-1"],),
        )
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "Jordan Test · age 16 (born 12 Mar 2010) ·" in header(app)  # 22 Nov 2026
        await pilot.press("f9")
        await settle(pilot)
        assert "J.T. · age 16 ·" in header(app) and "2010" not in header(app)
