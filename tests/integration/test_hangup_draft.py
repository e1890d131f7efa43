"""SIGHUP to a console mid-note keeps a draft; the next login gets it back, word for word."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_terminal_burst import NOTE, WAIT_S, Terminal, _clinic_for_this_account, _tmux

from oncall.domain.types import EventKind
from oncall.store import episodes as episode_rows

pytestmark = pytest.mark.slow


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A tmux server of this test's own (killed afterwards)."""
    term = Terminal(_tmux(), tmp_path / "tmux.sock")
    yield term
    subprocess.run([term.tmux, "-S", str(term.socket), "kill-server"], capture_output=True)


def _open_console(terminal: Terminal, db: Path) -> int:
    """A console in a new tmux session; its pid (exec: the pane's process is the console)."""
    oncall = Path(sys.executable).parent / "oncall"
    terminal.run(
        "new-session", "-d", "-s", "console", "-x", "120", "-y", "36",
        f"exec {oncall} --db {db}",
    )  # fmt: skip
    return int(terminal.run("display-message", "-p", "-t", "console", "#{pane_pid}").strip())


def _open_note_form(terminal: Terminal) -> None:
    terminal.wait_for("My open episodes")
    terminal.run("send-keys", "-t", "console", "e", "Enter")
    terminal.wait_for("Where is the client right now?")
    terminal.run("send-keys", "-t", "console", "C-n")
    terminal.wait_for("Location not confirmed")
    terminal.run("send-keys", "-t", "console", "n")
    terminal.wait_for("Add a note")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_hang_up_mid_note_keeps_a_draft_the_next_login_saves_word_for_word(
    tmp_path: Path, terminal: Terminal
) -> None:
    db = tmp_path / "oncall.db"
    clinic, episode_id = _clinic_for_this_account(db)
    pid = _open_console(terminal, db)
    _open_note_form(terminal)
    terminal.run("send-keys", "-t", "console", "-l", NOTE)  # typed, never saved
    terminal.wait_for("the garden.")
    # The connection drops: the terminal goes away and the console gets SIGHUP.
    terminal.run("kill-server")
    deadline = time.monotonic() + WAIT_S
    while not _gone(pid):
        assert time.monotonic() < deadline, "the console outlived its terminal"
        time.sleep(0.1)
    with clinic.store.read() as conn:
        kept = conn.execute("SELECT staff_id, fields FROM form_drafts").fetchall()
    assert len(kept) == 1, "nothing was kept of the note"
    staff_id, fields = kept[0]
    assert staff_id == clinic.staff[pwd.getpwuid(os.getuid()).pw_name].id  # its author
    assert [f["value"] for f in json.loads(fields)] == [NOTE]

    _open_console(terminal, db)
    terminal.wait_for("Draft kept")  # offered at the next login
    _open_note_form(terminal)
    terminal.wait_for("the garden.")  # filled back in
    terminal.run("send-keys", "-t", "console", "C-s")
    deadline = time.monotonic() + WAIT_S
    notes: list[str] = []
    while not notes:
        assert time.monotonic() < deadline, f"the note was not saved:\n{terminal.screen()}"
        time.sleep(0.2)
        with clinic.store.read() as conn:
            events = episode_rows.timeline(conn, episode_id)
        notes = [str(e.body["text"]) for e in events if e.kind is EventKind.NOTE]
    assert notes == [NOTE]
    with clinic.store.read() as conn:
        left = conn.execute("SELECT COUNT(*) FROM form_drafts").fetchone()[0]
        audited = [r[0] for r in conn.execute("SELECT action FROM audit_log")]
    assert left == 0, "a saved draft stays offered"
    assert {"draft.kept", "draft.restored", "draft.dropped"} <= set(audited)
    terminal.run("send-keys", "-t", "console", "C-q")
    clinic.store.close()


def _open_details_form(terminal: Terminal) -> None:
    """From the queue: my open episode, its client's record, then d (contact details)."""
    terminal.wait_for("My open episodes")
    terminal.run("send-keys", "-t", "console", "e", "c")
    terminal.wait_for("Episodes, newest first")
    terminal.run("send-keys", "-t", "console", "d")
    terminal.wait_for("Contact details of")


def test_a_hang_up_mid_edit_of_a_client_record_keeps_a_draft_saved_at_the_next_login(
    tmp_path: Path, terminal: Terminal
) -> None:
    db = tmp_path / "oncall.db"
    clinic, _episode_id = _clinic_for_this_account(db)
    client_id = clinic.clients["C-1"]
    me = clinic.staff[pwd.getpwuid(os.getuid()).pw_name].id
    pid = _open_console(terminal, db)
    _open_details_form(terminal)
    terminal.run("send-keys", "-t", "console", "End")  # the name is selected on focus
    terminal.run("send-keys", "-t", "console", "-l", " Okafor-Reyes")  # typed, never saved
    terminal.wait_for("Test Okafor-Reyes")
    terminal.run("kill-server")  # the connection drops: SIGHUP
    deadline = time.monotonic() + WAIT_S
    while not _gone(pid):
        assert time.monotonic() < deadline, "the console outlived its terminal"
        time.sleep(0.1)
    with clinic.store.read() as conn:
        kept = conn.execute(
            "SELECT staff_id, subject, client_id, episode_id, title, fields FROM form_drafts"
        ).fetchall()
    assert len(kept) == 1, "nothing was kept of the edit"
    staff_id, subject, about, episode, title, fields = kept[0]
    assert (staff_id, subject, about, episode) == (me, f"client:{client_id}", client_id, None)
    assert title == "Contact details"  # the audited title names no one
    assert "Jordan Test Okafor-Reyes" in [f["value"] for f in json.loads(fields)]

    _open_console(terminal, db)
    terminal.wait_for("Draft kept")
    _open_details_form(terminal)
    terminal.wait_for("Test Okafor-Reyes")  # filled back in
    terminal.run("send-keys", "-t", "console", "C-s")
    deadline = time.monotonic() + WAIT_S
    while True:
        with clinic.store.read() as conn:
            name = conn.execute("SELECT name FROM clients WHERE id = ?", (client_id,)).fetchone()
        if name[0] == "Jordan Test Okafor-Reyes":
            break
        assert time.monotonic() < deadline, f"the edit was not saved:\n{terminal.screen()}"
        time.sleep(0.2)
    with clinic.store.read() as conn:
        left = conn.execute("SELECT COUNT(*) FROM form_drafts").fetchone()[0]
        audited = conn.execute(
            "SELECT action, object_type, object_id FROM audit_log WHERE action LIKE 'draft.%'"
        ).fetchall()
    assert left == 0, "a saved draft stays offered"
    assert [tuple(r) for r in audited] == [
        (action, "client", str(client_id))
        for action in ("draft.kept", "draft.restored", "draft.dropped")
    ]
    terminal.run("send-keys", "-t", "console", "C-q")
    clinic.store.close()
