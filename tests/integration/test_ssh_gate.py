"""The team deployment through a real OpenSSH server: staff keys, the gate, and nothing else.

A service account made here owns the database; staff (ada admin, cara clinician, sam
supervisor, dee peer) have keys made here and no operating-system account.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sshd_support import WAIT_S, ServiceAccount, Sshd, check_can_run, free_port

pytestmark = pytest.mark.slow
STAFF = {"cara": "clinician", "sam": "supervisor", "dee": "peer"}


@dataclass
class Gate:
    """The running deployment."""

    account: ServiceAccount
    sshd: Sshd
    db: Path
    keys: dict[str, Path]
    """Private key per name: ada, cara, cara2 (cara's second), sam, dee, fay, gus, ivy, ivy2."""

    def ssh(self, who: str, *command: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """ssh to the service account with `who`'s key."""
        return self.sshd.ssh(self.keys[who], *command, **kwargs)  # type: ignore[arg-type]

    def audit_actions(self, action: str) -> list[str]:
        """Actors of `action` in the audit log, read as the service account."""
        python = self.account.oncall.parent / "python"
        code = (
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
            " print('\\n'.join(r[0] for r in c.execute("
            " 'SELECT actor FROM audit_log WHERE action=? ORDER BY id', (sys.argv[2],))))"
        )
        done = self.account.run(str(python), "-c", code, str(self.db), action)
        return done.stdout.split()


def _keygen(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@phone", "-f", str(key)],
        check=True,
        timeout=30,
    )
    return key


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gate]:
    """sshd, the service account with `oncall init` and ada's key, then staff added by ada."""
    check_can_run()
    folder = tmp_path_factory.mktemp("sshd")
    names = ("ada", "cara", "cara2", "sam", "dee", "fay", "gus", "ivy", "ivy2")
    keys = {name: _keygen(folder, name) for name in names}
    account = ServiceAccount.create()
    sshd = Sshd(folder, account.name)
    try:
        account.install_oncall()
        db = account.home / "oncall.db"
        oncall = str(account.oncall)
        account.run(oncall, "init", "--db", str(db), "--admin", "ada", "--name", "Ada Admin")
        ada_public = (folder / "ada.pub").read_text()
        account.run(oncall, "keys", "add", "ada", "-", "--db", str(db), stdin=ada_public)
        sshd.start()
        gate = Gate(account, sshd, db, keys)
        for login, role in STAFF.items():
            added = gate.ssh("ada", "staff", "add", login, "--name", login.title(), "--role", role)
            assert added.returncode == 0, (added.stderr, sshd.log()[-2000:])
        for name in ("cara", "cara2", "sam", "dee"):
            public = (folder / f"{name}.pub").read_text()
            added = gate.ssh("ada", "keys", "add", name.rstrip("2"), "-", stdin=public)
            assert added.returncode == 0, added.stderr
        yield gate
    finally:
        sshd.stop()
        account.remove()


def test_the_data_belongs_to_the_service_account_and_staff_have_no_os_account(
    gate: Gate,
) -> None:
    uid = pwd.getpwnam(gate.account.name).pw_uid
    for path in [gate.db, *gate.db.parent.glob("oncall.db-*")]:
        info = path.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (uid, 0o600), path
    keys = gate.account.home / ".ssh" / "authorized_keys"
    assert (keys.stat().st_uid, stat.S_IMODE(keys.stat().st_mode)) == (uid, 0o600)
    assert keys.read_text().count('",restrict,pty ssh-ed25519 ') == 5
    for login in ("ada", *STAFF):
        with pytest.raises(KeyError):
            pwd.getpwnam(login)


def test_a_clinician_and_a_supervisor_work_at_once_each_as_their_role(gate: Gate) -> None:
    since = "2026-11-01"
    started = time.monotonic()
    runs = {
        who: subprocess.Popen(
            ["ssh", *gate.sshd.client_options(gate.keys[who]), f"{gate.account.name}@127.0.0.1",
             *command],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for who, command in (
            ("cara", ["handoff"]),
            ("sam", ["report", "--since", since, "--format", "json"]),
        )
    }  # fmt: skip
    done = {who: (run.wait(timeout=60), *run.communicate()) for who, run in runs.items()}
    elapsed = time.monotonic() - started
    assert done["cara"][0] == 0 and "handoff" in done["cara"][1].lower(), done["cara"]
    assert done["sam"][0] == 0 and '"alerts"' in done["sam"][1], done["sam"]
    refused = gate.ssh("cara", "report", "--since", since)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == "oncall: 'report' is not allowed for a clinician.\n"
    assert elapsed < 30


@pytest.mark.parametrize(
    "command",
    [["sh"], ["cat", "/etc/passwd"], ["bash", "-i"], ["oncall", "init", "--admin", "cara"]],
    ids=["sh", "cat", "bash", "init"],
)
def test_shells_and_other_programs_are_refused_in_one_sentence(
    gate: Gate, command: list[str]
) -> None:
    before = len(gate.audit_actions("gate.refused"))
    done = gate.ssh("sam", *command)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("oncall: ") and done.stderr.count("\n") == 1, done.stderr
    assert gate.audit_actions("gate.refused")[before:] == ["sam"]


def test_scp_and_sftp_are_refused(gate: Gate, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text("hello\n")
    target = f"{gate.account.name}@127.0.0.1:planted.txt"
    for legacy in ([], ["-O"]):  # the SFTP-based scp of OpenSSH 9, and the old protocol
        options = gate.sshd.client_options(gate.keys["ada"], port_flag="-P")
        done = subprocess.run(
            ["scp", *legacy, *options, str(source), target], capture_output=True, timeout=60
        )
        assert done.returncode != 0
    fetched = subprocess.run(
        ["sftp", *gate.sshd.client_options(gate.keys["ada"], port_flag="-P"), "-b", "-",
         f"{gate.account.name}@127.0.0.1"],
        input="get oncall.db\n", capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert fetched.returncode != 0
    assert not (gate.account.home / "planted.txt").exists()
    assert not (tmp_path / "oncall.db").exists()


def test_port_forwarding_is_refused(gate: Gate) -> None:
    local = free_port()
    tunnel = subprocess.Popen(
        ["ssh", *gate.sshd.client_options(gate.keys["sam"]), "-N", "-L",
         f"{local}:127.0.0.1:{gate.sshd.port}", f"{gate.account.name}@127.0.0.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_S
        while True:  # the client listens once the session is up
            try:
                conn = socket.create_connection(("127.0.0.1", local), timeout=1)
                break
            except OSError:
                assert tunnel.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        with conn:
            conn.settimeout(10)
            assert conn.recv(64) == b""  # sshd refused the channel: no banner came through
    finally:
        tunnel.terminate()
        tunnel.wait(timeout=10)


def test_a_revoked_key_is_refused_and_the_other_key_still_works(gate: Gate) -> None:
    assert gate.ssh("cara2", "rota").returncode == 0
    printed = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{gate.keys['cara2']}.pub"], capture_output=True, text=True
    )
    revoked = gate.ssh("ada", "keys", "revoke", printed.stdout.split()[1])
    assert revoked.returncode == 0, revoked.stderr
    refused = gate.ssh("cara2", "rota")
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr
    assert gate.ssh("cara", "rota").returncode == 0
    assert gate.audit_actions("ssh_key.revoked") == ["ada"]


def test_a_deactivated_login_is_refused(gate: Gate) -> None:
    assert gate.ssh("dee", "rota").returncode == 0
    done = gate.ssh("ada", "staff", "deactivate", "dee")
    assert done.returncode == 0 and "Disabled 1 SSH key(s) of dee" in done.stdout, done
    refused = gate.ssh("dee", "rota")
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr


class Console:
    """`ssh -tt` to the gate inside a tmux server of the test's own, 120x36."""

    def __init__(self, gate: Gate, who: str, folder: Path, *words: str) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            pytest.skip("tmux is not installed (scripts/test installs it)")
        self.tmux = [tmux, "-S", str(folder / f"tmux-{who}.sock")]
        client = gate.sshd.client_options(gate.keys[who])
        command = " ".join(["ssh", "-tt", *client, f"{gate.account.name}@127.0.0.1", *words])
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", "gate", "-x", "120", "-y", "36", command],
            check=True, timeout=20, env={**os.environ, "TERM": "xterm-256color"},
        )  # fmt: skip

    def screen(self) -> str:
        """What the terminal shows now."""
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", "gate"],
            capture_output=True, text=True, timeout=20,
        ).stdout  # fmt: skip

    def wait_for(self, text: str, within_s: float = WAIT_S) -> float:
        """Seconds until `text` is on the screen (fails after `within_s`)."""
        started = time.monotonic()
        while text not in (screen := self.screen()):
            assert time.monotonic() - started < within_s, f"never showed {text!r}:\n{screen}"
            time.sleep(0.1)
        return time.monotonic() - started

    def press(self, *keys: str) -> None:
        """Type keys into the terminal."""
        subprocess.run([*self.tmux, "send-keys", "-t", "gate", *keys], check=True, timeout=20)

    def close(self) -> None:
        """Kill this tmux server (and the ssh client in it)."""
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=20)


def test_the_console_opens_as_the_keys_login_on_a_terminal(gate: Gate, tmp_path: Path) -> None:
    console = Console(gate, "sam", tmp_path)
    try:
        console.wait_for("Sam (supervisor)")  # the status line names who is logged in
    finally:
        console.close()
    assert gate.audit_actions("gate.session").count("sam") >= 1


def test_a_console_closes_within_5_s_of_deactivation_or_key_revocation(
    gate: Gate, tmp_path: Path
) -> None:
    for login in ("fay", "gus"):
        added = gate.ssh("ada", "staff", "add", login, "--name", login.title(), "--role", "peer")
        assert added.returncode == 0, added.stderr
        public = Path(f"{gate.keys[login]}.pub").read_text()
        assert gate.ssh("ada", "keys", "add", login, "-", stdin=public).returncode == 0
    consoles = {login: Console(gate, login, tmp_path) for login in ("fay", "gus")}
    try:
        consoles["fay"].wait_for("Fay (peer)")
        consoles["gus"].wait_for("Gus (peer)")
        assert gate.ssh("ada", "staff", "deactivate", "fay").returncode == 0
        assert gate.ssh("ada", "keys", "revoke", "gus").returncode == 0
        took = {
            "fay": consoles["fay"].wait_for("deactivated the account fay", within_s=5),
            "gus": consoles["gus"].wait_for("The SSH key of gus was revoked", within_s=5),
        }
        for console in consoles.values():
            assert "Queue" not in console.screen()  # the cover is opaque
    finally:
        for console in consoles.values():
            console.close()
    assert max(took.values()) < 5, took


def test_revoking_the_key_in_use_closes_that_board_while_the_other_keys_console_goes_on(
    gate: Gate, tmp_path: Path
) -> None:
    added = gate.ssh("ada", "staff", "add", "ivy", "--name", "Ivy", "--role", "supervisor")
    assert added.returncode == 0, added.stderr
    for name in ("ivy", "ivy2"):
        public = Path(f"{gate.keys[name]}.pub").read_text()
        assert gate.ssh("ada", "keys", "add", "ivy", "-", stdin=public).returncode == 0
    printed = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{gate.keys['ivy2']}.pub"], capture_output=True, text=True
    )
    board = Console(gate, "ivy2", tmp_path, "board")
    console = Console(gate, "ivy", tmp_path)
    try:
        board.wait_for("Waiting for acknowledgement:")
        console.wait_for("Ivy (supervisor)")
        revoked = gate.ssh("ada", "keys", "revoke", printed.stdout.split()[1])
        assert revoked.returncode == 0, revoked.stderr
        took = board.wait_for("The SSH key of ivy was revoked", within_s=5)
        assert "Waiting for acknowledgement" not in board.screen()  # the cover is opaque
        time.sleep(1.5)  # the watch looks every second: the other session's had its turn
        screen = console.screen()
        assert "Ivy (supervisor)" in screen and "revoked" not in screen, screen
    finally:
        board.close()
        console.close()
    assert took < 5


def test_a_clinicians_acknowledgement_shows_on_the_supervisors_board_within_1_s(
    gate: Gate, tmp_path: Path
) -> None:
    alert = {
        "id": "ssh-1", "source": "hotline", "client_ref": "C-9001", "kind": "craving",
        "severity": "high", "summary": "Caller asks for a call back tonight",
        "occurred_at": "2026-12-01T03:14:00-08:00",
    }  # fmt: skip
    ingested = gate.account.run(
        str(gate.account.oncall), "ingest", "--db", str(gate.db), "-", stdin=json.dumps([alert])
    )
    assert "1 accepted" in ingested.stdout
    board = Console(gate, "sam", tmp_path, "board")
    queue = Console(gate, "cara", tmp_path)
    try:
        board.wait_for("Waiting for acknowledgement: 1")
        queue.wait_for("Caller asks for a call back")
        queue.press("a")
        took = board.wait_for("Waiting for acknowledgement: 0", within_s=5)
    finally:
        board.close()
        queue.close()
    assert took < 1.0, f"the board showed the acknowledgement after {took:.2f} s"


def test_a_dropped_connection_mid_note_keeps_a_draft_the_next_login_gets_back(
    gate: Gate, tmp_path: Path
) -> None:
    from test_terminal_burst import NOTE

    alert = {
        "id": "ssh-drop", "source": "app", "client_ref": "C-9002", "kind": "craving",
        "severity": "imminent", "summary": "Asks for someone to talk to now",
        "occurred_at": "2026-12-01T03:20:00-08:00",
    }  # fmt: skip
    oncall = str(gate.account.oncall)
    client = "identifier,name\nC-9002,Dana Reyes\n"  # known, so acknowledging opens an episode
    # `clients import` is host-only and acts as the OS account, so the service account
    # must be staff to run it (a team host has no other way in for client data today).
    service = gate.account.name
    gate.ssh("ada", "staff", "add", service, "--name", "Service", "--role", "admin")
    gate.account.run(oncall, "clients", "import", "--db", str(gate.db), "--format", "csv", "-",
                     stdin=client)  # fmt: skip
    gate.account.run(oncall, "ingest", "--db", str(gate.db), "-", stdin=json.dumps([alert]))
    console = Console(gate, "cara", tmp_path)
    try:
        console.wait_for("Asks for someone to talk to now")
        console.press("a", "Enter")  # claim it, then open its episode
        console.wait_for("Where is the client right now?")
        console.press("C-n")
        console.wait_for("Location not confirmed")
        console.press("n")
        console.wait_for("Add a note")
        console.press("-l", NOTE)
        console.wait_for("the garden.")
        # The phone loses its connection: the client dies without a word to the server.
        pid = subprocess.run(
            [*console.tmux, "display-message", "-p", "-t", "gate", "#{pane_pid}"],
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.strip()  # fmt: skip
        os.kill(int(pid), 9)
    finally:
        console.close()
    deadline = time.monotonic() + WAIT_S
    while "cara" not in gate.audit_actions("draft.kept"):
        assert time.monotonic() < deadline, "no draft was kept:\n" + gate.sshd.log()[-2000:]
        time.sleep(0.2)
    again = Console(gate, "cara", tmp_path)
    try:
        again.wait_for("Draft kept")
        again.press("e", "Enter")  # my open episodes: the one the note was for
        again.wait_for("Where is the client right now?")
        again.press("C-n")
        again.wait_for("Location not confirmed")
        again.press("n")
        again.wait_for("the garden.")  # filled back in
        again.press("C-s")
        deadline = time.monotonic() + WAIT_S
        while "cara" not in gate.audit_actions("draft.dropped"):
            assert time.monotonic() < deadline, f"the note was not saved:\n{again.screen()}"
            time.sleep(0.2)
    finally:
        again.close()
    python = gate.account.oncall.parent / "python"
    code = (
        "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
        " print(json.dumps([json.loads(r[0])['text'] for r in c.execute("
        " \"SELECT body FROM timeline_events WHERE kind='note'\")]))"
    )
    notes = json.loads(gate.account.run(str(python), "-c", code, str(gate.db)).stdout)
    assert NOTE in notes
