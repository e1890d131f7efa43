"""The live queue as it looks, at 120x36 and 80x24, with a frozen clock and a fixed queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboard_scene import scene_app, settle
from textual.pilot import Pilot

from oncall.store.errors import DatabaseLocked


def test_dashboard_wide(snap_compare: Any, tmp_path: Path) -> None:
    app = scene_app(tmp_path / "scene.db")
    assert snap_compare(app, terminal_size=(120, 36), run_before=settle)
    app.services.store.close()


def test_dashboard_small_terminal(snap_compare: Any, tmp_path: Path) -> None:
    app = scene_app(tmp_path / "scene.db")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
    app.services.store.close()


def test_dashboard_privacy_mode(snap_compare: Any, tmp_path: Path) -> None:
    app = scene_app(tmp_path / "scene.db", privacy=True)
    assert snap_compare(app, terminal_size=(120, 36), run_before=settle)
    app.services.store.close()


def test_dashboard_says_stale_when_the_database_cannot_be_read(
    snap_compare: Any, tmp_path: Path
) -> None:
    app = scene_app(tmp_path / "scene.db")

    async def lock_then_settle(pilot: Pilot[Any]) -> None:
        await settle(pilot)

        def locked() -> int:
            raise DatabaseLocked("busy")

        app.services.store.data_version = locked  # type: ignore[method-assign]
        await pilot.pause(0.6)

    assert snap_compare(app, terminal_size=(120, 36), run_before=lock_then_settle)
    app.services.store.close()


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    app = scene_app(tmp_path / "scene.db")

    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)
    app.services.store.close()
