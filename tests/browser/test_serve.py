"""`oncall serve`: the supervisor board in a real browser, on localhost only."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cdp import Browser, chromium_path

from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.services.alerts import ingest_records
from oncall.store import people


def test_serve_refuses_a_non_loopback_address(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--db", str(clinic.store.path), "--host", "0.0.0.0"])
    assert code == 2
    assert "Refusing to serve on 0.0.0.0" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_served_board_loads_in_headless_chromium(clinic: Clinic, tmp_path: Path) -> None:
    if chromium_path() is None:
        message = "needs Debian's chromium package (scripts/test installs it when run as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must really run this test, never skip it quietly
        pytest.skip(message)
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Wall Display",
            role="supervisor",
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
    ingest_records(clinic.ctx(), [alert_record(id="b1", severity="imminent")], origin="t")
    port = _free_port()
    env = {**os.environ, "ONCALL_DATA_DIR": str(tmp_path), "ONCALL_LOG_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oncall.cli",
            "serve",
            "--db",
            str(clinic.store.path),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "oncall serve never answered"
                time.sleep(0.2)
        async with Browser() as browser:
            await browser.send("Page.enable")
            await browser.record_websocket_text()
            await browser.send("Page.navigate", url=url)
            text = await browser.wait_for_text("Waiting for acknowledgement", timeout=20)
            # The wall display masks names by default.
            assert "J.T." in text and "Jordan Test" not in text
            shot = tmp_path / "board.png"
            await browser.screenshot(shot)
            assert shot.stat().st_size > 10_000
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
