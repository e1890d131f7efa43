"""The notification targets a running dispatcher uses, re-read when the settings file changes.

A page nobody could receive waits for a target (oncall/routing.py). Adding one to the
settings file is enough: the dispatcher notices the file changed at its next tick and
routes the waiting page, without a restart. A file that no longer reads keeps the
targets it had, with a warning in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from oncall import paths
from oncall.config import SettingsError, TargetSettings, load_settings

log = logging.getLogger(__name__)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class TargetWatch:
    """Targets as started with, replaced by the settings file's when the file changes."""

    def __init__(
        self,
        targets: tuple[TargetSettings, ...],
        path: Callable[[], Path] = paths.config_file,
    ) -> None:
        self._targets = targets
        self._path = path
        # The file as it is now is what the given targets came from (or were chosen over):
        # only a later change is read.
        self._seen = _stamp(path())

    def current(self) -> tuple[TargetSettings, ...]:
        """The targets to route with now."""
        path = self._path()
        stamp = _stamp(path)
        if stamp == self._seen:
            return self._targets
        self._seen = stamp
        if stamp is None:
            return self._targets  # the file went away: keep what was configured
        try:
            targets = load_settings(path).targets
        except SettingsError as error:
            log.warning("targets not reloaded, the settings file does not read: %s", error)
            return self._targets
        if targets != self._targets:
            names = ", ".join(t.name for t in targets) or "none"
            log.info("notification targets reloaded from the settings file: %s", names)
            self._targets = targets
        return self._targets
