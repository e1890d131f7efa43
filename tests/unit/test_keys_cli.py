"""`oncall keys`: staff keys installed with the gate, others' lines untouched, all audited."""

from __future__ import annotations

import base64
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.store.audit import audit_entries
from oncall.store.db import connect

FOREIGN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwnVYcVpnTtUJxOuD4OKIvhmQZHhSA4oNxQ0E5hgIEs ops@x"


def _keygen(folder: Path, name: str, *kind: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-N", "", "-C", f"{name}@laptop", "-f", str(folder / name), *kind],
        check=True,
        capture_output=True,
    )
    return folder / f"{name}.pub"


def _sk_key(folder: Path) -> Path:
    """A FIDO2 ed25519 public key (made by hand: no hardware token here)."""

    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = field(b"sk-ssh-ed25519@openssh.com") + field(bytes(range(32))) + field(b"ssh:")
    path = folder / "token.pub"
    path.write_text(f"sk-ssh-ed25519@openssh.com {base64.b64encode(blob).decode()} yubikey\n")
    return path


def _fingerprint(public: Path) -> str:
    printed = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(public)], capture_output=True, text=True
    )
    return printed.stdout.split()[1]


@pytest.fixture
def team(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A database (this account is its admin) with clinician ann, and a keys file."""
    db = init_database(tmp_path / "team.db")
    assert (
        main(["staff", "add", "ann", "--name", "Ann", "--role", "clinician", "--db", str(db)]) == 0
    )
    keys = tmp_path / "ssh" / "authorized_keys"
    keys.parent.mkdir()
    keys.write_text(f"# the host's own entries\n{FOREIGN}\n")
    capsys.readouterr()
    return db, keys


def _keys(db: Path, keys: Path, *words: str) -> int:
    return main(["keys", *words, "--db", str(db), "--authorized-keys", str(keys)])


def test_accepted_keys_get_the_forced_gate_command_and_foreign_lines_stay(
    team: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, keys = team
    made = [
        _keygen(tmp_path, "ed", "-t", "ed25519"),
        _keygen(tmp_path, "ec", "-t", "ecdsa"),
        _keygen(tmp_path, "rsa", "-t", "rsa", "-b", "3072"),
        _sk_key(tmp_path),
    ]
    for public in made:
        assert _keys(db, keys, "add", "ann", str(public)) == 0, capsys.readouterr().err
    lines = keys.read_text().splitlines()
    assert lines[:2] == ["# the host's own entries", FOREIGN]
    program = Path(sys.executable).parent / "oncall"
    # Each line's forced command names its own key, so a session knows which key it rests on.
    assert lines[2:] == [
        f'command="{program} --db {db} gate ann --key {_fingerprint(p)}",restrict,pty '
        + p.read_text().strip()
        for p in made
    ]
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    capsys.readouterr()
    assert _keys(db, keys, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 5 and all(
        row.startswith("ann ") and " active " in row for row in listed[1:]
    )


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (["-t", "rsa", "-b", "2048"], "This RSA key has 2048 bits; at least 3072 are required"),
        (["-t", "dsa"], "DSA keys are refused"),
    ],
)
def test_weak_keys_are_refused_with_the_reason(
    team: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: list[str],
    reason: str,
) -> None:
    db, keys = team
    before = keys.read_text()
    assert _keys(db, keys, "add", "ann", str(_keygen(tmp_path, "weak", *kind))) == 1
    assert reason in capsys.readouterr().err
    assert keys.read_text() == before


def test_a_key_with_options_or_for_someone_unknown_is_refused(
    team: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, keys = team
    public = _keygen(tmp_path, "ed", "-t", "ed25519")
    sneaky = tmp_path / "sneaky.pub"
    sneaky.write_text('command="/bin/sh" ' + public.read_text())
    assert _keys(db, keys, "add", "ann", str(sneaky)) == 1
    assert _keys(db, keys, "add", "zed", str(public)) == 1
    err = capsys.readouterr().err
    assert "give the bare public key line" in err and "no staff member with the login zed" in err
    assert _keys(db, keys, "add", "ann", str(public)) == 0
    assert _keys(db, keys, "add", "ann", str(public)) == 1
    assert "already in" in capsys.readouterr().err


def test_revoke_by_login_or_fingerprint_and_deactivation_disables_keys(
    team: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, keys = team
    first = _keygen(tmp_path, "one", "-t", "ed25519")
    second = _keygen(tmp_path, "two", "-t", "ed25519")
    assert _keys(db, keys, "add", "ann", str(first)) == 0
    assert _keys(db, keys, "add", "ann", str(second)) == 0
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(first)], capture_output=True, text=True)
    fingerprint = printed.stdout.split()[1]
    assert _keys(db, keys, "revoke", fingerprint) == 0
    assert second.read_text().split()[1] in keys.read_text()
    assert first.read_text().split()[1] not in keys.read_text()
    staff = ["staff", "deactivate", "ann", "--db", str(db), "--authorized-keys", str(keys)]
    assert main(staff) == 0
    assert "Disabled 1 SSH key(s) of ann" in capsys.readouterr().out
    assert [line[:19] for line in keys.read_text().splitlines()][2:] == ["# oncall disabled: "]
    assert main(["staff", "activate", *staff[2:]]) == 0
    assert keys.read_text().splitlines()[2].startswith('command="')
    assert _keys(db, keys, "revoke", "ann") == 0
    assert keys.read_text() == f"# the host's own entries\n{FOREIGN}\n"
    assert _keys(db, keys, "revoke", "ann") == 1
    store = connect(db, create=False)
    try:
        with store.read() as conn:
            actions = [e.action for e in reversed(audit_entries(conn)) if "ssh_key" in e.action]
    finally:
        store.close()
    assert actions == ["ssh_key.added"] * 2 + [
        "ssh_key.revoked",
        "ssh_key.disabled",
        "ssh_key.enabled",
        "ssh_key.revoked",
    ]


def test_only_admins_manage_keys(
    team: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, keys = team
    main(["init", "--db", str(tmp_path / "other.db"), "--admin", "someone"])
    capsys.readouterr()
    os.chmod(tmp_path / "other.db", 0o600)
    # This account does own other.db, so it may manage keys as its service account ...
    public = _keygen(tmp_path, "ed", "-t", "ed25519")
    assert _keys(tmp_path / "other.db", keys, "add", "someone", str(public)) == 0
    # ... but the gate's login is the only identity behind the gate: ann is a clinician.
    from oncall.services import identity

    identity.act_as_gate_login("ann")
    try:
        assert _keys(db, keys, "list") == 1
    finally:
        identity.act_as_gate_login(None)
    assert "Only admins may manage SSH keys; ann is a clinician" in capsys.readouterr().err


def test_a_session_rests_on_the_key_its_line_names_and_older_lines_on_the_login(
    team: tuple[Path, Path], tmp_path: Path
) -> None:
    from oncall.services.access_watch import has_enabled_key
    from oncall.services.authorized_keys import GateKey, gate_command, read_lines

    db, keys = team
    first = _keygen(tmp_path, "one", "-t", "ed25519")
    second = _keygen(tmp_path, "two", "-t", "ed25519")
    assert _keys(db, keys, "add", "ann", str(first)) == 0
    assert _keys(db, keys, "add", "ann", str(second)) == 0
    one, two = _fingerprint(first), _fingerprint(second)
    # A line written before keys named themselves: no --key, the login's keys as a whole.
    older = f'command="/x/oncall --db {db} gate ann",restrict,pty ' + FOREIGN
    keys.write_text(keys.read_text() + older + "\n")
    parsed = [line for line in read_lines(keys) if isinstance(line, GateKey)]
    assert [(k.login, k.named_key) for k in parsed] == [("ann", one), ("ann", two), ("ann", None)]
    assert [k.named_key in (k.fingerprint, None) for k in parsed] == [True] * 3
    assert has_enabled_key(keys, "ann", one) and has_enabled_key(keys, "ann", two)
    assert _keys(db, keys, "revoke", one) == 0
    assert not has_enabled_key(keys, "ann", one)  # the session on the first key ends ...
    assert has_enabled_key(keys, "ann", two)  # ... one on the second goes on
    assert has_enabled_key(keys, "ann")  # and an older line's session: ann still has keys
    assert keys.read_text().endswith(older + "\n")  # the older line is kept as written
    with pytest.raises(ValueError, match="not a SHA256 key fingerprint"):
        gate_command(Path("/x/oncall"), db, "ann", "SHA256:x; rm -rf ~")
