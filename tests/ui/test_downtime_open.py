"""`oncall downtime open`: the pack's client with safety plan and contacts, under the banner."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import cast

from rich.console import Console, RenderableType
from textual.widgets import Static

from conftest import Clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.clock import FrozenClock
from oncall.services.downtime import build_pack, pack_bytes, read_pack
from oncall.ui.downtime.app import DowntimeApp
from oncall.ui.downtime.banner import DowntimeBanner
from oncall.ui.downtime.client import PackClientScreen
from oncall.ui.downtime.lock import DowntimeLockScreen


def _shown(app: DowntimeApp, selector: str) -> str:
    """What a Static on the current screen shows, as plain text (tables included)."""
    console = Console(width=100, file=io.StringIO(), force_terminal=False)
    content = app.screen.query_one(selector, Static).content
    console.print(cast(RenderableType, content))
    return cast(io.StringIO, console.file).getvalue()


async def test_a_clients_safety_plan_and_contacts_open_under_the_downtime_banner(
    clinic: Clinic,
) -> None:
    downtime_night(clinic)
    data = pack_bytes(build_pack(clinic.ctx("alice")), PASSPHRASE)
    pack = read_pack(data, PASSPHRASE, "downtime.pack")
    clock = FrozenClock(clinic.clock.now() + timedelta(minutes=47))
    app = DowntimeApp(pack, stale_after_minutes=60, clock=clock)
    async with app.run_test(size=(110, 50)) as pilot:
        banner = _shown(app, "#downtime-banner")
        assert "DOWNTIME COPY — made 03:00, 47 min ago" in banner
        assert not app.screen.query_one(DowntimeBanner).stale
        await pilot.press("down", "down", "enter")  # Morgan, Casey, then Jordan (C-1)
        await pilot.pause()
        assert isinstance(app.screen, PackClientScreen)
        assert app.screen.packed.client.external_ref == "C-1"
        assert "DOWNTIME COPY — made 03:00, 47 min ago" in _shown(app, "#downtime-banner")
        plan = _shown(app, "#plan")
        assert "Skipping meetings" in plan and "Walk the dog to the park" in plan
        assert "My daughter" in plan
        contacts = _shown(app, "#contacts")
        assert (
            "Sam Sample (sibling)  +1-714-555-0199  consent on file: may be contacted" in contacts
        )
        clock.advance(timedelta(minutes=14))  # 61 minutes old: past the setting
        app.screen.query_one(DowntimeBanner).show_age()
        assert app.screen.query_one(DowntimeBanner).stale
        assert "made 03:00, 1 h 01 min ago" in _shown(app, "#downtime-banner")
        await pilot.press("escape", "up", "enter")  # Casey: no consent to contact on file
        await pilot.pause()
        assert "NO CONSENT on file: do not contact" in _shown(app, "#contacts")
        await pilot.press("r")
        await pilot.pause()
        assert "Bob Okafor" in _shown(app, "#rota") and "+1-714-555-0100" in _shown(app, "#rota")
        await pilot.press("d")
        await pilot.pause()
        resources = _shown(app, "#resources")
        assert "988" in resources and "Orange Crisis Line" in resources


async def test_the_downtime_copy_locks_when_idle_and_opens_to_the_packs_passphrase(
    clinic: Clinic,
) -> None:
    downtime_night(clinic)
    pack = read_pack(pack_bytes(build_pack(clinic.ctx("alice")), PASSPHRASE), PASSPHRASE, "p")
    clock = FrozenClock(clinic.clock.now())
    app = DowntimeApp(pack, clock=clock, passphrase=PASSPHRASE, lock_after_minutes=5)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        clock.advance(timedelta(minutes=5))
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, DowntimeLockScreen)
        assert not app.screen.query("#plan") and not app.screen.query("#contacts")
        await pilot.press(*"nope", "enter")
        await pilot.pause()
        assert "That is not the pack's passphrase (4 tries left)." in _shown(app, "#lock-message")
        await pilot.press(*PASSPHRASE, "enter")
        await pilot.pause()
        assert isinstance(app.screen, PackClientScreen) and not app.locked
