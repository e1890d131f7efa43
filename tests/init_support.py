"""Making a database the one way the product allows: `oncall init` (file, schema, first admin)."""

from __future__ import annotations

from pathlib import Path

from oncall.services.identity import name_first_admin, os_account
from oncall.store.db import connect


def init_database(path: Path, admin: str | None = None) -> Path:
    """Create the database at `path` with `admin` (default: this OS account) as first admin."""
    store = connect(path, create=True)
    try:
        name_first_admin(store, admin or os_account())
    finally:
        store.close()
    return path
