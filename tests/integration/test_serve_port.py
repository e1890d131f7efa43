"""`oncall serve` on a port it cannot listen on says which port and why, and serves nothing."""

from __future__ import annotations

import socket

import pytest

from conftest import Clinic
from oncall.cli import main


def served_audits(clinic: Clinic) -> int:
    return len(clinic.store.query("SELECT 1 FROM audit_log WHERE action = 'serve.started'"))


def test_a_busy_port_is_named_instead_of_an_unexpected_error(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--db", str(clinic.store.path), "--port", str(port), "--as", "sue"])
    said = capsys.readouterr()
    assert code == 1
    assert f"Port {port} on 127.0.0.1 is already in use by another program" in said.err
    assert "--port" in said.err
    assert "unexpected" not in said.err and "Serving the board" not in said.out
    assert served_audits(clinic) == 0  # nothing was served, so nothing is recorded as served


@pytest.mark.parametrize("port", ["0", "70000"])
def test_a_port_out_of_range_is_a_usage_error(
    clinic: Clinic, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    code = main(["serve", "--db", str(clinic.store.path), "--port", port, "--as", "sue"])
    assert code == 2
    assert f"--port {port} is not a port: give one from 1 to 65535." in capsys.readouterr().err
    assert served_audits(clinic) == 0
