"""The command line: `oncall` opens the console; subcommands import, seed, run workers."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from oncall.commands import COMMAND_MODULES
from oncall.commands.common import EXIT_USAGE, CommandError, add_db_option
from oncall.store.errors import StoreError


def build_parser() -> argparse.ArgumentParser:
    """The `oncall` argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="oncall",
        description="Crisis on-call console for addiction-recovery and virtual IOP programs.",
    )
    add_db_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `oncall`; returns the exit code (0 ok, 1 something rejected or failed, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from oncall.commands.console import run_console

        handler = run_console
    try:
        code = int(handler(args))
    except CommandError as error:
        print(f"oncall: {error}", file=sys.stderr)
        return error.code
    except StoreError as error:
        print(f"oncall: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("oncall: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


def usage_error(message: str) -> int:
    """Print a usage error and return its exit code."""
    print(f"oncall: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
