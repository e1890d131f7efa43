"""The shipped refresh (deploy/downtime): a pack through the gate, replaced only when whole."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import Clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.services.downtime import read_pack

DOWNTIME = Path(__file__).parents[2] / "deploy" / "downtime"
REFRESH = DOWNTIME / "oncall-downtime-refresh"


def _fake_ssh(folder: Path, db: Path) -> Path:
    """An `ssh` that does what the service account's forced command does for alice's key."""
    oncall = Path(sys.executable).parent / "oncall"
    script = folder / "ssh"
    script.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do case "$1" in -o|-i|-p) shift 2;; -*) shift;; *) break;; esac;'
        " done\n"
        'shift; export SSH_ORIGINAL_COMMAND="$*"\n'
        f'exec "{oncall}" --db "{db}" gate alice\n'
    )
    script.chmod(0o755)
    return folder


def _refresh(
    home: Path, bin_dir: Path, passphrase_command: str
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        HOME=str(home),
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        ONCALL_HOST="oncall@host",
        ONCALL_DOWNTIME_PASSPHRASE_COMMAND=passphrase_command,
    )
    return subprocess.run(
        [str(REFRESH)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_refresh_writes_an_owner_only_pack_and_a_failed_one_keeps_the_last(
    clinic: Clinic, tmp_path: Path
) -> None:
    downtime_night(clinic)
    bin_dir = _fake_ssh(tmp_path, clinic.store.path)
    home = tmp_path / "home"
    done = _refresh(home, bin_dir, f"printf '%s\\n' '{PASSPHRASE}'")
    assert done.returncode == 0, done.stderr
    pack = home / ".oncall" / "downtime.pack"
    assert stat.S_IMODE(pack.stat().st_mode) == 0o600
    kept = pack.read_bytes()
    assert read_pack(kept, PASSPHRASE, pack.name).made_for == "alice"
    failed = _refresh(home, bin_dir, "false")  # the keyring is locked: no passphrase
    assert failed.returncode != 0
    assert "No passphrase came on standard input." in failed.stderr
    assert pack.read_bytes() == kept and sorted(p.name for p in pack.parent.iterdir()) == [
        "downtime.pack"
    ]


def test_the_timer_refreshes_every_15_minutes_and_the_host_checks_as_often() -> None:
    def unit(name: str) -> configparser.ConfigParser:
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.optionxform = str  # type: ignore[assignment,method-assign]
        parsed.read(DOWNTIME / name)
        return parsed

    timer, service = unit("oncall-downtime.timer"), unit("oncall-downtime.service")
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Timer"]["Unit"] == "oncall-downtime.service"
    assert service["Service"]["ExecStart"].endswith("/oncall-downtime-refresh")
    cron = (DOWNTIME / "oncall-downtime.cron").read_text().splitlines()
    [line] = [entry for entry in cron if entry and not entry.startswith("#")]
    assert line.startswith("*/15 * * * * ") and line.endswith("oncall-downtime-refresh")
    host = (DOWNTIME / "oncall-downtime-status.cron").read_text().splitlines()
    [check] = [entry for entry in host if entry and not entry.startswith("#")]
    assert check.startswith("*/15 * * * * oncall ") and "downtime status --page" in check
