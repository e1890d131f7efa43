"""Issue 16 item 3: a record, an input and a feed answer each have a size limit (small ones
set for the test), and a FIFO nobody writes to is said to be waited on."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from local_http import json_reply, serving
from test_directory_sync import FAST as SYNC_RETRY
from test_directory_sync import HsdsApi, service
from test_feed_poller import FAST, alert_ids, record

from conftest import Clinic
from init_support import init_database
from oncall.commands.common import system_actor
from oncall.config import FeedSettings
from oncall.feeds.alert_feed import FeedPoller
from oncall.feeds.directory_sync import sync_directory
from oncall.feeds.fetch import FetchFailed, send_with_retries
from oncall.services.context import ServiceContext
from oncall.store import feeds as feed_rows


def oncall(tmp_path: Path, *words: str, settings: str = "") -> subprocess.Popen[str]:
    config = tmp_path / "oncall.toml"
    config.write_text(settings)
    return subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", *words],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ONCALL_CONFIG": str(config)},
    )


def test_a_record_over_the_limit_is_refused_and_the_rest_kept(tmp_path: Path) -> None:
    db = init_database(tmp_path / "o.db")
    rows = [record(1), record(2, summary="x" * 5000), record(3)]
    alerts = tmp_path / "a.jsonl"
    alerts.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = oncall(
        tmp_path, "ingest", "--db", str(db), str(alerts), settings="max_record_bytes = 1000"
    )
    out, err = done.communicate(timeout=60)
    assert done.returncode == 1, out + err
    assert "the limit is 1,000" in out
    conn = sqlite3.connect(db)
    kept = [r[0] for r in conn.execute("SELECT external_id FROM alerts ORDER BY id")]
    held = conn.execute("SELECT MAX(LENGTH(raw)) FROM quarantine").fetchone()[0]
    conn.close()
    assert kept == ["f-1", "f-3"]
    assert held is None or held < 5000  # the quarantine does not keep it whole either


def test_ingest_of_an_endless_input_stops_at_the_limit(tmp_path: Path) -> None:
    db = init_database(tmp_path / "o.db")
    done = oncall(
        tmp_path, "ingest", "--db", str(db), "/dev/zero", settings="max_input_bytes = 4000000"
    )
    out, err = done.communicate(timeout=60)
    assert done.returncode == 2, out + err
    assert "/dev/zero is longer than 4,000,000 bytes (max_input_bytes)" in err
    assert "Traceback" not in err


def test_a_fifo_with_no_writer_is_said_to_be_waited_on(tmp_path: Path) -> None:
    db = init_database(tmp_path / "o.db")
    fifo = tmp_path / "alerts.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    reader = oncall(tmp_path, "ingest", "--db", str(db), str(fifo))
    assert reader.stderr is not None
    line = reader.stderr.readline()  # blocks until the notice (or the process ends)
    assert f"waiting for input on {fifo}" in line, line
    assert time.monotonic() - started < 20
    with fifo.open("w") as writer:  # a writer turns up: the import goes on as usual
        writer.write(json.dumps(record(1)) + "\n")
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, out + err
    assert "1 accepted" in out


async def test_a_feed_answer_over_the_limit_fails_the_feed_and_stores_nothing(
    clinic: Clinic,
) -> None:
    settings = replace(clinic.settings, max_feed_response_bytes=50_000)
    ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, settings)
    body = [record(n, summary="y" * 900) for n in range(200)]  # about 230 kB
    with serving(lambda _: json_reply(body)) as server:
        feed = FeedSettings(name="big", url=server.url("/alerts"), interval_s=30)
        async with FeedPoller(ctx, [feed], retry=FAST) as poller:
            (outcome,) = await poller.poll_due(clinic.clock.now())
    assert not outcome.ok
    with clinic.store.read() as conn:
        state = feed_rows.feed_state(conn, "big")
    assert state is not None and state.last_error is not None
    assert "the limit is 50,000 bytes (max_feed_response_bytes)" in state.last_error
    assert clinic.store.query("SELECT COUNT(*) FROM alerts")[0][0] == 0


async def test_an_answer_without_a_length_is_cut_off_at_the_limit() -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while True:
            sent += 65_536
            yield b" " * 65_536

    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=endless()))
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(
            FetchFailed, match=r"longer than 100,000 bytes \(max_feed_response_bytes\)"
        ):
            await send_with_retries(
                client,
                "GET",
                "http://feed.test/alerts",
                headers={},
                policy=FAST,
                rng=random.Random(1),
                max_bytes=100_000,
            )
    assert sent < 300_000  # it stopped reading, not read it all and then refused


async def test_a_directory_page_over_the_limit_is_a_failed_page(clinic: Clinic) -> None:
    settings = replace(clinic.settings, max_feed_response_bytes=20_000)
    ctx = ServiceContext(clinic.store, system_actor("sync"), clinic.clock, settings)
    api = HsdsApi([service(n, description="z" * 2000) for n in range(30)], per_page=30)
    with serving(api) as server:
        report = await sync_directory(ctx, server.url("/hsds"), retry=SYNC_RETRY)
    assert "20,000 bytes (max_feed_response_bytes)" in " ".join(map(str, report.failed_pages))
    assert clinic.store.query("SELECT COUNT(*) FROM resources WHERE national = 0")[0][0] == 0


async def test_a_record_over_the_limit_in_a_feed_page_is_refused_and_the_rest_kept(
    clinic: Clinic,
) -> None:
    settings = replace(clinic.settings, max_record_bytes=2_000)
    ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, settings)
    page = {"alerts": [record(1), record(2, summary="w" * 3000, note="v" * 5000), record(3)]}
    with serving(lambda _: json_reply(page)) as server:
        feed = FeedSettings(name="paged", url=server.url("/alerts"), interval_s=30)
        async with FeedPoller(ctx, [feed], retry=FAST) as poller:
            await poller.poll_due(clinic.clock.now())
    assert alert_ids(clinic) == ["f-1", "f-3"]
    ((message,),) = clinic.store.query("SELECT message FROM quarantine")
    assert "the limit is 2,000" in message
