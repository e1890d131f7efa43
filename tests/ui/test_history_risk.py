"""F5 lists an episode stored before risk was derived with the risk its timeline gives now."""

from __future__ import annotations

from episode_helpers import open_episode, settle

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.cssrs import CssrsAnswers
from oncall.services import episodes
from oncall.ui.screens.episode_history import EpisodeHistoryScreen, HistoryTable

HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)


async def test_the_history_shows_the_risk_derived_not_the_stale_copy(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    with clinic.store.write() as conn:  # as an episode stored before the derivation kept it
        conn.execute("UPDATE episodes SET risk_level = 'low' WHERE id = ?", (episode_id,))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EpisodeHistoryScreen)
        row = [str(cell) for cell in screen.query_one(HistoryTable).get_row_at(0)]
        assert row[0] == f"#{episode_id}"
        assert row[4] == "high"
