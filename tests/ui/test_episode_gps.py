"""A wearable's GPS fix in an alert is on the episode's header, and y copies it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from console_helpers import notices
from episode_helpers import header, open_episode, settle

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.ui.screens.episode import EpisodeScreen


def fix(lat: float, lon: float) -> dict[str, object]:
    """An alert location as a wearable sends it."""
    return {"text": "wearable GPS", "lat": lat, "lon": lon}


async def test_the_latest_fix_is_on_the_header_and_y_copies_it(clinic: Clinic) -> None:
    episode_id = open_episode(
        clinic, source="wearable", location=fix(33.8382, -117.9123), kind="overdose"
    )
    # A later alert from the same watch: the client has moved; it joins the open episode.
    clinic.clock.advance(timedelta(minutes=4))
    moved = alert_record(
        id="watch-2",
        source="wearable",
        location=fix(33.84117, -117.90002),
        occurred_at=(clinic.clock.now() - timedelta(minutes=1)).isoformat(),
    )
    later = ingest_records(clinic.ctx(), [moved], origin="test").accepted_ids[0]
    acknowledge_alert(clinic.ctx(), later)
    clinic.clock.advance(timedelta(minutes=2))
    app = make_app(replace(clinic.settings, idle_lock_minutes=0), actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("escape")  # "not yet" to the location question
        await settle(pilot)
        text = header(app)
        assert "Alert GPS: 33.84117, -117.90002 — wearable, 03:03, 3m00s ago" in text
        assert "33.83820" not in text  # the older fix is not the lead to give
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "33.84117, -117.90002"
        assert any("33.84117, -117.90002" in n for n in notices(app))  # SSH may drop a copy
        app.services.store.close()


async def test_privacy_mode_hides_the_fix_and_y_refuses(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="wearable", location=fix(33.8382, -117.9123))
    settings = replace(clinic.settings, idle_lock_minutes=0, privacy_mode=True)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "Alert GPS: hidden (privacy mode)" in header(app)
        assert "33.83" not in header(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == ""
        assert any("Privacy mode is on" in n for n in notices(app))
        app.services.store.close()
