"""Helpers for the episode-screen tests: an episode to work on, and reading the screen."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList

from conftest import Clinic, alert_record
from oncall.domain.models import TimelineEvent
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store import episodes as episode_rows
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.widgets.client_header import ClientHeader

HANDOFF = {
    "org": "988 Orange County",
    "counselor": "K-17",
    "reference": "988-55812",
    "callback": "+1-714-555-0101",
}

_counter = 0


def open_episode(
    clinic: Clinic, client_ref: str = "C-1", *, login: str = "alice", **alert: Any
) -> int:
    """Ingest an alert for the client and acknowledge it as `login`; the episode's id."""
    global _counter
    _counter += 1
    alert.setdefault("location", {"text": "home", "zip": "92701"})
    record = alert_record(id=f"ep-{_counter}", client_ref=client_ref, **alert)
    report = ingest_records(clinic.ctx(), [(1, record)], origin="test")
    ack = acknowledge_alert(clinic.ctx(login), report.accepted_ids[0])
    assert ack.episode is not None
    return ack.episode.id


async def settle(pilot: Pilot[Any]) -> None:
    """Let screens mount, thread workers (saves) finish and their results land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def header(app: App[Any]) -> str:
    """The episode header's text as shown."""
    return str(app.screen.query_one(ClientHeader).render())


def timeline_text(app: App[Any]) -> str:
    """Every line of the timeline page shown, newest first."""
    options = app.screen.query_one("#timeline-events", OptionList)
    return "\n".join(str(option.prompt) for option in options.options)


async def workspace(pilot: Pilot[Any], episode_id: int) -> EpisodeScreen:
    """Open the episode and answer the location prompt with "not yet"."""
    await pilot.app.push_screen(EpisodeScreen(episode_id))
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EpisodeScreen)
    return screen


def stored_events(clinic: Clinic, episode_id: int) -> list[TimelineEvent]:
    """The episode's timeline as stored, oldest first."""
    with clinic.store.read() as conn:
        return episode_rows.timeline(conn, episode_id)
