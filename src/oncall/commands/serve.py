"""`oncall board` (the console opened on the supervisor board) and `oncall serve` (in a browser)."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys

from oncall.commands.common import (
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    settings_for,
)
from oncall.domain.models import Staff
from oncall.services.context import ServiceContext
from oncall.store.db import Store

LOOPBACK_NAMES = {"localhost"}
LISTEN_ERRORS = frozenset({errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL})
"""Why a server cannot listen on a port (each said in words by `port_problem`)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `board` and `serve` commands."""
    board = subparsers.add_parser("board", help="open the console on the supervisor board")
    add_db_option(board)
    board.set_defaults(handler=run_board)
    serve = subparsers.add_parser(
        "serve", help="serve the supervisor board in a browser on this machine (localhost only)"
    )
    add_db_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--as",
        dest="as_login",
        required=True,
        metavar="LOGIN",
        help="the staff member the board acts as (yourself; admins and the service account:"
        " anyone active); audited",
    )
    serve.set_defaults(handler=run_serve)


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (textual-serve has no authentication)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Refuse, naming the port, one that is out of range, taken, or not ours to listen on.

    Without this a busy port surfaced from aiohttp as "an unexpected error" after the
    board had been announced (and audited) as served.
    """
    if not 0 < port < 65536:
        raise CommandError(f"--port {port} is not a port: give one from 1 to 65535.", EXIT_USAGE)
    try:
        places = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _name, address in places:
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
                sock.bind(address)
    except OSError as error:
        raise CommandError(port_problem(host, port, error)) from None


def port_problem(host: str, port: int, error: OSError) -> str:
    """One sentence for a port the board cannot listen on."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"Port {port} on {host} is already in use by another program: stop it, "
            "or serve on another port with --port."
        )
    if error.errno == errno.EACCES:
        return f"Port {port} on {host} needs privileges to listen on: choose one above 1023."
    why = error.strerror or type(error).__name__
    return f"Cannot listen on port {port} on {host}: {why}."


def run_board(args: argparse.Namespace) -> int:
    """The console, opened on the supervisor board."""
    from oncall.commands.app_factory import make_app
    from oncall.commands.console_watch import run_watched

    return run_watched(make_app(settings_for(args), board=True))


def _may_act_as(store: Store, login: str) -> tuple[Staff, Staff]:
    """LOGIN's staff record, and who runs serve, if they may act as LOGIN; refused otherwise.

    The service account (it owns the database) may name anyone active, as may an admin;
    anyone else only themselves.
    """
    from oncall.domain.types import Role
    from oncall.services.identity import resolve_staff, service_or_staff

    staff = resolve_staff(store, login)
    runner = service_or_staff(store, "serve")
    if runner.id and runner.login != login and runner.role is not Role.ADMIN:
        raise CommandError(
            f"Only an admin (or the service account) may serve the board as {login}; "
            f"serve it as yourself with --as {runner.login}."
        )
    return staff, runner


def run_serve(args: argparse.Namespace) -> int:
    """Serve the board as --as LOGIN through textual-serve: one process per browser tab."""
    if not is_loopback(args.host):
        raise CommandError(
            f"Refusing to serve on {args.host}: it is served on this machine only "
            "(use 127.0.0.1 and an SSH tunnel).",
            EXIT_USAGE,
        )
    from oncall.commands.serve_guard import GuardedServer, new_token
    from oncall.services.errors import ServiceError

    settings = settings_for(args)
    check_port(args.host, args.port)  # before it is announced and audited as served
    store = open_store(settings, create=False)  # fail now, not in every browser tab
    try:
        staff, runner = _may_act_as(store, args.as_login)
        ServiceContext(store, runner, settings=settings).audit_alone(
            "serve.started",
            "staff",
            staff.id,
            detail={"as": staff.login, "host": args.host, "port": args.port},
        )
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    os.environ["ONCALL_PRIVACY_MODE"] = "1"
    command = shlex.join(
        [sys.executable, "-m", "oncall.commands.serve_session", "--db", str(settings.db_path),
         staff.login]
    )  # fmt: skip
    server = GuardedServer(
        command, host=args.host, port=args.port, title="oncall supervisor board", token=new_token()
    )
    # The one place the secret is shown: whoever can read this terminal may open the board.
    link = f"Serving the board as {staff.login} on {server.url()} (Ctrl+C to stop)"
    say(link, secret_shown=True)  # the link's token is for the one who started it
    try:
        server.serve()
    except OSError as error:
        if error.errno not in LISTEN_ERRORS:
            raise
        # taken between the check and now
        raise CommandError(port_problem(args.host, args.port, error)) from None
    return 0
