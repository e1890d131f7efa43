"""The command line: `oncall` opens the console; subcommands import, seed, run workers."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from oncall.commands import COMMAND_MODULES, COMMANDS, CONSOLE_MODULE
from oncall.commands.common import EXIT_USAGE, CommandError, add_db_option, say
from oncall.services.errors import ServiceError, StoreError

if TYPE_CHECKING:
    from oncall.clock import Clock
    from oncall.config import Settings
    from oncall.domain.models import Staff
    from oncall.ui.app import OnCallApp


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `oncall` argument parser with the subcommands `argv` needs (None: every one)."""
    parser = argparse.ArgumentParser(
        prog="oncall",
        description="Crisis on-call console for addiction-recovery and virtual IOP programs.",
    )
    add_db_option(parser, root=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if argv is None else modules_for(argv):
        importlib.import_module(name).register(subparsers)
    return parser


def modules_for(argv: Sequence[str]) -> list[str]:
    """The command modules a command line needs, in `--help` order.

    Importing every command's services took longer than the console's own start, so a
    command line loads only what it names: `oncall` and `oncall --db PATH` the console's
    module, `oncall ingest FILE` the ingest module too. Help, and any word that names no
    command (a mistyped one), get every module, so the usage message lists all choices.
    """
    if any(word in ("-h", "--help") for word in argv):
        return list(COMMAND_MODULES)
    named = {CONSOLE_MODULE}
    after_db = False
    for word in argv:
        if word in COMMANDS and not after_db:
            named.add(COMMANDS[word])
            break  # what follows is the command's own arguments
        if not word.startswith("-") and not after_db:
            return list(COMMAND_MODULES)  # not a command: the full parser explains
        after_db = word == "--db"
    return [name for name in COMMAND_MODULES if name in named]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `oncall`; returns the exit code (0 ok, 1 something rejected or failed, 2 usage)."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    handler = getattr(args, "handler", None)
    if handler is None:
        from oncall.commands.console import run_console

        handler = run_console
    _start_logging(args)
    try:
        code = int(handler(args))
    except CommandError as error:
        say(f"oncall: {error}", sys.stderr)  # messages may quote a file's or a feed's text
        return error.code
    except (StoreError, ServiceError) as error:
        say(f"oncall: {error}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("oncall: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # last resort: a traceback's message could quote client data
        from oncall.ui import crash

        incident = crash.report_exception(error)
        print(f"oncall: {crash.fatal_message(incident)}", file=sys.stderr)
        return 1
    return code


def _start_logging(args: argparse.Namespace) -> None:
    """Owner-only, redacted log file; a command still runs if it cannot be written."""
    from oncall.commands.common import settings_for
    from oncall.logs import setup_logging

    try:
        db_path = settings_for(args).db_path
    except CommandError:
        db_path = None  # the command itself reports the bad setting
    try:
        setup_logging(db_path)
    except OSError as error:
        print(f"oncall: not logging to a file: {error.strerror}", file=sys.stderr)


def make_app(
    settings: Settings,
    *,
    actor: Staff | str | None = None,
    clock: Clock | None = None,
    demo: bool = False,
    feed: bool = True,
    feed_interval_s: float = 6.0,
    board: bool = False,
    scheduler: bool = False,
) -> OnCallApp:
    """Build the console on the settings' database; the CLI and the tests both use this.

    `actor` is a staff login or record to act as (tests, the demo); by default the
    operating-system account of the process, refused unless it is active staff.
    `demo` marks the console as the demo and, with `feed`, runs the simulated feed.
    `scheduler` runs reminders, escalations and the dispatcher (the real console does).
    """
    from oncall.clock import SystemClock
    from oncall.commands.common import open_store
    from oncall.commands.console import console_user
    from oncall.services.context import ServiceContext
    from oncall.ui.app import OnCallApp

    clock = clock or SystemClock()
    store = open_store(settings)
    try:
        staff = console_user(store, actor, clock=clock)
    except CommandError:
        store.close()
        raise
    demo_feed = None
    if demo and feed:
        from oncall.services.demo_feed import DemoFeed

        # Its own connection: the console notices its alerts exactly as another process's.
        demo_feed = DemoFeed(
            open_store(settings), clock=clock, settings=settings, interval_s=feed_interval_s
        )
    return OnCallApp(
        ServiceContext(store, staff, clock, settings),
        demo_feed=demo_feed,
        demo=demo,
        start_on_board=board,
        scheduler=scheduler,
    )


def usage_error(message: str) -> int:
    """Print a usage error and return its exit code."""
    print(f"oncall: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
