"""Backing the database up and putting a backup in its place, for `oncall backup` and `restore`.

The copying, checking and swapping of files is the store's (SQLite's backup API, read-only
checks, /proc); the commands reach it here and audit each step with a ServiceContext.
"""

from __future__ import annotations

from pathlib import Path

from oncall.domain.types import Role
from oncall.store.backup import BackupResult, backup_database
from oncall.store.restore import BackupCheck, check_backup, processes_using, replace_database
from oncall.store.restore import role_in as _role_in

__all__ = [
    "BackupCheck",
    "BackupResult",
    "backup_database",
    "check_backup",
    "is_admin_of",
    "processes_using",
    "replace_database",
]


def is_admin_of(path: Path, login: str) -> bool:
    """Whether `login` is an active admin of the database at `path` (read-only; no file: no)."""
    return _role_in(path, login) == Role.ADMIN.value
