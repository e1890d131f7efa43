"""A real HTTP server on 127.0.0.1, in a thread, whose answers a test scripts in Python."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """What to answer: status, body, headers, an optional delay, or a body cut short."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut_short: bool = False
    """Announce a longer Content-Length than is sent, then close the connection."""
    reason: str | None = None
    """The status line's reason phrase (the standard one when None)."""


def json_reply(value: Any, status: int = 200, **headers: str) -> Reply:
    """A JSON answer."""
    return Reply(
        status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers}
    )


App = Callable[[Request], Reply]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1; every request is recorded and answered by `app`."""

    def __init__(self, app: App, port: int = 0) -> None:
        self.app = app
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/") -> str:
        """An absolute URL on this server."""
        return self.base_url + path

    def start(self) -> LocalServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with server._lock:
                    server.requests.append(request)
                reply = server.app(request)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    self.send_response(reply.status, reply.reason)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    extra = 100 if reply.cut_short else 0
                    self.send_header("Content-Length", str(len(reply.body) + extra))
                    if reply.cut_short:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                if reply.cut_short:
                    self.close_connection = True

            do_GET = _serve
            do_POST = _serve

        return Handler


@contextmanager
def serving(app: App, port: int = 0) -> Iterator[LocalServer]:
    """Run a LocalServer for the length of a with-block (on `port`, else a free one)."""
    server = LocalServer(app, port).start()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a receiver that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    """A notification receiver that deduplicates by Idempotency-Key, as a real one would.

    `fail_first` answers 500 to the first tries of each key; `slow_first_s` holds the
    first try of each key that long before answering (the sender may die meanwhile).
    """

    def __init__(self, fail_first: int = 0, slow_first_s: float = 0.0) -> None:
        self.fail_first = fail_first
        self.slow_first_s = slow_first_s
        self.tries: dict[str, int] = {}
        self.bodies: dict[str, list[Any]] = {}
        self.counted: list[str] = []
        """Keys in the order the receiver counted them, each once."""
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        key = request.headers.get("idempotency-key", "")
        with self._lock:
            tries = self.tries[key] = self.tries.get(key, 0) + 1
            self.bodies.setdefault(key, []).append(request.json())
            if tries <= self.fail_first:
                return Reply(500, b"try later")
            if key not in self.counted:
                self.counted.append(key)
        delay = self.slow_first_s if tries == 1 else 0.0
        return Reply(202, b'{"status":"accepted"}', {"Content-Type": "application/json"}, delay)


class PagerDutyReceiver:
    """A PagerDuty Events API v2 stand-in: checks each event's shape as PagerDuty does,
    records every body and header, and keeps one incident per (routing_key, dedup_key).

    `clock` (anything with `now()`) stamps each event with the sender's clock, so a test
    with a frozen clock can measure the spacing of pages.
    """

    def __init__(self, clock: Any = None) -> None:
        self.clock = clock
        self.events: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.stamps: list[Any] = []
        self.incidents: dict[tuple[str, str], str] = {}
        """(routing_key, dedup_key) → triggered / acknowledged / resolved."""
        self._lock = threading.Lock()

    def triggers(self) -> list[dict[str, Any]]:
        """The trigger events, in the order received."""
        return [e for e in self.events if e.get("event_action") == "trigger"]

    def __call__(self, request: Request) -> Reply:
        try:
            event = request.json()
        except ValueError:
            return json_reply({"status": "invalid event", "message": "not JSON"}, 400)
        problems = []
        if not isinstance(event, dict) or len(str(event.get("routing_key", ""))) == 0:
            problems.append("routing_key missing")
            event = event if isinstance(event, dict) else {}
        action = event.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            problems.append("event_action must be trigger, acknowledge or resolve")
        if action != "trigger" and not event.get("dedup_key"):
            problems.append("dedup_key is required to acknowledge or resolve")
        if action == "trigger":
            payload = event.get("payload") or {}
            for name in ("summary", "source", "severity"):
                if not payload.get(name):
                    problems.append(f"payload.{name} missing")
            if payload.get("severity") not in ("critical", "error", "warning", "info"):
                problems.append("payload.severity invalid")
        with self._lock:
            self.events.append(event)
            self.headers.append(dict(request.headers))
            self.stamps.append(self.clock.now() if self.clock is not None else time.time())
            if problems:
                return json_reply({"status": "invalid event", "errors": problems}, 400)
            key = (str(event["routing_key"]), str(event.get("dedup_key")))
            state = {"trigger": "triggered", "acknowledge": "acknowledged"}.get(
                str(action), "resolved"
            )
            if action == "trigger" or key in self.incidents:
                self.incidents[key] = state
        return json_reply(
            {"status": "success", "message": "Event processed", "dedup_key": key[1]}, 202
        )
