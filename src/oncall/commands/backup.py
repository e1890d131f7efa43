"""`oncall backup TO`: a consistent, owner-only copy of the database, even while it is in use."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    say,
    service_context,
    settings_for,
)
from oncall.services.backups import backup_database
from oncall.services.errors import StoreError
from oncall.store.audit_key import key_path
from oncall.store.db import connect


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `backup` command."""
    parser = subparsers.add_parser(
        "backup",
        help="copy the database safely while consoles use it (never cp a live database)",
    )
    add_db_option(parser)
    parser.add_argument(
        "target",
        metavar="TO",
        type=Path,
        help="the new backup file, or a folder to put a time-stamped one in",
    )
    parser.set_defaults(handler=run)


def backup_target(target: Path, source: Path, now: datetime) -> Path:
    """The file to write: TO itself, or a time-stamped name inside TO when it is a folder."""
    target = target.expanduser()
    if target.is_dir():
        target = target / f"{source.stem}-{now:%Y%m%dT%H%M%SZ}.db"
    if target.exists() and target.resolve() == source.resolve():
        raise CommandError("The backup cannot be the database itself.", EXIT_USAGE)
    if target.exists():
        raise CommandError(
            f"{target} already exists; a backup never overwrites a file. Choose a new name.",
            EXIT_USAGE,
        )
    if not target.parent.is_dir():
        raise CommandError(f"The folder {target.parent} does not exist.", EXIT_USAGE)
    return target


def run(args: argparse.Namespace) -> int:
    """Back the database up and record who did it in the audit log."""
    settings = settings_for(args)
    source = settings.db_path
    if not source.exists():
        raise CommandError(f"There is no database at {source}.", EXIT_USAGE)
    target = backup_target(args.target, source, datetime.now(UTC))
    try:
        # Not migrated: a backup taken before an upgrade must be of the file as it was.
        store = connect(source, create=False, migrate=False)
    except StoreError as error:
        raise CommandError(str(error)) from None
    try:
        # A backup holds every client's record: only the service account (or an admin)
        # takes one, and who took it, and where, is audited.
        ctx = service_context(store, settings, "backup")
        result = backup_database(store, target)
        say(
            f"Backed up {source} to {result.path}: {result.size_bytes / 1e6:,.1f} MB, "
            f"schema version {result.schema_version}, integrity check ok."
        )
        try:
            ctx.audit_alone(
                "database.backup",
                "database",
                None,
                detail={"to": str(result.path.resolve()), "bytes": result.size_bytes},
            )
        except StoreError as error:
            say(
                f"oncall: the backup is complete but was not recorded in the audit log: {error}",
                sys.stderr,
            )
            return EXIT_REJECTED
    finally:
        store.close()
    key = key_path(source)
    if key.exists():
        # Kept apart on purpose: whoever holds a backup should not also hold the key.
        say(
            f"  The audit key {key} is not in the backup: keep a copy of it apart; a restore "
            "checks the backup's audit log with it."
        )
    return EXIT_OK
