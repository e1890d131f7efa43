"""`oncall demo --as`: the demo opens in the role or identity asked for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import DataTable

from oncall.cli import main
from oncall.domain.types import Role
from oncall.ui.app import OnCallApp
from oncall.ui.screens.supervisor import SupervisorScreen


def test_demo_as_supervisor_opens_the_board_with_its_history_on_f2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, object] = {}

    async def drive(app: OnCallApp) -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await pilot.press("f2")
            await pilot.pause()
            seen["screen"] = app.screen
            if isinstance(app.screen, SupervisorScreen):
                seen["waiting"] = app.screen.query_one("#waiting", DataTable).row_count

    def run(app: OnCallApp, **_: object) -> None:
        seen["actor"] = app.services.actor
        asyncio.run(drive(app))

    monkeypatch.setattr(OnCallApp, "run", run)
    db = tmp_path / "demo.db"
    assert main(["demo", "--no-feed", "--db", str(db), "--as", "supervisor"]) == 0
    actor = seen["actor"]
    assert getattr(actor, "role", None) is Role.SUPERVISOR
    assert isinstance(seen["screen"], SupervisorScreen)
    assert isinstance(seen["waiting"], int) and seen["waiting"] > 0  # the past's waiting alerts
    out = capsys.readouterr().out
    assert "alerts over the past 28 days" in out
    assert f"({getattr(actor, 'login', '')}, supervisor)" in out
    # Opened again (its past is kept) as a demo login: the console acts as that person.
    assert main(["demo", "--no-feed", "--db", str(db), "--as", "kbell"]) == 0
    assert getattr(seen["actor"], "login", None) == "kbell"
    assert not isinstance(seen["screen"], SupervisorScreen)  # F2 is not a peer's


def test_demo_as_someone_outside_the_demo_is_refused_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(OnCallApp, "run", lambda app, **_: pytest.fail("the console opened"))
    db = tmp_path / "demo.db"
    assert main(["demo", "--no-feed", "--db", str(db), "--as", "root"]) == 2
    err = capsys.readouterr().err
    assert "--as 'root' is not one of the demo's staff" in err and "hcho" in err
    assert not db.exists()
    assert main(["demo", "--no-feed", "--db", str(db), "--as", "cfowler"]) == 2
    assert "'cfowler' is deactivated" in capsys.readouterr().err
    assert not db.exists()


def test_the_demo_never_uses_the_settings_files_feeds_or_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "oncall.toml"
    config.write_text(
        'resource_directory_url = "https://directory.example.org/hsds"\n'
        "[[feeds]]\n"
        'name = "hotline"\n'
        'url = "https://feeds.example.org/alerts"\n'
        "[[targets]]\n"
        'name = "pager"\n'
        'url = "https://events.example.org/v2/enqueue"\n'
        "default = true\n"
    )
    monkeypatch.setenv("ONCALL_CONFIG", str(config))
    seen: dict[str, object] = {}

    def run(app: OnCallApp, **_: object) -> None:
        seen["settings"] = app.services.settings

    monkeypatch.setattr(OnCallApp, "run", run)
    assert main(["demo", "--no-feed", "--db", str(tmp_path / "demo.db")]) == 0
    settings = seen["settings"]
    assert getattr(settings, "targets", None) == ()
    assert getattr(settings, "feeds", None) == ()
    assert getattr(settings, "resource_directory_url", "") is None
    assert "sends nothing" in capsys.readouterr().out
