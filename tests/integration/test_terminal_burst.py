"""A real terminal: tmux types a 300-character note and ctrl+s in one call; the record matches."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import Clinic, alert_record, build_clinic
from oncall.clock import FrozenClock
from oncall.domain.types import EventKind
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store.db import connect

pytestmark = pytest.mark.slow

NOTE = (
    "Called back 03:12 from her sister's place, calmer than at the first call; says the pills"
    " are locked in the sister's car (sister has the key). Agreed: sister stays in the room,"
    " 988 if the urge returns, 09:00 check-in call; naloxone kit on the hall shelf. Wants"
    " Thursday's group moved to video. Reviewed reasons for living: her son, the garden."
)
WAIT_S = 60.0


def _tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is missing: scripts/test installs it (Debian package tmux)")
        pytest.skip("tmux is not installed (scripts/test installs it)")
    return found


class Terminal:
    """A console running in its own tmux server, 120x36, typed into and read from."""

    def __init__(self, tmux: str, socket: Path) -> None:
        self.tmux = tmux
        self.socket = socket

    def run(self, *args: str) -> str:
        """One tmux command against this terminal's server."""
        done = subprocess.run(
            [self.tmux, "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        )
        return done.stdout

    def screen(self) -> str:
        """What the terminal shows now."""
        return self.run("capture-pane", "-p", "-t", "console")

    def wait_for(self, text: str) -> None:
        """Wait until `text` is on the screen."""
        deadline = time.monotonic() + WAIT_S
        while text not in self.screen():
            assert time.monotonic() < deadline, f"never showed {text!r}:\n{self.screen()}"
            time.sleep(0.1)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A tmux server of this test's own (started on first use, killed afterwards)."""
    term = Terminal(_tmux(), tmp_path / "tmux.sock")
    yield term
    subprocess.run([term.tmux, "-S", str(term.socket), "kill-server"], capture_output=True)


def _clinic_for_this_account(db: Path) -> tuple[Clinic, int]:
    """The synthetic clinic, the OS account as a clinician, and an episode of theirs."""
    store = connect(db)
    clinic = build_clinic(store, FrozenClock(datetime.now(UTC)))
    login = pwd.getpwuid(os.getuid()).pw_name
    with store.write() as conn:
        people.insert_staff(
            conn,
            login=login,
            display_name="Terminal Tester",
            role="clinician",
            phone="+1-714-555-0100",
            active=True,
            created_at=datetime.now(UTC).isoformat(),
        )
        me = people.staff_by_login(conn, login)
    assert me is not None
    clinic.staff[login] = me
    report = ingest_records(clinic.ctx(), [(1, alert_record(id="tmux-1"))], origin="test")
    ack = acknowledge_alert(clinic.ctx(login), report.accepted_ids[0])
    assert ack.episode is not None
    return clinic, ack.episode.id


def test_a_note_typed_by_tmux_with_its_save_key_is_stored_byte_for_byte(
    tmp_path: Path, terminal: Terminal
) -> None:
    assert len(NOTE) >= 300
    db = tmp_path / "oncall.db"
    clinic, episode_id = _clinic_for_this_account(db)
    oncall = Path(sys.executable).parent / "oncall"
    terminal.run(
        "new-session", "-d", "-s", "console", "-x", "120", "-y", "36",
        f"{oncall} --db {db}; sleep 30",
    )  # fmt: skip
    terminal.wait_for("My open episodes")
    terminal.run("send-keys", "-t", "console", "e", "Enter")
    terminal.wait_for("Where is the client right now?")
    terminal.run("send-keys", "-t", "console", "C-n")
    terminal.wait_for("Location not confirmed")
    # The whole note and the save key in one call, as a paste or a fast SSH link delivers it.
    terminal.run("send-keys", "-t", "console", "n", NOTE, "C-s")
    deadline = time.monotonic() + WAIT_S
    notes: list[str] = []
    while not notes:
        assert time.monotonic() < deadline, f"no note was saved:\n{terminal.screen()}"
        time.sleep(0.2)
        with clinic.store.read() as conn:
            events = episode_rows.timeline(conn, episode_id)
        notes = [str(e.body["text"]) for e in events if e.kind is EventKind.NOTE]
    assert notes == [NOTE]
    terminal.run("send-keys", "-t", "console", "C-q")
    clinic.store.close()
