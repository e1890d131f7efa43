"""Putting a backup in the database's place: checked first, never under an open console.

The backup is read, never written: it is opened read-only, checked with
`PRAGMA integrity_check` and by recomputing its audit chain, then copied with SQLite's
backup API to a temporary file beside the database. The database it replaces is
checkpointed (so its -wal is folded in and removed) and renamed, kept whole, to
`NAME.replaced-STAMP`; the copy is then renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from oncall.store.audit import verify_chain
from oncall.store.errors import StoreError
from oncall.store.schema import LATEST


@dataclass(frozen=True)
class BackupCheck:
    """What checking a backup found: its schema version and audit rows."""

    schema_version: int
    audit_rows: int


def _read_only(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot open the backup {path}: {error}.") from None


def check_backup(path: Path, key: bytes | None = None) -> BackupCheck:
    """Integrity, a known schema version and an unbroken audit chain, or StoreError saying which.

    `key` is the audit key of the database being replaced (the backup's keyed rows were
    made with it); a backup has no key beside it.
    """
    conn = _read_only(path)
    try:
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        except sqlite3.Error as error:  # not SQLite, or not an oncall database
            raise StoreError(f"{path} is not an oncall database ({error}).") from None
        if problems != ["ok"]:
            raise StoreError(f"The backup {path} is damaged: {problems[0]}.")
        if int(version or 0) > LATEST:
            raise StoreError(
                f"The backup {path} is of schema version {version}, newer than this oncall "
                f"({LATEST}); restore it with the version that made it."
            )
        broken = verify_chain(conn, key)
        if broken:
            raise StoreError(
                f"The backup's audit log was altered ({broken[0]}"
                f"{f' and {len(broken) - 1} more' if len(broken) > 1 else ''}); not restored."
            )
        rows = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        return BackupCheck(int(version or 0), int(rows))
    finally:
        conn.close()


def role_in(path: Path, login: str) -> str | None:
    """The role of an active staff member `login` in the database at `path` (read-only)."""
    conn = _read_only(path)
    try:
        row = conn.execute(
            "SELECT role FROM staff WHERE login = ? AND active = 1", (login,)
        ).fetchone()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def processes_using(path: Path) -> list[int]:
    """Other processes that hold the database (or its -wal / -shm) open, from /proc.

    Every process with the file open is on this host (WAL requires it), so /proc sees
    all of them; raises StoreError where there is no /proc to look in.
    """
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        raise StoreError("Cannot tell which processes have the database open (no /proc).")
    names = {str(path.resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    found: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in names:
                        found.append(int(entry.name))
                        break
    return sorted(found)


def replace_database(backup: Path, database: Path, stamp: str) -> Path:
    """Put a copy of `backup` at `database`; returns where the replaced file is kept."""
    staging = database.with_name(f".{database.name}.restoring-{os.getpid()}")
    fd = os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    kept = database.with_name(f"{database.name}.replaced-{stamp}")
    try:
        source = _read_only(backup)
        copy = sqlite3.connect(str(staging), isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
            source.close()
        _sync(staging)
        if database.exists():
            # Fold the -wal into the file so the kept copy is whole on its own.
            old = sqlite3.connect(str(database), isolation_level=None)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.execute("PRAGMA journal_mode = DELETE")
            finally:
                old.close()
            os.rename(database, kept)
            for suffix in ("-wal", "-shm"):  # never left to be read as the new file's
                leftover = Path(f"{database}{suffix}")
                if leftover.exists():
                    os.rename(leftover, Path(f"{kept}{suffix}"))
        os.replace(staging, database)
        _sync(database.parent)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()
        if kept.exists() and not database.exists():  # put the original back
            os.rename(kept, database)
        raise StoreError(f"The restore failed ({error}); the database was not replaced.") from None
    return kept


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
