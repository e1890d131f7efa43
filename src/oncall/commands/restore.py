"""`oncall restore BACKUP`: put a checked backup in the database's place, keeping the old file."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    say,
    settings_for,
)
from oncall.services.audit_anchors import anchors_path
from oncall.services.backups import (
    check_backup,
    is_admin_of,
    processes_using,
    replace_database,
)
from oncall.services.context import ServiceContext
from oncall.services.errors import StoreError
from oncall.services.identity import (
    is_service_account,
    os_account,
    service_account_name,
    service_staff,
)
from oncall.store.audit_key import AuditKeyError, read_key
from oncall.store.db import connect


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `restore` command."""
    parser = subparsers.add_parser(
        "restore",
        help="replace the database with a checked backup; the replaced file is kept (admins)",
    )
    add_db_option(parser)
    parser.add_argument("backup", metavar="BACKUP", type=Path, help="a file made by oncall backup")
    parser.set_defaults(handler=run)


def _require_service_or_admin(database: Path, backup: Path, login: str) -> None:
    """Only the service account (it owns the database, or its folder when none is left) or
    an active admin restores: of the database replaced, or of the backup when none is left."""
    if is_service_account(database):
        return
    where = database if database.exists() else backup
    if not is_admin_of(where, login):
        raise CommandError(
            f"Only the service account ({service_account_name(database)}) or an active admin "
            f"of {where} may restore it; the account '{login}' is neither."
        )


def _audit_key(database: Path) -> bytes | None:
    """The audit key beside the database: the backup's keyed rows are checked with it."""
    try:
        return read_key(database)
    except AuditKeyError as error:
        raise CommandError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Check the backup, refuse while the database is open elsewhere, swap, and audit."""
    settings = settings_for(args)
    database = settings.db_path
    backup = args.backup.expanduser()
    if not backup.is_file():
        raise CommandError(f"There is no backup file {backup}.", EXIT_USAGE)
    if database.exists() and backup.resolve() == database.resolve():
        raise CommandError("The backup is the database itself.", EXIT_USAGE)
    login = os_account()
    try:
        checked = check_backup(backup, _audit_key(database))
        _require_service_or_admin(database, backup, login)
        users = processes_using(database) if database.exists() else []
        if users:
            raise CommandError(
                f"{len(users)} process(es) have {database} open (pid "
                f"{', '.join(map(str, users))}): close every console and stop oncall worker, "
                "then restore. Nothing was changed."
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        had_database = database.exists()
        kept_path = replace_database(backup, database, stamp)
        kept = kept_path if had_database else None
        anchors_kept = _set_anchors_aside(database, stamp)
        store = connect(database, create=False)  # an older backup is migrated here
    except StoreError as error:
        raise CommandError(str(error)) from None
    try:
        ServiceContext(store, service_staff(login, "restore"), settings=settings).audit_alone(
            "database.restored",
            "database",
            None,
            detail={
                "from": str(backup.resolve()),
                "kept": str(kept) if kept else None,
                "schema_version": checked.schema_version,
            },
        )
    finally:
        store.close()
    say(
        f"Restored {database} from {backup} (schema version {checked.schema_version}, "
        f"integrity ok, audit chain of {checked.audit_rows} rows intact)."
    )
    if kept is not None:
        say(f"The replaced database is kept as {kept}.")
    if anchors_kept is not None:
        say(f"Its audit anchors are kept as {anchors_kept}; anchoring starts again.")
    return EXIT_OK


def _set_anchors_aside(database: Path, stamp: str) -> Path | None:
    """Keep the replaced database's anchors apart: the restored log ends before them, and
    `audit --verify` would call that rows deleted."""
    anchors = anchors_path(database)
    if not anchors.exists():
        return None
    kept = anchors.with_name(f"{anchors.name}.replaced-{stamp}")
    try:
        os.replace(anchors, kept)
    except OSError as error:
        raise StoreError(
            f"The database was restored, but its old audit anchors {anchors} could not be "
            f"set aside ({error.strerror}): move them away before `oncall audit --verify`."
        ) from None
    return kept
