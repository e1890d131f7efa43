"""Errors the store raises, each with a message a person can act on."""

from __future__ import annotations

import sqlite3


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
    if "full" in text or "disk i/o" in text or "too big" in text:
        return DiskFull(
            f"The disk holding {path} is full (or the file may not grow); "
            "the change was not saved and the database is intact."
        )
    if "readonly" in text or "unable to open" in text or "not a database" in text:
        return DatabaseUnavailable(f"The database {path} cannot be used: {error}.")
    return StoreError(f"The database {path} reported an error: {error}.")
