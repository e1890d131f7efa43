"""A feed of 100,000 alerts in pages of 1,000 from a local server, polled into a fresh database.

Reports alerts per second into the database (whole poll: HTTP, parsing, validation,
deduplication, audit, commits) and how long after the poll starts the first page's
alerts are visible to a reader in another process that polls `PRAGMA data_version`
(a stand-in for a running console, which polls every 250 ms). The reader runs twice:
at the console's interval, and at 5 ms to show the delay the poller itself adds.

    .venv/bin/python benchmarks/bench_feed.py [--alerts N] [--page-size N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from oncall.clock import SystemClock
from oncall.config import FeedSettings, Settings
from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.feeds.alert_feed import FeedPoller
from oncall.services.context import ServiceContext
from oncall.store.db import connect

KINDS = ("craving", "relapse", "missed_checkin", "stressor", "withdrawal")
SEVERITIES = ("low", "moderate", "high", "imminent")

READER = r"""
import sqlite3, sys, time
db, interval, wanted = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
conn = sqlite3.connect(db, isolation_level=None)
version = conn.execute("PRAGMA data_version").fetchone()[0]
print("ready", flush=True)
while True:
    now = conn.execute("PRAGMA data_version").fetchone()[0]
    if now != version:
        version = now
        if conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] >= wanted:
            print(repr(time.time()), flush=True)
            break
    time.sleep(interval)
"""


def page_bodies(total: int, size: int) -> list[bytes]:
    """Every page, encoded once, each linking to the next."""
    pages = []
    count = -(-total // size)
    for page in range(1, count + 1):
        alerts = [
            {
                "id": f"bench-{n}",
                "source": "bench",
                "client_ref": f"C-{n % 500}",
                "kind": KINDS[n % len(KINDS)],
                "severity": SEVERITIES[n % len(SEVERITIES)],
                "summary": f"Synthetic benchmark alert {n}",
                "occurred_at": "2026-11-22T03:00:00Z",
            }
            for n in range((page - 1) * size, min(page * size, total))
        ]
        link = f"/alerts?page={page + 1}" if page < count else None
        pages.append(json.dumps({"alerts": alerts, "next": link}).encode())
    return pages


def serve(pages: list[bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            page = int(self.path.partition("page=")[2] or 1)
            body = pages[page - 1]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_once(db: Path, url: str, reader_interval: float, first_page: int) -> dict[str, float]:
    store = connect(db)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(reader_interval), str(first_page)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    settings = Settings(db_path=db, feeds=(FeedSettings(name="bench", url=url),))
    actor = Staff(id=0, login="bench", display_name="bench", role=Role.ADMIN)
    ctx = ServiceContext(store, actor, SystemClock(), settings)

    async def poll() -> int:
        async with FeedPoller(ctx, max_pages=10_000) as poller:
            (result,) = await poller.poll_due(datetime.now(UTC))
        assert result.ok, result.error
        return result.counts.accepted

    started = time.time()
    accepted = asyncio.run(poll())
    finished = time.time()
    seen = float(reader.stdout.readline())
    reader.wait(timeout=30)
    store.close()
    return {"accepted": accepted, "seconds": finished - started, "first_visible": seen - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1_000)
    args = parser.parse_args()
    server = serve(page_bodies(args.alerts, args.page_size))
    url = f"http://127.0.0.1:{server.server_address[1]}/alerts?page=1"
    with tempfile.TemporaryDirectory() as tmp:
        for interval in (0.25, 0.005):
            db = Path(tmp) / f"feed-{interval}.db"
            figures = run_once(db, url, interval, args.page_size)
            rate = figures["accepted"] / figures["seconds"]
            print(
                f"reader every {interval * 1000:g} ms: {figures['accepted']:,.0f} alerts in "
                f"{figures['seconds']:.1f} s = {rate:,.0f} alerts/s; first page visible "
                f"after {figures['first_visible'] * 1000:.0f} ms"
            )
    server.shutdown()


if __name__ == "__main__":
    main()
