"""Snapshot of `oncall downtime open` on a client: the banner, safety plan, contacts, risk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import Clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.clock import FrozenClock
from oncall.services.downtime import build_pack, pack_bytes, read_pack
from oncall.ui.downtime.app import DowntimeApp


def test_downtime_client_screen(clinic: Clinic, snap_compare: Any) -> None:
    downtime_night(clinic)
    pack = read_pack(pack_bytes(build_pack(clinic.ctx("alice")), PASSPHRASE), PASSPHRASE, "p")
    clock = FrozenClock(clinic.clock.now() + timedelta(minutes=47))
    app = DowntimeApp(pack, clock=clock)
    assert snap_compare(app, press=["down", "down", "enter"], terminal_size=(100, 48))


def test_downtime_client_list_of_a_stale_pack_on_a_narrow_terminal(
    clinic: Clinic, snap_compare: Any
) -> None:
    downtime_night(clinic)
    pack = read_pack(pack_bytes(build_pack(clinic.ctx("alice")), PASSPHRASE), PASSPHRASE, "p")
    clock = FrozenClock(clinic.clock.now() + timedelta(minutes=75))  # red past 60 minutes
    assert snap_compare(DowntimeApp(pack, clock=clock), terminal_size=(80, 24))
