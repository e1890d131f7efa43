"""Opening the database: WAL, foreign keys, busy timeout, owner-only file, migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.domain.terminal_text import safe_text
from oncall.store.errors import DatabaseUnavailable, StoreError, translate

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_S = 5.0
BULK_CHECKPOINT_PAGES = 10_000
"""WAL pages between automatic checkpoints during `Store.bulk()` (SQLite's default: 1000)."""
BULK_CACHE_KIB = -32_768
"""Page cache during `Store.bulk()`: 32 MiB (negative = KiB, SQLite's convention)."""


def read_text(data: bytes) -> str:
    """Every TEXT value read from the database, without terminal control characters.

    This is where stored text leaves for screens, CLI output and exports: a name or
    note stored before the boundaries were cleaned, or by hand with `sqlite3`, cannot
    carry an escape sequence to a terminal. Newline and tab stay (notes are multi-line).
    """
    text = str(data, "utf-8")
    return text if text.isprintable() else safe_text(text, multiline=True)


class Store:
    """One open connection to the database, safe to share between threads.

    Every use goes through `read()` or `write()`, which hold a lock so a
    thread worker and the event loop never use the connection at once.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._lock = threading.RLock()
        self._depth = 0

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of the connection, made on first use.

        Importing sqlite-utils costs about 0.1-0.2 s (click, dateutil, pluggy); made
        lazily, the console and quick commands start without it.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A `BEGIN IMMEDIATE` transaction: committed on success, rolled back on error."""
        with self._lock:
            if self._depth:
                # Nested use joins the outer transaction: one use case, one commit.
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise translate(error, str(self.path)) from None
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as error:
                # A failing rollback (full disk, I/O error) must not hide the original
                # error: either way nothing of the transaction is committed.
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise translate(error, str(self.path)) from None
                raise
            finally:
                self._depth = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Use the connection for reads (a consistent snapshot within one statement)."""
        with self._lock:
            try:
                yield self.conn
            except sqlite3.Error as error:
                raise translate(error, str(self.path)) from None

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Connection settings for a long run of large write transactions (an import).

        The WAL is checkpointed every ~40 MB instead of ~4 MB, so pages that every batch
        rewrites (index interiors, the end of the audit chain) are copied into the
        database file once per checkpoint instead of ten times, and a 32 MB page cache
        keeps a large database's indexes in memory: an import into a 10,000-client
        database took 15% less CPU. Each commit is still synced. Restored on exit.
        """
        with self.read() as conn:
            conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with self._lock, suppress(sqlite3.Error):  # a full disk must not hide the cause
                self.conn.execute("PRAGMA cache_size = -2000")  # SQLite's default, 2 MB
                self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def data_version(self) -> int:
        """SQLite's counter that changes when another connection commits."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()


def _create_private_file(path: Path) -> None:
    """Create the database file owner-only before SQLite touches it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _attach_leases(conn: sqlite3.Connection, path: Path) -> None:
    """The dispatcher leases, in their own file beside the database (store/leases.py says why)."""
    from oncall.store import leases

    lease_path = leases.lease_file(path)
    try:
        _create_private_file(lease_path)
    except OSError as error:
        raise DatabaseUnavailable(
            f"Cannot create the lease file {lease_path}: {error.strerror}."
        ) from None
    leases.attach(conn, lease_path)


def connect(path: Path | str, *, create: bool = True, migrate: bool = True) -> Store:
    """Open (and by default create and migrate) the database at `path`."""
    from oncall.store.schema import migrate as run_migrations

    path = Path(path)
    try:
        exists = path.exists()
    except OSError as error:  # e.g. a folder on the way that this account may not enter
        raise DatabaseUnavailable(f"Cannot reach the database {path}: {error.strerror}.") from None
    if not exists:
        if not create:
            raise DatabaseUnavailable(f"There is no database at {path}.")
        try:
            _create_private_file(path)
        except OSError as error:
            raise DatabaseUnavailable(
                f"Cannot create the database {path}: {error.strerror}."
            ) from None
    elif not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseUnavailable(
            f"You do not have permission to read and write the database {path}."
        )
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        conn.row_factory = sqlite3.Row
        conn.text_factory = read_text
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # WAL must be switched on outside a transaction; it persists in the file.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise DatabaseUnavailable(f"The database {path} could not be put in WAL mode.")
        conn.execute("PRAGMA foreign_keys = ON")
        # A clinical record must survive a power loss: FULL syncs each commit.
        conn.execute("PRAGMA synchronous = FULL")
        _attach_leases(conn, path)
    except sqlite3.Error as error:
        raise translate(error, str(path)) from None
    store = Store(path, conn)
    if migrate:
        try:
            run_migrations(store)
        except StoreError:
            store.close()
            raise
    return store
