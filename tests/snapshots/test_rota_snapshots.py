"""The rota screen (F8) as it looks, with a frozen clock: shifts, gaps, a shift marked to swap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dashboard_scene import build_scene, settle
from textual.pilot import Pilot

from oncall.cli import make_app


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
def test_rota_screen_with_a_shift_marked_for_a_swap(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    settings, clock = build_scene(tmp_path / "scene.db")
    app = make_app(settings, actor="hcho", clock=clock)

    async def open_rota(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("down", "s")
        await settle(pilot)
        app.clear_notifications()  # the hint toast would cover the rows

    assert snap_compare(app, terminal_size=size, run_before=open_rota)
    app.services.store.close()
