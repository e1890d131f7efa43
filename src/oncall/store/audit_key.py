"""The audit chain's key: a file beside the database, readable by the service account only.

The key is kept outside the database so that someone who can write the database (with
`sqlite3`, say) still cannot recompute the chain: each row's hash is an HMAC under this
key. `oncall init` creates it as `DB.auditkey` (mode 0600, in the database's folder,
which is the service account's); `oncall audit key` creates one for an older database.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import sqlite3
import stat
from pathlib import Path

log = logging.getLogger(__name__)

KEY_SUFFIX = ".auditkey"
KEY_BYTES = 32


class AuditKeyError(Exception):
    """The key file exists but cannot be used; the message is one sentence naming it."""


def key_path(db_path: Path) -> Path:
    """Where the key of the database at `db_path` is kept."""
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def read_key(db_path: Path) -> bytes | None:
    """The key of the database at `db_path`, or None when it has none (an older database)."""
    path = key_path(db_path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise AuditKeyError(f"The audit key {path} is a symbolic link; refused.") from None
        raise AuditKeyError(f"Cannot read the audit key {path}: {error.strerror}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            raise AuditKeyError(
                f"The audit key {path} may be read by other accounts (mode "
                f"{stat.S_IMODE(info.st_mode):o}); make it 0600."
            )
        text = os.read(fd, 4 * KEY_BYTES).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise AuditKeyError(f"The audit key {path} is not a key oncall made ({KEY_BYTES} bytes).")
    return key


def create_key(db_path: Path) -> Path:
    """Create the key file (0600, never through a link); FileExistsError if there is one."""
    path = key_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


_keys: dict[str, bytes] = {}
"""Keys read so far, by database file: a key never changes once made."""


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file of the connection's main database (None in memory)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def key_for(conn: sqlite3.Connection) -> bytes | None:
    """The key of the database `conn` has open, or None when it has none.

    Looked up by file so that every connection to a database (the console's, the
    worker's, an import's) keys its rows alike without being handed the key. A missing
    key is looked for again on each call: one made by `oncall audit key` while a
    console runs is used from its next row on.
    """
    path = database_file(conn)
    if path is None:
        return None
    name = str(path)
    if name not in _keys:
        try:
            key = read_key(path)
        except AuditKeyError as error:
            # Clinical work goes on; its rows are written unkeyed, which `audit --verify`
            # reports, with this sentence.
            log.warning("audit rows written without the key: %s", error)
            return None
        if key is None:
            return None
        _keys[name] = key
    return _keys[name]
