"""The close form names what a safe close still needs before save; a supervisor may override."""

from __future__ import annotations

from typing import Any

from episode_helpers import HANDOFF, header, open_episode, settle
from textual.pilot import Pilot
from textual.widgets import Select

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.models import Location
from oncall.domain.types import Disposition, EpisodeStatus, EventKind
from oncall.services import episodes
from oncall.store import episodes as episode_rows
from oncall.store.audit import audit_entries
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.close import CloseEpisodeForm

HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
SUMMARY = "Voices quieter; says [not] planning anything"


def _self_harm_handoff(clinic: Clinic) -> int:
    episode_id = open_episode(
        clinic,
        source="hotline",
        kind="self_harm",
        summary="Command hallucinations to self-harm",
        handoff=HANDOFF,
        location=None,
    )
    episodes.confirm_handoff(clinic.ctx(), episode_id)
    return episode_id


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


async def _fill(pilot: Pilot[Any], form: CloseEpisodeForm) -> None:
    form.query_one("#disposition", Select).value = Disposition.NO_CRISIS
    form.query_one("#summary").focus()
    await pilot.press(*SUMMARY)
    form.query_one("#no-follow-up-reason").focus()
    await pilot.press(*"Seen in group tomorrow")


def _problems(form: CloseEpisodeForm) -> str:
    return str(form.query_one("#form-problems").render())


def _status(clinic: Clinic, episode_id: int) -> EpisodeStatus:
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None
    return episode.status


async def test_the_form_lists_what_is_missing_and_a_clinician_cannot_close(
    clinic: Clinic,
) -> None:
    episode_id = _self_harm_handoff(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        await _fill(pilot, form)
        problems = _problems(form)
        for line in [
            "• A self-harm alert needs the C-SSRS screening before closing (s).",
            "• Confirm where the client is (l), or record why it could not be confirmed.",
            "• A supervisor may close it anyway with a stated reason",
        ]:
            assert line in problems, line
        assert not form.query("#override-reason"), "no override for a clinician"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "A self-harm alert needs the C-SSRS screening" in str(
            form.query_one("#form-error").render()
        )
    assert _status(clinic, episode_id) is EpisodeStatus.OPEN


async def test_a_supervisor_closes_with_a_reason_typed_at_speed(clinic: Clinic) -> None:
    episode_id = _self_harm_handoff(clinic)
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    reason = "EMS took the client to St. Joseph ED; screening there"
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        await _fill(pilot, form)
        assert "• Or, as supervisor, give the reason to close without them" in _problems(form)
        form.query_one("#override-reason").focus()
        await pilot.press(*reason, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert "CLOSED" in header(app)
    with clinic.store.read() as conn:
        entries = audit_entries(conn, client_id=clinic.clients["C-1"])
        events = episode_rows.timeline(conn, episode_id)
    (override,) = [e for e in entries if e.action == "episode.close_override"]
    assert override.actor == "sue" and override.detail["reason"] == reason
    (outcome,) = [e for e in events if e.kind is EventKind.OUTCOME]
    assert outcome.body["summary"] == SUMMARY
    assert outcome.body["override"]["missing"] == ["risk_screening", "location"]


async def test_high_risk_asks_for_a_safety_plan_review_before_save(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location=None)
    episodes.confirm_location(clinic.ctx(), episode_id, Location("home"))
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _close_form(pilot, episode_id)
        await _fill(pilot, form)
        problems = _problems(form)
        assert "• Risk is HIGH: review the safety plan with the client before closing (p)." in (
            problems
        )
        assert "Confirm where the client is" not in problems
        assert not form.query("#no-location-reason"), "the location is confirmed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
    assert _status(clinic, episode_id) is EpisodeStatus.OPEN
