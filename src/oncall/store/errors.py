"""Errors the store raises, each with a message a person can act on."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3

_LOW_SPACE = 16 * 1024 * 1024
"""Free bytes below which a write error is taken as a full disk: SQLite writes pages,
frames and checkpoints, never anything near this size at once."""


class StoreError(Exception):
    """Something went wrong with the database file; the message says what."""


class DatabaseLocked(StoreError):
    """Another process held the database longer than the busy timeout."""


class DiskFull(StoreError):
    """The disk (or the process's file-size limit) is full; nothing was half-written."""


class SchemaTooNew(StoreError):
    """The database was written by a newer oncall than this one."""


class DatabaseUnavailable(StoreError):
    """The database file cannot be opened or read."""


def translate(error: sqlite3.Error, path: str) -> StoreError:
    """Turn a sqlite3 error into a StoreError whose message names the cause."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLocked(
            f"The database {path} is busy in another process; the change was not saved. Try again."
        )
    # A file-size limit (RLIMIT_FSIZE) makes SQLite report "disk I/O error"
    # (SQLITE_IOERR_WRITE), not "database or disk is full": tell the two apart by looking.
    if "full" in text or ("disk i/o" in text and _no_room(path)):
        return DiskFull(
            f"The disk holding {path} is full (or the file may not grow); "
            "the change was not saved and the database is intact."
        )
    if "disk i/o" in text:
        return StoreError(
            f"The disk holding {path} failed to read or write; the change was not saved. "
            "Check the disk (and the system log) before going on."
        )
    if "too big" in text:
        return StoreError(f"A value was too large for the database {path}; it was not saved.")
    if "readonly" in text or "unable to open" in text or "not a database" in text:
        return DatabaseUnavailable(f"The database {path} cannot be used: {error}.")
    return StoreError(f"The database {path} reported an error: {error}.")


def _no_room(path: str) -> bool:
    """Whether a write error is explained by a full disk or the process's file-size limit."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        if shutil.disk_usage(folder).free < _LOW_SPACE:
            return True
    except OSError:
        pass
    limit, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit == resource.RLIM_INFINITY:
        return False
    for suffix in ("", "-wal", "-journal"):
        try:
            if os.path.getsize(path + suffix) + _LOW_SPACE >= limit:
                return True
        except OSError:
            continue
    return False
