"""Issue 16 item 5: no secret comes back through text a server controls, or a URL shown.

A feed server that echoes the request's token in its HTTP reason phrase put it into the
database, `oncall feeds` and the worker's output; a webhook's token in its URL path was
printed whole. Real local servers, a real worker process, the CLI.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from local_http import Reply, Request, serving

from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import say, system_actor
from oncall.config import TargetSettings
from oncall.domain.timefmt import to_iso
from oncall.feeds.notifier import OutboxDeliverer
from oncall.secrets import redact_url, remember_secrets, scrub_secrets
from oncall.services.context import ServiceContext
from oncall.store import outbox

FEED_TOKEN = "tok-4f9a1c2e8b7d6a5f3e2d"
HOOK_TOKEN = "XoXb9f8e7d6c5b4a3f2e1d0c"


def _every_stored_text(db: Path) -> str:
    """Every value of every table, as one text (what someone reading the file sees)."""
    raw = sqlite3.connect(db)
    try:
        tables = [t for (t,) in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in raw.execute(f'SELECT * FROM "{table}"')
        )
    finally:
        raw.close()


def _echo_the_token(request: Request) -> Reply:
    sent = request.headers.get("authorization", "")
    return Reply(401, b"{}", reason=f"Unauthorized: you sent {sent}")


def test_a_token_echoed_in_the_reason_phrase_is_stored_and_printed_nowhere(
    clinic: Clinic, tmp_path: Path
) -> None:
    with serving(_echo_the_token) as server:
        config = tmp_path / "oncall.toml"
        config.write_text(
            f'[[feeds]]\nname = "west"\nurl = "{server.url("/alerts")}"\n'
            'auth_header = "Bearer ${FEED_TOKEN}"\ninterval_s = 1\n'
        )
        env = {
            **os.environ,
            "ONCALL_CONFIG": str(config),
            "FEED_TOKEN": FEED_TOKEN,
            "ONCALL_LOG_DIR": str(tmp_path / "logs"),
        }
        out = tmp_path / "worker.out"
        with out.open("wb") as sink:
            worker = subprocess.Popen(
                [sys.executable, "-m", "oncall.cli", "worker", "--db", str(clinic.store.path)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            deadline = time.monotonic() + 30
            while not clinic.store.query("SELECT 1 FROM feed_state WHERE last_error IS NOT NULL"):
                assert worker.poll() is None, out.read_text()
                assert time.monotonic() < deadline, out.read_text()
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
    assert server.requests[0].headers["authorization"] == f"Bearer {FEED_TOKEN}"
    (error,) = clinic.store.query("SELECT last_error FROM feed_state")[0]
    assert "401 Unauthorized: you sent [secret]" in error
    assert FEED_TOKEN not in _every_stored_text(clinic.store.path)
    worker_output = out.read_text()
    assert "feed" in worker_output and FEED_TOKEN not in worker_output
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("oncall.log*"))
    assert FEED_TOKEN not in logs
    feeds = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "feeds", "--db", str(clinic.store.path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "you sent [secret]" in feeds.stdout
    assert FEED_TOKEN not in feeds.stdout + feeds.stderr


async def test_a_webhook_token_in_the_url_path_is_not_stored_or_printed(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    def echo_the_path(request: Request) -> Reply:
        return Reply(503, b"", reason=f"No such hook {request.path}")

    with serving(echo_the_path) as server:
        hook = TargetSettings(name="team chat", url=server.url(f"/services/T01/B02/{HOOK_TOKEN}"))
        clinic.settings = replace(clinic.settings, targets=(hook,))
        with clinic.store.write() as conn:
            outbox.enqueue(
                conn,
                kind="escalation",
                target="team chat",
                payload={"summary": "alert 7 unacknowledged"},
                idempotency_key="esc-7",
                created_at=to_iso(clinic.clock.now()),
            )
        ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, clinic.settings)
        async with OutboxDeliverer(ctx, targets=[hook]) as sender:
            (result,) = await sender.deliver_due(clinic.clock.now())
    assert server.requests[0].path.endswith(HOOK_TOKEN)
    assert not result.delivered
    assert HOOK_TOKEN not in (result.error or "")
    assert "/services/T01/B02/…" in (result.error or "")
    assert HOOK_TOKEN not in _every_stored_text(clinic.store.path)
    config = clinic.store.path.with_name("oncall.toml")
    config.write_text(f'[[targets]]\nname = "team chat"\nurl = "{hook.url}"\n')
    os.environ["ONCALL_CONFIG"] = str(config)
    try:
        main(["feeds", "--db", str(clinic.store.path)])
    finally:
        del os.environ["ONCALL_CONFIG"]
    printed = capsys.readouterr()
    assert "/services/T01/B02/…" in printed.out
    assert HOOK_TOKEN not in printed.out + printed.err


def test_scrubbing_takes_out_known_values_and_url_credentials() -> None:
    remember_secrets({"s3cr3t-value-123"})
    text = (
        "failed: s3cr3t-value-123 at https://ann:pw-9z@h.example/a?token=abc&page=2 "
        "and http://h.example/hooks/AbCdEf0123456789xyz"
    )
    assert scrub_secrets(text) == (
        "failed: [secret] at https://h.example/a?token=[secret]&page=2 and http://h.example/hooks/…"
    )
    assert redact_url("https://h.example/v1/alerts?page=2") == "https://h.example/v1/alerts?…"


def test_say_scrubs_a_link_unless_the_line_is_there_to_show_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    link = "http://127.0.0.1:8000/?token=Zx9-per-launch-secret"
    say(f"echoed: {link}")
    say(f"Serving the board on {link}", secret_shown=True)  # what oncall serve prints
    assert capsys.readouterr().out.splitlines() == [
        "echoed: http://127.0.0.1:8000/?token=[secret]",
        f"Serving the board on {link}",
    ]
