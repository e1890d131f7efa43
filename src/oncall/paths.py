"""Every filesystem location the console uses, in one place."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP_NAME = "oncall"


def data_dir() -> Path:
    """Where the default database lives (created owner-only on first use)."""
    return Path(os.environ.get("ONCALL_DATA_DIR") or user_data_path(APP_NAME))


def default_db_path() -> Path:
    """The database `oncall` opens when no --db or ONCALL_DB is given."""
    return data_dir() / "oncall.db"


def config_file() -> Path:
    """The TOML settings file."""
    return Path(os.environ.get("ONCALL_CONFIG") or user_config_path(APP_NAME) / "oncall.toml")


def log_dir() -> Path:
    """Where redacted logs and error reports go."""
    return Path(os.environ.get("ONCALL_LOG_DIR") or user_log_path(APP_NAME))


def fixtures_dir() -> Path:
    """The synthetic demo data shipped with the package."""
    return Path(str(resources.files("oncall.fixtures")))


def styles_dir() -> Path:
    """The Textual stylesheets shipped with the package."""
    return Path(str(resources.files("oncall.styles")))


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable by its owner only, if it does not exist."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
