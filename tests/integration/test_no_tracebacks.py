"""Issue 16 item 7: an unreadable settings file, a full log disk and a feed URL with a bad
port each give one sentence, never a traceback (real processes, real files, /dev/full)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Clinic


def oncall(
    *words: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncall.cli", *words],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
    )


def test_an_unreadable_settings_file_is_one_sentence(tmp_path: Path) -> None:
    unreadable = tmp_path / "oncall.toml"
    unreadable.mkdir()  # reading it fails with an OSError even for root (IsADirectoryError)
    done = oncall("feeds", "--db", str(tmp_path / "o.db"), env={"ONCALL_CONFIG": str(unreadable)})
    assert "Traceback" not in done.stderr
    assert f"Cannot read the settings file {unreadable}: Is a directory." in done.stderr
    assert done.returncode == 2


def test_a_settings_file_named_by_oncall_config_that_is_missing_is_a_usage_error(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "etc" / "oncall.toml"  # a typo in a unit file, say
    for words in (("feeds",), ("worker",), ()):
        done = oncall(*words, "--db", str(tmp_path / "o.db"), env={"ONCALL_CONFIG": str(missing)})
        assert "Traceback" not in done.stderr
        assert f"The settings file {missing} named by ONCALL_CONFIG does not exist" in done.stderr
        assert "none configured" not in done.stdout
        assert done.returncode == 2, (words, done.stdout, done.stderr)


@pytest.mark.skipif(os.getuid() == 0, reason="root reads a mode-000 file anyway")
def test_a_settings_file_without_read_permission_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "oncall.toml"
    config.write_text("")
    config.chmod(0)
    done = oncall("feeds", "--db", str(tmp_path / "o.db"), env={"ONCALL_CONFIG": str(config)})
    assert "Traceback" not in done.stderr and "Permission denied." in done.stderr


def run_worker_until(
    clinic: Clinic,
    env: dict[str, str],
    sql: str,
    out: Path,
    preexec_fn: Callable[[], None] | None = None,
) -> str:
    """Start `oncall worker`, wait until `sql` finds a row, stop it with SIGTERM; its output."""
    with out.open("wb") as sink:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oncall.cli", "worker", "--db", str(clinic.store.path)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            preexec_fn=preexec_fn,
        )
    try:
        deadline = time.monotonic() + 30
        while not clinic.store.query(sql):
            assert worker.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=15)
    text = out.read_text()
    assert code == 0, text
    return text


LOG_ROOM = 4_500_000
"""Bytes a process may write into any file in the full-disk test: the log file is made
this long, so every log write fails, while the database and its WAL stay well below."""


def _no_room_past_the_log() -> None:
    """In the child: writes past LOG_ROOM fail with EFBIG (and no SIGXFSZ ends it)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LOG_ROOM, LOG_ROOM))


def test_a_full_log_disk_is_one_sentence_not_a_traceback_per_record(
    clinic: Clinic, tmp_path: Path
) -> None:
    # The log file cannot grow, as on a full disk. (It was a link to /dev/full; a link
    # at the log's name is now refused, issue 16 item 6.)
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    with (logs / "oncall.log").open("wb") as log_file:
        log_file.truncate(LOG_ROOM)
    (tmp_path / "none.toml").write_text("")  # no feeds, no targets
    env = {"ONCALL_LOG_DIR": str(logs), "ONCALL_CONFIG": str(tmp_path / "none.toml")}
    text = run_worker_until(
        clinic, env, "SELECT 1 FROM leases", tmp_path / "worker.out", _no_room_past_the_log
    )
    assert "Traceback" not in text, text
    assert text.count("cannot be written (File too large)") == 1, text


def test_a_feed_url_with_an_invalid_port_is_a_failing_feed_in_the_worker(
    clinic: Clinic, tmp_path: Path
) -> None:
    config = tmp_path / "oncall.toml"
    config.write_text('[[feeds]]\nname = "bad"\nurl = "http://127.0.0.1:99999/alerts"\n')
    text = run_worker_until(
        clinic,
        {"ONCALL_CONFIG": str(config)},
        "SELECT 1 FROM feed_state WHERE last_error IS NOT NULL",
        tmp_path / "worker.out",
    )
    assert "Traceback" not in text, text
    (error,) = clinic.store.query("SELECT last_error FROM feed_state")[0]
    assert "is not valid" in error and "port" in error.lower()
