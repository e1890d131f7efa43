"""The worker's peak memory while a feed answers with 1 GB (issue 16 item 3).

A real HTTP server on 127.0.0.1, in its own process, answers the feed with a JSON array
of alerts `--size` bytes long, once announcing its length and once chunked without one
(the case a Content-Length check cannot catch). A real `oncall worker` polls it; the
script waits until the feed is marked failing, stops the worker with SIGTERM and reports
its peak resident memory (`os.wait4`), the time to give up and the error recorded.

    .venv/bin/python -m benchmarks.bench_feed_memory [--size BYTES]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER = r"""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
size, chunked = int(sys.argv[1]), sys.argv[2] == "chunked"
alert = {"id": "x", "source": "s", "client_ref": "C-1", "kind": "craving",
         "severity": "low", "summary": "y" * 200, "occurred_at": "2026-11-22T02:00:00Z"}
block = (json.dumps(alert) + ",").encode() * 4000  # about 1 MB, sent again and again
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size:
                part = block[: size - sent]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                sent += len(part)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the worker hung up at its limit
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def measure(size: int, mode: str, folder: Path) -> None:
    """One worker against one 1 GB answer: peak memory, seconds, the recorded error."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(size), mode], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    db = folder / f"{mode}.db"
    subprocess.run(
        [sys.executable, "-m", "oncall.cli", "init", "--db", str(db)],
        check=True,
        capture_output=True,
    )
    config = folder / f"{mode}.toml"
    config.write_text(
        f'[[feeds]]\nname = "huge"\nurl = "http://127.0.0.1:{port}/alerts"\ninterval_s = 3600\n'
    )
    env = {**os.environ, "ONCALL_CONFIG": str(config), "ONCALL_LOG_DIR": str(folder)}
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "worker", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    error = None
    try:
        while error is None and time.monotonic() - started < 600:
            time.sleep(0.2)
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT last_error FROM feed_state WHERE name='huge'").fetchone()
            error = row[0] if row else None
        seconds = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        _pid, _status, usage = os.wait4(worker.pid, 0)
        server.kill()
        server.wait()
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    print(f"{mode:>9}: {size / 1e9:.1f} GB answer; worker peak {peak_mb:.0f} MB; ", end="")
    print(f"feed failing after {seconds:.1f} s: {error}")


def main(argv: list[str] | None = None) -> int:
    """Measure with an announced length, then chunked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000_000, help="answer bytes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("announced", "chunked"):
            measure(args.size, mode, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
