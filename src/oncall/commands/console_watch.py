"""Running a console that closes, saying why, within seconds of its user's access ending."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncall.services.access_watch import AccessWatch

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp


def run_watched(app: OnCallApp, *, keys_file: Path | None = None, key: str | None = None) -> int:
    """Run the console; a deactivated account (or, behind the gate, a revoked key) ends it.

    `key` is the fingerprint of the key the session rests on (None: any key of the login).
    """
    from oncall.commands.console import _run
    from oncall.ui.screens.access_ended import AccessEndedScreen

    def show(why: str) -> None:
        app.push_screen(AccessEndedScreen(why))

    def ended(why: str) -> bool:
        try:
            app.call_from_thread(show, why)
        except RuntimeError:  # not running yet (or already ended)
            return False
        return True

    services = app.services
    watch = AccessWatch(
        services.store.path, services.actor.login, ended, keys_file=keys_file, key=key
    )
    watch.start()
    try:
        return _run(app)
    finally:
        watch.stop()
