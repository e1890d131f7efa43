"""The downtime journal from `downtime open`: an entry is written, encrypted, as it is saved."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from conftest import Clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.clock import FrozenClock
from oncall.domain.downtime_journal import JournalKind
from oncall.services.downtime import build_pack, pack_bytes, read_pack
from oncall.services.downtime_journal import JournalFile, read_journal
from oncall.ui.downtime.app import DowntimeApp


async def test_a_note_typed_in_downtime_is_in_the_encrypted_journal_with_its_time(
    clinic: Clinic, tmp_path: Path
) -> None:
    downtime_night(clinic)
    pack = read_pack(pack_bytes(build_pack(clinic.ctx("alice")), PASSPHRASE), PASSPHRASE, "p")
    path = tmp_path / "downtime.journal"
    journal = JournalFile.open(path, PASSPHRASE, pack.made_for)
    clock = FrozenClock(clinic.clock.now() + timedelta(minutes=40))
    app = DowntimeApp(pack, clock=clock, journal=journal)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.press("enter")  # Morgan (C-4), whose episode Bob opened
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        clock.advance(timedelta(minutes=2))
        await pilot.press(*"Safe at home", "ctrl+s")
        await pilot.pause()
        shown = str(app.screen.query_one("#journal", Static).content)
        assert "03:42 note: Safe at home" in shown
        await pilot.press("n", "ctrl+s")  # an empty note is refused, nothing written
        await pilot.pause()
        assert "The note is empty." in str(app.screen.query_one("#journal-error", Static).content)
        await pilot.press("escape")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"Safe at home" not in path.read_bytes()
    [entry] = read_journal(path.read_bytes(), PASSPHRASE, path.name).entries
    assert entry.kind is JournalKind.NOTE and entry.client_ref == "C-4"
    assert entry.at == clinic.clock.now() + timedelta(minutes=42)
    assert entry.episode_id == pack.clients[0].episodes[0].episode.id
