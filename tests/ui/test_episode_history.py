"""Episode history: newest first, paged by key, limited to what the user may open."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Label

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.domain.types import Disposition
from oncall.services import closing
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.episode_history import read_history_page
from oncall.ui.screens.episode_history import EpisodeHistoryScreen, HistoryTable


def _episodes(clinic: Clinic, count: int) -> list[int]:
    """`count` closed episodes, one a minute, cycling over the three clients."""
    made = []
    for n in range(count):
        ctx = clinic.ctx("alice")
        (alert_id,) = ingest_records(
            ctx, [alert_record(id=f"h{n}", client_ref=f"C-{1 + n % 3}")], origin="t"
        ).accepted_ids
        episode = acknowledge_alert(ctx, alert_id).episode
        assert episode is not None
        make_safe_to_close(ctx, episode.id)
        closing.close_episode(
            ctx,
            episode.id,
            disposition=Disposition.NO_CRISIS,
            summary="ok",
            follow_ups=[],
            no_follow_up_reason="no crisis",
        )
        made.append(episode.id)
        clinic.clock.advance(timedelta(minutes=1))
    return made


def test_pages_walk_every_episode_once_in_both_directions(clinic: Clinic) -> None:
    made = _episodes(clinic, 23)
    ctx = clinic.ctx("sue")
    seen: list[int] = []
    page = read_history_page(ctx, limit=5)
    assert page.total == 23
    pages = [page.rows]
    while page.rows:
        seen += [r.episode_id for r in page.rows]
        page = read_history_page(ctx, limit=5, older_than=page.rows[-1].key, count=False)
        pages.append(page.rows)
    assert seen == made[::-1]
    back = read_history_page(ctx, limit=5, newer_than=pages[2][0].key, count=False)
    assert [r.episode_id for r in back.rows] == [r.episode_id for r in pages[1]]


def test_a_peer_sees_only_episodes_of_clients_they_may_open(clinic: Clinic) -> None:
    _episodes(clinic, 3)
    assert read_history_page(clinic.ctx("pat")).total == 0
    assert read_history_page(clinic.ctx("sue")).total == 3


async def test_history_screen_pages_with_the_keyboard(clinic: Clinic) -> None:
    made = _episodes(clinic, 40)
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EpisodeHistoryScreen)
        table = screen.query_one(HistoryTable)
        first = table.row_count
        assert 5 <= first < 40  # one screenful, not the whole table
        assert str(table.get_row_at(0)[0]) == f"#{made[-1]}"
        await pilot.press("pagedown")
        await pilot.pause()
        assert str(table.get_row_at(0)[0]) == f"#{made[-1 - first]}"
        title = str(screen.query_one("#history-title", Label).render())
        assert "40 episodes" in title and f"rows {first + 1}" in title
        await pilot.press("pageup")
        await pilot.pause()
        assert str(table.get_row_at(0)[0]) == f"#{made[-1]}"
