"""Copying a live database with SQLite's backup API (never `cp` a WAL database)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from oncall.store.db import Store
from oncall.store.errors import StoreError


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: where it is, how big, which schema version."""

    path: Path
    size_bytes: int
    schema_version: int


def backup_database(store: Store, target: Path) -> BackupResult:
    """Copy the open database to `target` (a new file, owner-only), checked and whole.

    The copy is one consistent snapshot even while other processes write: SQLite's
    backup API reads it in one read transaction, which in WAL mode blocks no writer.
    It is written beside the target under a temporary name, switched to a
    single-file journal mode, checked with `PRAGMA integrity_check`, synced, and only
    then renamed into place, so a failed backup never leaves a file that looks whole.
    """
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as error:
        raise StoreError(f"Cannot create the backup {target}: {error.strerror}.") from None
    os.close(fd)
    try:
        copy = sqlite3.connect(str(partial), isolation_level=None)
        try:
            with store.read() as conn:
                try:
                    conn.backup(copy)
                except sqlite3.Error as error:  # nearly always the target: say so
                    raise _failed(target, error) from None
            # One self-contained file: no -wal beside it to lose when it is moved.
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            version = copy.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            copy.close()
        if problems != ["ok"]:
            raise StoreError(f"The backup {target} did not pass its check: {problems[0]}.")
        _sync(partial)
        os.replace(partial, target)
        _sync(target.parent)
    except sqlite3.Error as error:
        _remove(partial)
        raise _failed(target, error) from None
    except BaseException:
        _remove(partial)
        raise
    return BackupResult(target, target.stat().st_size, int(version or 0))


def _failed(target: Path, error: sqlite3.Error) -> StoreError:
    return StoreError(
        f"The backup to {target} failed ({error}); no backup file was left "
        "and the database itself is untouched."
    )


def _sync(path: Path) -> None:
    """fsync a file or directory so the backup survives a power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
