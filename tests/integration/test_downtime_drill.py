"""The downtime drill (issue 20) through a real OpenSSH server and the shipped scripts.

The pack is refreshed over SSH through the gate; sshd is then stopped; the pack opens
with no network and shows the client's safety plan and contacts; three actions go to
the journal; sshd comes back; file-back puts all three on the timeline once, at their
own times, and a second file-back adds nothing.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sshd_support import ServiceAccount, Sshd, check_can_run
from textual.widgets import Static

from conftest import build_clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.clock import FrozenClock
from oncall.domain.downtime_journal import JournalKind
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services.downtime import read_pack
from oncall.services.downtime_journal import JournalFile, make_entry
from oncall.store import episodes as episode_rows
from oncall.store.db import connect
from oncall.ui.downtime.app import DowntimeApp
from oncall.ui.downtime.client import PackClientScreen

pytestmark = pytest.mark.slow
DOWNTIME = Path(__file__).parents[2] / "deploy" / "downtime"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[ServiceAccount, Sshd, Path, Path]]:
    """A service account whose database holds the clinic at night, alice's key, and sshd."""
    check_can_run()
    account = ServiceAccount.create()
    sshd = Sshd(tmp_path, account.name)
    try:
        account.install_oncall()
        db = account.home / "oncall.db"
        # The clinic's rota is around now: alice is on call, so her pack holds C-4's episode.
        store = connect(db)
        clinic = build_clinic(store, FrozenClock(datetime.now(UTC) - timedelta(minutes=5)))
        downtime_night(clinic)
        store.close()
        for path in account.home.glob("oncall.db*"):
            subprocess.run(["chown", f"{account.name}:", str(path)], check=True, timeout=30)
        key = tmp_path / "alice"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30
        )
        public = (tmp_path / "alice.pub").read_text()
        account.run(str(account.oncall), "keys", "add", "alice", "-", "--db", str(db), stdin=public)
        sshd.start()
        yield account, sshd, db, key
    finally:
        sshd.stop()
        account.remove()


def _script(name: str, sshd: Sshd, key: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        HOME=str(home),
        ONCALL_HOST=f"{sshd.user}@127.0.0.1",
        ONCALL_SSH_OPTIONS=" ".join(sshd.client_options(key)),
        ONCALL_DOWNTIME_PASSPHRASE_COMMAND=f"printf %s '{PASSPHRASE}'",  # no newline, as keyrings
    )
    return subprocess.run(
        [str(DOWNTIME / name)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def _open_offline(pack_path: Path, journal: JournalFile) -> str:
    """downtime open on the pack: Morgan's screen, as shown."""
    pack = read_pack(pack_path.read_bytes(), PASSPHRASE, pack_path.name)
    app = DowntimeApp(pack, journal=journal)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PackClientScreen)
        banner = str(app.screen.query_one("#downtime-banner", Static).content)
        return f"{banner}\n{app.screen.packed.client.external_ref}"


def test_the_downtime_drill(host: tuple[ServiceAccount, Sshd, Path, Path], tmp_path: Path) -> None:
    account, sshd, db, key = host
    home = tmp_path / "laptop"
    refreshed = _script("oncall-downtime-refresh", sshd, key, home)
    assert refreshed.returncode == 0, refreshed.stderr
    pack_path = home / ".oncall" / "downtime.pack"
    sshd.stop()  # the host is out of reach from here on
    assert _script("oncall-downtime-refresh", sshd, key, home).returncode != 0
    pack = read_pack(pack_path.read_bytes(), PASSPHRASE, pack_path.name)  # the last good one
    morgan = next(c for c in pack.clients if c.client.external_ref == "C-4")
    jordan = next(c for c in pack.clients if c.client.external_ref == "C-1")
    assert jordan.plan is not None and "Skipping meetings" in jordan.plan.sections["warning_signs"]
    assert [c.phone for c in jordan.contacts] == ["+1-714-555-0199"]
    journal = JournalFile.open(home / ".oncall" / "downtime.journal", PASSPHRASE, "alice")
    shown = asyncio.run(_open_offline(pack_path, journal))
    assert "DOWNTIME COPY — made" in shown and shown.endswith("C-4")
    episode_id = morgan.episodes[0].episode.id
    started = datetime.now(UTC)
    for minutes, kind, extra in (
        (1, JournalKind.NOTE, {"text": "Read the safety plan together"}),
        (
            2,
            JournalKind.CONTACT_ATTEMPT,
            {"who": "Morgan", "channel": ContactChannel.PHONE, "result": ContactResult.REACHED},
        ),
        (3, JournalKind.DISPOSITION, {"disposition": Disposition.STABILIZED}),
    ):
        at = started - timedelta(minutes=4 - minutes)
        journal.add(make_entry(kind, at=at, client_ref="C-4", episode_id=episode_id, **extra))
    again_folder = tmp_path / "sshd-again"
    again_folder.mkdir()
    back = Sshd(again_folder, account.name)  # the host is back (on a new port)
    back.start()
    try:
        filed = _script("oncall-downtime-file-back", back, key, home)
        assert filed.returncode == 0, filed.stderr
        assert "Filed 3 of 3 entries" in filed.stdout
        [kept] = (home / ".oncall").glob("downtime.journal.filed-*")
        again = subprocess.run(
            ["ssh", *back.client_options(key), f"{back.user}@127.0.0.1", "downtime",
             "file-back", "--passphrase-stdin"],
            input=PASSPHRASE.encode() + b"\n" + kept.read_bytes(),
            capture_output=True,
            timeout=60,
            check=False,
        )  # fmt: skip
        assert again.returncode == 0 and b"3 were filed before." in again.stdout
    finally:
        back.stop()
    store = connect(db, create=False)
    try:
        with store.read() as conn:
            events = episode_rows.timeline(conn, episode_id)
    finally:
        store.close()
    after = [e for e in events if e.body.get("entered_after_downtime")]
    assert [e.at for e in after] == [e.at for e in journal.journal.entries]
