"""The supervisor board and the shift handoff as they look, with a frozen clock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from dashboard_scene import build_scene, settle
from textual.pilot import Pilot

from oncall.cli import make_app
from oncall.ui.app import OnCallApp


def board_app(db_path: Path, *, privacy: bool = False) -> OnCallApp:
    """The console on the supervisor board, as supervisor hcho, on the dashboard scene."""
    settings, clock = build_scene(db_path)
    return make_app(replace(settings, privacy_mode=privacy), actor="hcho", clock=clock, board=True)


def test_supervisor_board_wide(snap_compare: Any, tmp_path: Path) -> None:
    app = board_app(tmp_path / "scene.db")
    assert snap_compare(app, terminal_size=(120, 36), run_before=settle)
    app.services.store.close()


def test_supervisor_board_small_terminal(snap_compare: Any, tmp_path: Path) -> None:
    app = board_app(tmp_path / "scene.db")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
    app.services.store.close()


def test_supervisor_board_privacy_mode(snap_compare: Any, tmp_path: Path) -> None:
    app = board_app(tmp_path / "scene.db", privacy=True)
    assert snap_compare(app, terminal_size=(120, 36), run_before=settle)
    app.services.store.close()


def test_shift_handoff_screen(snap_compare: Any, tmp_path: Path) -> None:
    app = board_app(tmp_path / "scene.db")

    async def open_handoff(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=open_handoff)
    app.services.store.close()


def test_supervisor_board_reassign_chooser(snap_compare: Any, tmp_path: Path) -> None:
    """r on a waiting alert: the colleagues, those on call first, each with their rota role."""
    app = board_app(tmp_path / "scene.db")

    async def reassign(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=reassign)
    app.services.store.close()
