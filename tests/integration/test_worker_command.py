"""`oncall worker` as a user runs it: refuses bad timings, takes the lease, stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.services.alerts import create_alert


def test_a_renewal_slower_than_the_lease_is_refused(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["worker", "--db", str(clinic.store.path), "--lease-ttl", "1", "--renew-every", "2"]
    assert main(args) == 2
    assert "--renew-every (2 s) must be shorter than --lease-ttl (1 s)" in capsys.readouterr().err


def test_a_missing_database_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--db", str(tmp_path / "none.db")]) == 1
    assert "There is no database" in capsys.readouterr().err


def test_worker_escalates_and_exits_cleanly_on_sigterm(clinic: Clinic, tmp_path: Path) -> None:
    # Received long ago (the worker runs on the real clock): due for both steps, but only
    # the first goes now; the second waits its gap after the first (issue 15).
    create_alert(clinic.ctx(), alert_record(id="w-1", severity="imminent"))
    log = tmp_path / "worker.log"
    (tmp_path / "none.toml").write_text("")  # no feeds, no targets
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oncall.cli", "worker", "--db", str(clinic.store.path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ONCALL_CONFIG": str(tmp_path / "none.toml")},
        )
    try:
        deadline = time.monotonic() + 20
        while "undeliverable: no target for staff:" not in log.read_text():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=15)
    text = log.read_text()
    assert code == 0, text
    assert "escalation-alert-1-level-1" in text and "escalation-alert-1-level-2" not in text
    assert "took the dispatcher lease" in text and "lease released" in text
    assert "Jordan Test" not in text  # the client's name never reaches the log
    assert clinic.store.query("SELECT COUNT(*) FROM leases")[0][0] == 0
