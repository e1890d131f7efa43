"""`oncall board` (the console opened on the supervisor board) and `oncall serve` (in a browser)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

from oncall.commands.common import (
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    settings_for,
)

LOOPBACK_NAMES = {"localhost"}


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
        "--no-privacy",
        action="store_true",
        help="show full names (the wall display masks them by default)",
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


def run_board(args: argparse.Namespace) -> int:
    """The console, opened on the supervisor board."""
    from oncall.cli import make_app
    from oncall.commands.console import _run

    return _run(make_app(settings_for(args), board=True))


def run_serve(args: argparse.Namespace) -> int:
    """Serve `oncall board` through textual-serve: one console process per browser tab."""
    if not is_loopback(args.host):
        raise CommandError(
            f"Refusing to serve on {args.host}: the browser console has no login of its own, "
            "so it is served on this machine only (use 127.0.0.1 and an SSH tunnel).",
            EXIT_USAGE,
        )
    settings = settings_for(args)
    open_store(settings, create=False).close()  # fail now, not in every browser tab
    from textual_serve.server import Server

    os.environ["ONCALL_PRIVACY_MODE"] = "0" if args.no_privacy else "1"
    command = shlex.join(
        [sys.executable, "-m", "oncall.cli", "board", "--db", str(settings.db_path)]
    )
    say(f"Serving the supervisor board on http://{args.host}:{args.port} (Ctrl+C to stop)")
    Server(command, host=args.host, port=args.port, title="oncall supervisor board").serve()
    return 0
