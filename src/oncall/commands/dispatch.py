"""The `oncall` command line: the parser, each command module loaded when named, and main."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from oncall.commands import COMMAND_MODULES, COMMANDS, CONSOLE_MODULE
from oncall.commands.common import CommandError, TerminalGone, add_db_option, say
from oncall.services.errors import ServiceError, StoreError


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
    except TerminalGone:
        return 1  # what the command did is done; only its summary had nowhere to go
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
