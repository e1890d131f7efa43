"""`oncall serve`: the board in a real browser, behind a token, as a named staff member."""

from __future__ import annotations

import os
import pwd
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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
    code = main(["serve", "--db", str(clinic.store.path), "--host", "0.0.0.0", "--as", "sue"])
    assert code == 2
    assert "Refusing to serve on 0.0.0.0" in capsys.readouterr().err


def test_serve_as_someone_else_is_for_admins_and_the_service_account(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing the database's owner needs root")
    login = _add_runner(clinic, "clinician")
    db = clinic.store.path
    # The database belongs to another account (the service account): the runner is staff.
    for path in db.parent.glob(db.name + "*"):
        os.chown(path, 65534, 65534)
    code = main(["serve", "--db", str(db), "--as", "sue"])
    assert code != 0
    assert f"serve it as yourself with --as {login}" in capsys.readouterr().err


def _add_runner(clinic: Clinic, role: str) -> str:
    login = pwd.getpwuid(os.getuid()).pw_name
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=login,
            display_name="Wall Display",
            role=role,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
    return login


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0  # not listening yet


@pytest.fixture
def served(clinic: Clinic, tmp_path: Path) -> Iterator[str]:
    """`oncall serve --as sue` running; the URL it printed (token included)."""
    if chromium_path() is None:
        message = "needs Debian's chromium package (scripts/test installs it when run as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must really run this test, never skip it quietly
        pytest.skip(message)
    ingest_records(clinic.ctx(), [alert_record(id="b1", severity="imminent")], origin="t")
    port = _free_port()
    env = {**os.environ, "ONCALL_DATA_DIR": str(tmp_path), "ONCALL_LOG_DIR": str(tmp_path)}
    command = ["serve", "--db", str(clinic.store.path), "--port", str(port), "--as", "sue"]
    server = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert server.stdout is not None
        found = None
        while found is None:
            line = server.stdout.readline()
            assert line, "oncall serve ended without printing its address"
            found = re.search(r"http://\S+\?token=\S+", line)
        url = found.group(0)
        deadline = time.monotonic() + 30
        while _status(url) != 200:
            assert server.poll() is None and time.monotonic() < deadline, "serve never answered"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.mark.slow
def test_the_served_board_needs_its_token_and_its_own_host_and_origin(served: str) -> None:
    base, token = served.split("?token=")
    port = base.rstrip("/").rsplit(":", 1)[1]
    assert len(token) >= 40
    assert _status(served) == 200
    assert _status(base) == 403, "no token: no board"
    assert _status(f"{base}?token={token[:-1]}x") == 403
    assert _status(served, {"Host": f"rebound.example:{port}"}) == 403
    assert _status(served, {"Origin": "http://evil.example"}) == 403
    assert _status(f"{base}static/js/textual.js") == 200  # the page's script holds no data
    websocket = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13"}
    assert _status(f"{base}ws", {**websocket, "Origin": "http://evil.example"}) == 403


@pytest.mark.slow
async def test_served_board_acts_as_the_named_staff_with_privacy_locked_on(
    clinic: Clinic, served: str, tmp_path: Path
) -> None:
    async with Browser() as browser:
        await browser.send("Page.enable")
        await browser.record_websocket_text()
        await browser.send("Page.navigate", url=served)
        text = await browser.wait_for_text("Waiting for acknowledgement", timeout=30)
        assert "J.T." in text and "Jordan Test" not in text  # masked
        assert "Sue" in text  # the status line names who the board acts as
        await browser.send("Input.dispatchMouseEvent", type="mousePressed", x=700, y=450,
                           button="left", clickCount=1)  # fmt: skip
        await browser.send("Input.dispatchMouseEvent", type="mouseReleased", x=700, y=450,
                           button="left", clickCount=1)  # fmt: skip
        for kind in ("rawKeyDown", "keyUp"):
            await browser.send(
                "Input.dispatchKeyEvent", type=kind, key="F9", code="F9", windowsVirtualKeyCode=120
            )
        text = await browser.wait_for_text("Privacy mode stays on", timeout=20)
        assert "Jordan Test" not in text
        shot = tmp_path / "board.png"
        await browser.screenshot(shot)
        assert shot.stat().st_size > 10_000
    with clinic.store.read() as conn:
        rows = [
            (str(row[0]), str(row[1]))
            for row in conn.execute(
                "SELECT actor, action FROM audit_log WHERE action LIKE 'serve.%' ORDER BY id"
            )
        ]
    assert ("sue", "serve.session") in rows
    assert any(action == "serve.started" for _actor, action in rows)
