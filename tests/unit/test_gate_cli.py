"""`oncall gate LOGIN`: only oncall's own commands, only those the role allows, as LOGIN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.services import identity
from oncall.store.audit import audit_entries
from oncall.store.db import connect


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """A team database: admin root-of-it, clinician cara, supervisor sam."""
    path = init_database(tmp_path / "team.db")
    for login, role in (("cara", "clinician"), ("sam", "supervisor")):
        add = ["staff", "add", login, "--name", login.title(), "--role", role, "--db", str(path)]
        assert main(add) == 0
    capsys.readouterr()
    yield path
    identity.act_as_gate_login(None)  # the gate fixes it for its process; tests share one


def _gate(db: Path, login: str, command: str | None, monkeypatch: pytest.MonkeyPatch) -> int:
    if command is None:
        monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    else:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
    return main(["--db", str(db), "gate", login])


def _gate_audit(db: Path) -> list[tuple[str, str, object]]:
    store = connect(db, create=False)
    try:
        with store.read() as conn:
            rows = reversed(audit_entries(conn))
            return [(e.actor, e.action, e.detail) for e in rows if e.action.startswith("gate.")]
    finally:
        store.close()


def test_a_clinicians_report_is_refused_and_a_supervisors_runs(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(db, "cara", "report --since 2026-11-01", monkeypatch) == 1
    out = capsys.readouterr()
    assert out.err == "oncall: 'report' is not allowed for a clinician.\n" and out.out == ""
    assert _gate(db, "sam", "report --since 2026-11-01 --format json", monkeypatch) == 0
    assert '"alerts"' in capsys.readouterr().out
    audited = _gate_audit(db)
    assert [(actor, action) for actor, action, _ in audited] == [
        ("cara", "gate.refused"),
        ("sam", "gate.session"),
    ]


@pytest.mark.parametrize(
    "command",
    ["sh", "cat /etc/passwd", "scp -t /tmp", "internal-sftp", "bash -c 'id'", "'unbalanced"],
)
def test_anything_but_oncall_is_refused_in_one_sentence_and_audited(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert _gate(db, "sam", command, monkeypatch) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and out.err.startswith("oncall: ")
    assert [action for _, action, _ in _gate_audit(db)] == ["gate.refused"]


@pytest.mark.parametrize(
    ("command", "sentence"),
    [
        ("report --since 2026-11-01 --db /tmp/other.db", "--db cannot be given here"),
        ("ingest /etc/shadow", "'ingest' runs only on the host"),
        ("keys list", "'keys list' is not allowed for a supervisor"),
        ("staff add eve --name Eve --role admin", "'staff add' is not allowed for a supervisor"),
        ("staff set-role cara admin", "'staff set-role' is not allowed for a supervisor"),
        ("rota import /etc/shadow", "'rota import' runs only on the host"),
        ("rota --days 3 import /etc/shadow", "'rota import' runs only on the host"),
        ("clients import /etc/shadow", "'clients' runs only on the host"),
        ("restore /tmp/old.db", "'restore' runs only on the host"),
    ],
)
def test_host_commands_fixed_options_and_admin_work_are_refused(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    sentence: str,
) -> None:
    assert _gate(db, "sam", command, monkeypatch) == 1
    assert sentence in capsys.readouterr().err


def test_identity_is_the_forced_commands_login_never_the_environment(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in ("USER", "LOGNAME", "USERNAME", "SUDO_USER"):
        monkeypatch.setenv(variable, "sam")
    assert _gate(db, "cara", "report --since 2026-11-01", monkeypatch) == 1
    assert "not allowed for a clinician" in capsys.readouterr().err


def test_unknown_and_deactivated_logins_are_refused(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["staff", "deactivate", "cara", "--db", str(db)]) == 0
    capsys.readouterr()
    assert _gate(db, "cara", "rota", monkeypatch) == 1
    assert "'cara' has been deactivated" in capsys.readouterr().err
    assert _gate(db, "zed", "rota", monkeypatch) == 1
    assert "'zed' is not on the staff list" in capsys.readouterr().err
    assert [actor for actor, _, _ in _gate_audit(db)] == ["cara", "zed"]


def test_no_command_without_a_terminal_is_refused(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(db, "cara", None, monkeypatch) == 1
    assert "The console needs a terminal" in capsys.readouterr().err


KEY = "SHA256:" + "Ab+/" * 10 + "xyz"  # the shape ssh-keygen -l prints: 43 characters


def test_the_key_a_line_names_is_read_and_anything_else_in_its_place_is_refused(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "rota")
    assert main(["--db", str(db), "gate", "cara", "--key", KEY]) == 0
    assert _gate_audit(db)[-1] == ("cara", "gate.session", {"command": "rota", "key": KEY})
    for wrong in ("SHA256:short", "MD5:" + "ab" * 16, KEY + "; sh"):
        with pytest.raises(SystemExit) as usage:
            main(["--db", str(db), "gate", "cara", "--key", wrong])
        assert usage.value.code == 2
        assert "expected a SHA256 key fingerprint" in capsys.readouterr().err


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("command", "board"), [(None, False), ("board", True)])
@pytest.mark.parametrize("key", [KEY, None], ids=["named", "older-line"])
def test_the_console_and_the_board_are_watched_on_the_key_their_line_names(
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str | None,
    board: bool,
    key: str | None,
) -> None:
    import sys
    from types import SimpleNamespace

    from oncall.commands import console, console_watch, keys

    authorized = tmp_path / "authorized_keys"
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIOwnVYcVpnTtUJxOuD4OKIvhmQZHhSA4oNxQ0E5hgIEs"
    authorized.write_text(
        f'command="/x/oncall --db {db} gate sam",restrict,pty ssh-ed25519 {blob}\n'
    )
    monkeypatch.setattr(keys, "keys_file", lambda args: authorized)
    terminal = SimpleNamespace(stdin=_Terminal(), stdout=_Terminal(), stderr=sys.stderr)
    monkeypatch.setattr("oncall.commands.gate.sys", terminal)
    watched: list[tuple[bool, Path | None, str | None]] = []

    def run_watched(app: object, *, keys_file: Path | None = None, key: str | None = None) -> int:
        watched.append((app.start_on_board, keys_file, key))  # type: ignore[attr-defined]
        app.services.store.close()  # type: ignore[attr-defined]
        return 0

    def unwatched(app: object) -> int:
        app.services.store.close()  # type: ignore[attr-defined]
        pytest.fail("the gate opened a console that nothing watches")

    monkeypatch.setattr(console_watch, "run_watched", run_watched)
    monkeypatch.setattr(console, "_run", unwatched)
    if command is None:
        monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    else:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
    words = ["--db", str(db), "gate", "sam", *(["--key", key] if key else [])]
    assert main(words) == 0
    assert watched == [(board, authorized, key)]


def test_the_board_needs_a_terminal_and_a_supervisor(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(db, "cara", "board", monkeypatch) == 1
    assert "'board' is not allowed for a clinician" in capsys.readouterr().err
    assert _gate(db, "sam", "board", monkeypatch) == 1
    assert "The board needs a terminal" in capsys.readouterr().err
