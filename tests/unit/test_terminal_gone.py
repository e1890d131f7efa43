"""A command whose terminal went away (SSH dropped, tmux killed) ends quietly, no incident."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from oncall.cli import main


class _GoneTerminal:
    """Standard output of a process whose terminal closed: every write fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")


def test_a_summary_with_nowhere_to_go_ends_the_command_without_an_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_log_dir: Path
) -> None:
    db = tmp_path / "oncall.db"
    monkeypatch.setattr("sys.stdout", _GoneTerminal())
    assert main(["init", "--db", str(db), "--admin", "alice", "--name", "Alice Admin"]) == 1
    assert db.exists(), "the work was done; only its summary was lost"
    assert not list(private_log_dir.glob("incident-*")), "no incident report for a closed terminal"
