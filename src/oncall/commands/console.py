"""`oncall` (no command) and `oncall demo`: open the console."""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from oncall.commands.common import EXIT_OK, add_db_option, open_store, say, settings_for


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command (the console itself is the default)."""
    parser = subparsers.add_parser(
        "demo", help="open the console on a freshly seeded demo database with a simulated feed"
    )
    add_db_option(parser)
    parser.set_defaults(handler=run_demo)


def run_console(args: argparse.Namespace) -> int:
    """Open the console on the configured database."""
    settings = settings_for(args)
    store = open_store(settings)
    store.close()
    say(f"The database is ready at {settings.db_path}; the console itself is not built yet.")
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    """Seed a fresh demo database and open the console on it."""
    from oncall.services.demo import seed_everything

    settings = settings_for(args)
    if not args.db:
        folder = Path(tempfile.mkdtemp(prefix="oncall-demo-"))
        settings = replace(settings, db_path=folder / "demo.db")
    store = open_store(settings)
    try:
        lines = seed_everything(store, settings=settings)
    finally:
        store.close()
    say(f"Demo database: {settings.db_path}")
    for line in lines:
        say(f"  {line}")
    return EXIT_OK
