"""Issue 16 item 6: log files and incident reports are never opened through a link, and
only in a folder this account owns; otherwise one sentence says why and nothing is touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oncall.logs import setup_logging, stop_logging
from oncall.private_files import UnsafeLogPath
from oncall.ui import crash


def _victim(tmp_path: Path) -> Path:
    """A file the attacker wants re-moded and appended to (root-owned in the report)."""
    victim = tmp_path / "victim.conf"
    victim.write_text("root=1\n")
    victim.chmod(0o644)
    return victim


def test_a_log_file_planted_as_a_link_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    victim = _victim(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    (logs / "oncall.log").symlink_to(victim)
    with pytest.raises(UnsafeLogPath) as refused:
        setup_logging(directory=logs)
    stop_logging()
    assert refused.value.strerror == f"{logs / 'oncall.log'} is a symbolic link; refused"
    assert victim.read_text() == "root=1\n"
    assert victim.stat().st_mode & 0o777 == 0o644


def test_a_log_file_that_is_a_hard_link_is_refused(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    os.link(victim, logs / "oncall.log")
    with pytest.raises(UnsafeLogPath, match="has other names"):
        setup_logging(directory=logs)
    stop_logging()
    assert victim.read_text() == "root=1\n" and victim.stat().st_mode & 0o777 == 0o644


def test_a_log_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    logs = tmp_path / "logs"
    logs.symlink_to(elsewhere)
    with pytest.raises(UnsafeLogPath, match="is a symbolic link, not a folder"):
        setup_logging(directory=logs)
    stop_logging()
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another account needs root")
def test_a_log_folder_another_account_owns_is_refused(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o777)
    os.chown(logs, 65534, 65534)
    with pytest.raises(UnsafeLogPath, match="belongs to another account \\(uid 65534\\)"):
        setup_logging(directory=logs)
    stop_logging()
    assert list(logs.iterdir()) == []


def test_the_cli_says_one_sentence_and_runs_without_a_log(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    (logs / "oncall.log").symlink_to(victim)
    (tmp_path / "none.toml").write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "feeds", "--db", str(tmp_path / "o.db")],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "ONCALL_LOG_DIR": str(logs),
            "ONCALL_CONFIG": str(tmp_path / "none.toml"),
        },
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert (
        f"oncall: not logging to a file: {logs / 'oncall.log'} is a symbolic link; refused"
        in done.stderr
    )
    assert victim.read_text() == "root=1\n" and victim.stat().st_mode & 0o777 == 0o644


def test_an_incident_report_is_not_written_into_a_linked_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    logs = tmp_path / "logs"
    logs.symlink_to(elsewhere)
    with pytest.raises(UnsafeLogPath):
        crash.write_report(RuntimeError("boom"), "20261204-000000-abcdef", logs)
    incident = crash.report_exception(RuntimeError("boom"), logs)
    assert incident and list(elsewhere.iterdir()) == []
    own = tmp_path / "own"
    path = crash.write_report(RuntimeError("boom"), incident, own)
    assert path.parent == own and path.stat().st_mode & 0o777 == 0o600
