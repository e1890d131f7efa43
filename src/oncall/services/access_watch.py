"""Noticing that a running console's access has ended: staff deactivated, SSH key revoked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from oncall.services import authorized_keys as keyfile
from oncall.store import people
from oncall.store.db import Store, connect
from oncall.store.errors import StoreError

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0
"""How often access is checked: the console must close within 5 s of it ending."""


def has_enabled_key(keys_file: Path, login: str, fingerprint: str | None = None) -> bool:
    """Whether the file still holds an enabled gate key for the login (with that fingerprint).

    With a fingerprint (a line's forced command names its key) only that key counts: a
    login's other keys do not keep a session opened with a revoked one.
    """
    return any(
        key.login == login
        and not key.disabled
        and (fingerprint is None or key.fingerprint == fingerprint)
        for key in keyfile.gate_keys(keyfile.read_lines(keys_file))
    )


class AccessWatch:
    """A thread that calls `on_end(why)` when the login may no longer use the console.

    `on_end` returns whether the console took the news (False: it was not running yet,
    so the watch asks again at the next check).
    """

    def __init__(
        self,
        db_path: Path,
        login: str,
        on_end: Callable[[str], bool],
        *,
        keys_file: Path | None = None,
        key: str | None = None,
        interval_s: float = CHECK_EVERY_S,
    ) -> None:
        self.db_path = db_path
        self.login = login
        self.on_end = on_end
        self.keys_file = keys_file
        """Watched only behind the gate, where the session rests on a key in this file."""
        self.key = key
        """The fingerprint of that key, when its forced command names it; else any key."""
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="access-watch", daemon=True)

    def start(self) -> None:
        """Start checking."""
        self._thread.start()

    def stop(self) -> None:
        """Stop checking (the console has ended)."""
        self._stop.set()

    def why_ended(self, store: Store) -> str | None:
        """The sentence to show if access has ended, else None."""
        with store.read() as conn:
            staff = people.staff_by_login(conn, self.login)
        if staff is None or not staff.active:
            return (
                f"An admin deactivated the account {self.login}, so this console has closed. "
                "Nothing you saved is lost."
            )
        if self.keys_file is not None and not has_enabled_key(self.keys_file, self.login, self.key):
            return (
                f"The SSH key of {self.login} was revoked, so this console has closed. "
                "Nothing you saved is lost."
            )
        return None

    def _run(self) -> None:
        # Its own connection: the console's is used on the event loop.
        try:
            store = connect(self.db_path, create=False, migrate=False)
        except StoreError:
            return
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    why = self.why_ended(store)
                except (StoreError, OSError):
                    continue  # a busy database or a file being replaced: look again
                if why is not None and self.on_end(why):
                    log.warning("console access ended: the login was deactivated or revoked")
                    return
        finally:
            store.close()
