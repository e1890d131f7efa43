"""The shipped deploy/ files: sshd accepts the snippet and applies it to the service account."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).parents[2] / "deploy"
SSHD = "/usr/sbin/sshd"


def test_the_sshd_snippet_turns_forwarding_off_and_bounds_sessions(tmp_path: Path) -> None:
    if not os.access(SSHD, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail("sshd is missing (scripts/test installs openssh-server)")
        pytest.skip("sshd is missing")
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hostkey")],
        check=True,
    )
    config = tmp_path / "sshd_config"
    snippet = DEPLOY / "sshd_config.d" / "oncall.conf"
    config.write_text(f"HostKey {tmp_path / 'hostkey'}\nUsePAM no\nInclude {snippet}\n")
    shown = subprocess.run(
        [SSHD, "-T", "-f", str(config), "-C", "user=oncall,host=staff,addr=127.0.0.1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    effective = dict(line.split(" ", 1) for line in shown if " " in line)
    assert effective["allowtcpforwarding"] == "no"
    assert effective["allowagentforwarding"] == "no"
    assert effective["x11forwarding"] == "no"
    assert effective["permittunnel"] == "no"
    assert effective["passwordauthentication"] == "no"
    assert int(effective["clientaliveinterval"]) > 0
    assert int(effective["maxsessions"]) <= 10


def test_the_worker_unit_runs_oncall_worker_as_the_service_account() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "oncall-worker.service")
    service = unit["Service"]
    assert service["User"] == "oncall"
    assert service["ExecStart"].split()[-1] == "worker"
    assert "--db" in service["ExecStart"]
    assert service["Restart"] == "always"
