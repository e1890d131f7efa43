"""The lock on `oncall serve`'s door: a per-launch secret, and Host and Origin checked.

textual-serve has no authentication: any page the browser visits could open a
WebSocket to 127.0.0.1 and drive the board, and a DNS-rebinding name could reach it
as well. So every request must name this server by a host it listens on (Host),
come from its own page if it says where it comes from (Origin), and carry the
launch's secret: in the printed URL (`?token=`), which sets a same-site cookie
that the page's WebSocket then carries (its URL cannot take a query of ours).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from textual_serve.server import Server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
REFUSED_TOKEN = "This address needs the link oncall serve printed (it holds a secret token)."


def new_token() -> str:
    """A secret for one launch (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers this server answers: the address it listens on, by name or number."""
    names = {host, *LOOPBACK_NAMES}
    return frozenset(f"{name}:{port}" for name in names)


class GuardedServer(Server):
    """textual-serve with a token, and Host and Origin checked on every request."""

    def __init__(self, command: str, *, host: str, port: int, title: str, token: str) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        """The launch's secret: in the printed URL, then in a cookie."""
        self.hosts = allowed_hosts(host, port)
        self.origins = frozenset(f"http://{name}" for name in self.hosts)
        self.cookie = f"oncall_serve_{port}"

    def initialize_logging(self) -> None:
        """Plain log lines: textual-serve's own handler prints tracebacks with their locals."""
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    def url(self) -> str:
        """The address to open, token included."""
        return f"{self.public_url}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    def refusal(self, request: web.Request) -> str | None:
        """Why the request is refused, or None when it may go on."""
        if request.host not in self.hosts:
            return "Unknown Host: oncall serve answers only at the address it printed."
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.origins:
            return "Requests from other sites are refused."
        if request.path.startswith("/static/"):
            return None  # the page's scripts and fonts: no client data
        if request.path == "/ws" and origin is None:
            return "Requests from other sites are refused."  # browsers always send it here
        given = request.query.get("token") or request.cookies.get(self.cookie) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return REFUSED_TOKEN
        return None

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        why = self.refusal(request)
        if why is not None:
            raise web.HTTPForbidden(text=why)
        response = await handler(request)
        if request.path == "/" and "token" in request.query:
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict")
        return response
