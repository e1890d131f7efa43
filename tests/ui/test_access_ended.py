"""A console whose user is deactivated closes within seconds and says why; no key reopens it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.access_watch import AccessWatch
from oncall.store import staff_admin as accounts
from oncall.ui.screens.access_ended import AccessEndedScreen


async def _wait_for_cover(app: object, started: float) -> float:
    while not isinstance(app.screen, AccessEndedScreen):  # type: ignore[attr-defined]
        assert time.monotonic() - started < 5, "the console did not close within 5 s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_deactivation_covers_the_console_with_the_reason_within_5_s(
    clinic: Clinic,
) -> None:
    app = make_app(replace(clinic.settings, idle_lock_minutes=0), actor="bob", clock=clinic.clock)

    def ended(why: str) -> bool:
        app.call_from_thread(app.push_screen, AccessEndedScreen(why))
        return True

    watch = AccessWatch(clinic.store.path, "bob", ended, interval_s=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        watch.start()
        await pilot.pause(0.5)
        assert not isinstance(app.screen, AccessEndedScreen)  # still active: nothing happens
        with clinic.store.write() as conn:
            accounts.set_active(conn, clinic.staff["bob"].id, False)
        elapsed = await _wait_for_cover(app, time.monotonic())
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "An admin deactivated the account bob" in shown
        await pilot.press("f5")  # an app key opens nothing behind the cover: it ends the console
        await pilot.pause()
    watch.stop()
    assert app.return_code == 1 and elapsed < 5
    app.services.store.close()


async def test_a_revoked_gate_key_covers_the_console(clinic: Clinic, tmp_path: Path) -> None:
    keys = tmp_path / "authorized_keys"
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIOwnVYcVpnTtUJxOuD4OKIvhmQZHhSA4oNxQ0E5hgIEs"
    keys.write_text(f'command="/x/oncall --db /x/db gate bob",restrict,pty ssh-ed25519 {blob}\n')
    app = make_app(replace(clinic.settings, idle_lock_minutes=0), actor="bob", clock=clinic.clock)

    def ended(why: str) -> bool:
        app.call_from_thread(app.push_screen, AccessEndedScreen(why))
        return True

    watch = AccessWatch(clinic.store.path, "bob", ended, keys_file=keys, interval_s=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        watch.start()
        await pilot.pause(0.5)
        assert not isinstance(app.screen, AccessEndedScreen)
        keys.write_text("# nothing of bob's any more\n")
        await _wait_for_cover(app, time.monotonic())
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "The SSH key of bob was revoked" in shown
    watch.stop()
    app.services.store.close()
