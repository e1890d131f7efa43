"""`oncall init`: create a new database and name its first admin."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from oncall.commands.common import (
    EXIT_OK,
    CommandError,
    add_db_option,
    open_store,
    say,
    settings_for,
)
from oncall.services.errors import ServiceError
from oncall.store.audit_key import AuditKeyError, create_key, key_path, read_key
from oncall.store.db import Store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `init` command."""
    parser = subparsers.add_parser(
        "init", help="create a new database and name its first admin (the only way to make one)"
    )
    add_db_option(parser)
    parser.add_argument(
        "--admin",
        metavar="LOGIN",
        default=None,
        help="the first admin's staff login (default: your operating-system account)",
    )
    parser.add_argument("--name", default=None, help="the name the console shows for them")
    parser.set_defaults(handler=run)


def _has_staff(store: Store) -> bool:
    return bool(store.query("SELECT 1 FROM staff LIMIT 1"))


def _audit_key(db_path: Path) -> Path:
    """The key of the audit chain beside the database: made now, or one already there."""
    path = key_path(db_path)
    try:
        create_key(db_path)
    except FileExistsError:
        try:
            read_key(db_path)  # one left beside a database file made again: usable?
        except AuditKeyError as error:
            raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"Cannot create the audit key {path}: {error.strerror}.") from None
    return path


def run(args: argparse.Namespace) -> int:
    """Create the database (owner-only) and its first admin; refuse one that has staff."""
    from oncall.services.identity import name_first_admin, os_account

    settings = settings_for(args)
    path = settings.db_path
    # A database that already exists is left alone unless it has no staff at all (one
    # made by an older `oncall ingest`): then init only names its admin.
    existed = os.path.lexists(path)
    store = open_store(settings, create=True)
    try:
        # The key first: the first admin's audit row is already keyed.
        key = _audit_key(path) if not existed or not _has_staff(store) else None
        admin = name_first_admin(store, args.admin or os_account(), display_name=args.name)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    made = "Named the first admin of" if existed else "Created"
    say(f"{made} {path}: {admin.login} ({admin.display_name}) is its admin.")
    if key is not None:
        say(f"  Its audit log is keyed with {key} (this account only; back it up apart).")
    say(f"  Next: oncall staff add LOGIN --name NAME --role ROLE --db {path}")
    return EXIT_OK
