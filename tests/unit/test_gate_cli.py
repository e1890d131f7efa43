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
