"""Snapshots of the episode workspace and the close form at 120x36 and 80x24, clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from conftest import alert_record
from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.models import Location
from oncall.domain.overdose import OverdoseFlag
from oncall.domain.types import ContactChannel, ContactResult
from oncall.services import episodes
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.store import people
from oncall.store.db import connect
from oncall.ui.app import OnCallApp
from oncall.ui.screens.episode import EpisodeScreen

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
SIZES = [(120, 36), (80, 24)]
HANDOFF = {
    "org": "988 Orange County",
    "counselor": "K-17",
    "reference": "988-55812",
    "callback": "+1-714-555-0101",
}


def _worked_episode(tmp_path: Path) -> tuple[OnCallApp, int]:
    """The demo clinic, and a hotline episode with a few minutes of work on it."""
    clock = FrozenClock(T0)
    settings = Settings(db_path=tmp_path / "snap.db")
    store = connect(settings.db_path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    with store.read() as conn:
        actor = people.staff_by_login(conn, "demo")
    assert actor is not None
    ctx = ServiceContext(store, actor, clock, settings)
    record = alert_record(
        id="hl-snap-1",
        source="hotline",
        client_ref="C-1001",
        summary="Caller reports SI with plan; [bold]safe[/] at home with sister",
        handoff=HANDOFF,
        location={"text": "home", "zip": "92701"},
    )
    alert_id = ingest_records(ctx, [(1, record)], origin="snapshot").accepted_ids[0]
    episode = acknowledge_alert(ctx, alert_id).episode
    assert episode is not None
    clock.advance(timedelta(minutes=2))
    episodes.confirm_location(ctx, episode.id, Location("at her sister's, 14 Elm St", "92703"))
    clock.advance(timedelta(minutes=1))
    episodes.record_contact_attempt(
        ctx, episode.id, who="José", channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    clock.advance(timedelta(minutes=4))
    answers = CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False)
    episodes.record_cssrs(ctx, episode.id, answers)
    episodes.record_overdose_screen(ctx, episode.id, [OverdoseFlag.USING_ALONE])
    clock.advance(timedelta(minutes=3))
    note = episodes.add_note(ctx, episode.id, "Sister will stay the night; naloxone in the kitchen")
    clock.advance(timedelta(minutes=1))
    episodes.amend_event(ctx, episode.id, note.id, "Naloxone is in her bag, not the kitchen")
    store.close()
    return make_app(settings, actor="demo", clock=clock), episode.id


def _open(episode_id: int, *keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(EpisodeScreen(episode_id))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_episode_workspace(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, episode_id = _worked_episode(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(episode_id))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_close_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, episode_id = _worked_episode(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(episode_id, "x"))


def _protocol(episode_id: int) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(episode_id, "O")(pilot)
        for key in ("n", "u", "x"):  # each step written before the next, for a stable picture
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_overdose_protocol(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, episode_id = _worked_episode(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_protocol(episode_id))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_cssrs_form_reads_each_question_aloud(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    # Question 1 answered yes, question 2 no (3-5 hidden): each question's published words
    # under its label, and the answer marked by a dot, not by colour alone.
    app, episode_id = _worked_episode(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_open(episode_id, "s", "y", "n"))
