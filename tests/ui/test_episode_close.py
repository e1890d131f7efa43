"""Closing an episode (W5): every refusal shown in the form, and a close with its follow-up plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from episode_helpers import HANDOFF, header, open_episode, settle, timeline_text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from closing_support import make_safe_to_close
from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.types import Disposition, EpisodeStatus, FollowUpKind
from oncall.services import episodes
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.close import CloseEpisodeForm

HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
NO_RISK = CssrsAnswers(q1=False, q2=False, q3=None, q4=None, q5=None, q6=False)


async def _close_form(pilot: Pilot[Any], episode_id: int) -> CloseEpisodeForm:
    await pilot.app.push_screen(EpisodeScreen(episode_id))
    await settle(pilot)
    await pilot.press("ctrl+n")  # location: not yet
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CloseEpisodeForm)
    return form


def _error(form: CloseEpisodeForm) -> str:
    return str(form.query_one("#form-error").render())


async def test_every_reason_not_to_close_is_shown_and_the_form_stays(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="hotline", handoff=HANDOFF)
    episodes.record_cssrs(clinic.ctx(), episode_id, NO_RISK)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        assert form.query_one(DataTable).row_count == 0, "screened, no risk: no plan proposed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = _error(form)
        for reason in [
            "• A handoff awaits confirmation: confirm it before closing the episode.",
            "• Choose a disposition before closing.",
            "• Write a short summary before closing.",
            "• Schedule follow-ups, or state why none are needed.",
            "• Confirm where the client is (l), or record why it could not be confirmed.",
        ]:
            assert reason in error, reason
        # Fill in what the form can: the handoff still stops it, and nothing typed is lost.
        await pilot.press("enter", "down", "enter")  # the first disposition
        form.query_one("#summary").focus()
        await pilot.press(*"Reached by phone; calmer")
        form.query_one("#no-follow-up-reason").focus()
        await pilot.press(*"Hotline keeps the case")
        form.query_one("#no-location-reason").focus()
        await pilot.press(*"Client would not say")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "A handoff awaits confirmation" in _error(form)
        assert "Choose a disposition" not in _error(form)
        # Another console confirms the handoff meanwhile: the same form now closes.
        episodes.confirm_handoff(clinic.ctx("sue"), episode_id, "reached")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "CLOSED" in header(app)
        assert "Closed — Stabilized by phone/video. Summary: Reached by phone; calmer" in (
            timeline_text(app)
        )
        assert "No follow-up: Hotline keeps the case." in timeline_text(app)
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None and episode.status is EpisodeStatus.CLOSED
    assert episode.disposition is Disposition.STABILIZED


async def test_close_with_the_proposed_plan_edited(clinic: Clinic) -> None:
    # Bob works this one, but follow-up is continuity of care: the plan goes to Alice,
    # the client's primary clinician.
    episode_id = open_episode(clinic, login="bob")
    episodes.record_cssrs(clinic.ctx("bob"), episode_id, HIGH)
    make_safe_to_close(clinic.ctx("bob"), episode_id)
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        table = form.query_one(DataTable)
        assert table.row_count == 8, "high risk: 24 h contact and 7 daily check-ins"
        assert "Contact within 24 h" in str(table.get_row_at(0)[1])
        assert "Mon 23 Nov 03:00 PST" in str(table.get_row_at(0)[2])
        assert {str(table.get_row_at(n)[3]) for n in range(8)} == {"Alice Rivera"}
        # Remove the second follow-up (the first daily check-in).
        table.focus()
        await pilot.press("down", "ctrl+r")
        assert table.row_count == 7
        # Move the 24 h contact earlier and give it to Sue.
        await pilot.press("up")
        due = form.query_one("#edit-due", Input)
        assert due.value == "2026-11-23 03:00"
        due.focus()
        await pilot.press("end", *["backspace"] * 16, *"2026-11-22 12:00")
        assert "Sun 22 Nov 12:00 PST" in str(table.get_row_at(0)[2])
        await pilot.press("backspace")
        assert "Write the due time as YYYY-MM-DD HH:MM" in str(
            form.query_one("#form-problems").render()
        )
        await pilot.press("0")
        form.query_one("#edit-assignee", Select).value = clinic.staff["sue"].id
        await pilot.pause()
        assert "Sue Lindqvist" in str(table.get_row_at(0)[3])
        # A follow-up added by hand: a caring contact in a day.
        await pilot.press("ctrl+o")
        assert table.row_count == 8
        assert "Caring contact" in str(table.get_row_at(7)[1])
        form.query_one("#disposition").focus()
        await pilot.press("enter", "down", "down", "enter")  # safety plan reviewed and updated
        form.query_one("#summary").focus()
        await pilot.press(*"Plan reviewed; sister staying tonight")
        assert "Ready to save." in str(form.query_one("#form-problems").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "CLOSED 03:00 — Safety plan reviewed and updated; 8 follow-up(s) pending" in (
            header(app)
        )
        assert "Follow-up scheduled: Contact within 24 h, due 12:00." in timeline_text(app)
    with clinic.store.read() as conn:
        scheduled = follow_up_rows.follow_ups_for_episode(conn, episode_id)
    assert len(scheduled) == 8
    first = scheduled[0]
    assert first.kind is FollowUpKind.CONTACT_24H
    assert first.due_at == clinic.clock.now() + timedelta(hours=9)
    assert first.assignee_id == clinic.staff["sue"].id
    checkins = [f for f in scheduled if f.kind is FollowUpKind.DAILY_CHECKIN]
    assert {f.assignee_id for f in checkins} == {clinic.staff["alice"].id}
    added = [f for f in scheduled if f.kind is FollowUpKind.CARING_CONTACT]
    # Added by hand: like the plan's own, for the client's primary clinician by default.
    assert {f.assignee_id for f in added} == {clinic.staff["alice"].id}
    kinds = [f.kind for f in scheduled]
    assert kinds.count(FollowUpKind.DAILY_CHECKIN) == 6
    assert kinds.count(FollowUpKind.CARING_CONTACT) == 1


async def test_a_follow_up_due_in_the_past_is_named(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        form.query_one("#edit-due").focus()
        await pilot.press("end", *["backspace"] * 16, *"2026-11-21 09:00")
        assert "Follow-up 1 (contact within 24 h) is due in the past." in str(
            form.query_one("#form-problems").render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "is due in the past" in _error(form)


async def test_a_closed_episode_takes_only_amendments(clinic: Clinic) -> None:
    from oncall.services.closing import close_episode

    episode_id = open_episode(clinic)
    make_safe_to_close(clinic.ctx(), episode_id)
    close_episode(
        clinic.ctx(),
        episode_id,
        disposition=Disposition.NO_CRISIS,
        summary="Checked in, no crisis",
        follow_ups=[],
        no_follow_up_reason="No crisis",
    )
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EpisodeScreen), "no location prompt on a closed episode"
        assert "Only amendments now." in header(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen, "recording keys are off"
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Summary should say: by video", "ctrl+s")
        await settle(pilot)
        assert "Amends #4 (outcome): Summary should say: by video" in timeline_text(app)
