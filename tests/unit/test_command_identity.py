"""Every command needs an identity allowed to run it (issue 16, point 9).

Service-side commands run only as the service account (the OS account that owns the
database file) or an active admin, audited as "service:ACCOUNT (COMMAND)"; staff commands
only as active staff. The process's account is faked as the identity tests do it: the
real user id (`os.getuid`) and its passwd entry, never an environment variable.
"""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import Clinic
from oncall.cli import main
from oncall.commands import worker
from oncall.domain.types import Role
from oncall.services import identity
from oncall.services.audit_anchors import anchors_path
from oncall.store import people

OWNER = pwd.getpwuid(os.getuid()).pw_name
"""The account running the tests: it made the database file, so it is the service account."""
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _act_as(monkeypatch: pytest.MonkeyPatch, login: str, uid: int = 4242) -> None:
    """Make the process's real user id an account named `login` that owns nothing here."""
    real = pwd.getpwuid
    entry = pwd.struct_passwd((login, "x", uid, uid, login, "/nonexistent", "/bin/sh"))
    monkeypatch.setattr(os, "getuid", lambda: uid)
    monkeypatch.setattr(pwd, "getpwuid", lambda n: entry if n == uid else real(n))


def _add_admin(clinic: Clinic, login: str = "ada") -> None:
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=login,
            display_name="Ada Admin",
            role=Role.ADMIN.value,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )


def _rows(db: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _alert_file(tmp_path: Path) -> Path:
    record = {
        "id": "forged-1",
        "source": "hotline",
        "client_ref": "C-2",
        "kind": "suicidal_ideation",
        "severity": "imminent",
        "summary": "Forged by an account that is not staff",
        "occurred_at": "2026-11-22T03:14:00-08:00",
    }
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The worker's dispatcher replaced: it records who it would dispatch as, and stops."""
    actors: list[str] = []

    async def serve(ctx: Any, timing: Any) -> Any:
        actors.append(ctx.actor.login)
        return SimpleNamespace(holder="test", steps_taken=0, hooks=())

    monkeypatch.setattr(worker, "_serve", serve)
    monkeypatch.setattr(worker, "_configure_logging", lambda: None)  # no handler left behind
    return actors


def _words(command: str, tmp_path: Path, db: Path) -> list[str]:
    resources = tmp_path / "resources.json"
    services = json.loads((FIXTURES / "resources.json").read_text(encoding="utf-8"))
    resources.write_text(json.dumps(services[4:5]), encoding="utf-8")
    backup = tmp_path / "made-by-the-service.db"
    if command == "restore" and not backup.exists():
        assert main(["backup", "--db", str(db), str(backup)]) == 0
    return {
        "ingest": ["ingest", str(_alert_file(tmp_path))],
        "feeds": ["feeds"],
        "worker": ["worker"],
        "resources import": ["resources", "import", str(resources)],
        "resources sync": ["resources", "sync", "http://127.0.0.1:9/hsds"],
        "backup": ["backup", str(tmp_path / "stolen.db")],
        "restore": ["restore", str(backup)],
        "audit anchor": ["audit", "anchor"],
    }[command] + ["--db", str(db)]


SERVICE_COMMANDS = [
    "ingest",
    "feeds",
    "worker",
    "resources import",
    "resources sync",
    "backup",
    "restore",
    "audit anchor",
]


@pytest.mark.parametrize("command", SERVICE_COMMANDS)
def test_a_service_command_refuses_an_account_that_neither_owns_the_database_nor_is_admin(
    clinic: Clinic,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    served: list[str],
) -> None:
    db = clinic.store.path
    words = _words(command, tmp_path, db)
    audit_rows = _rows(db, "SELECT COUNT(*) FROM audit_log")
    capsys.readouterr()
    for login in ("mallory", "bob"):  # not staff at all; a clinician, not an admin
        _act_as(monkeypatch, login)
        code = main(words)
        err = capsys.readouterr().err
        assert code == 1, err
        assert f"account '{login}' is neither" in err and f"({OWNER})" in err
        assert "Traceback" not in err
    assert _rows(db, "SELECT COUNT(*) FROM audit_log") == audit_rows
    assert _rows(db, "SELECT COUNT(*) FROM alerts") == [(0,)]
    assert not (tmp_path / "stolen.db").exists() and served == []


def test_the_service_account_is_audited_by_its_name_and_the_command(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[str]
) -> None:
    db = clinic.store.path
    assert main(_words("ingest", tmp_path, db)) == 0
    assert main(_words("backup", tmp_path, db)) == 0
    assert main(_words("worker", tmp_path, db)) == 0
    rows = _rows(db, "SELECT actor, action FROM audit_log ORDER BY id")
    assert (f"service:{OWNER} (ingest)", "alert.created") in rows
    assert (f"service:{OWNER} (backup)", "database.backup") in rows
    assert not any(actor in ("ingest", "worker", OWNER) for actor, _ in rows)
    assert served == [f"service:{OWNER} (worker)"]


def test_an_active_admin_may_run_a_service_command_audited_by_their_account(
    clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_admin(clinic)
    _act_as(monkeypatch, "ada")
    assert main(_words("ingest", tmp_path, clinic.store.path)) == 0
    actors = _rows(clinic.store.path, "SELECT actor FROM audit_log WHERE action = 'alert.created'")
    assert actors == [("service:ada (ingest)",)]


def test_the_rota_is_for_staff_and_the_service_account(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    words = ["rota", "--db", str(clinic.store.path), "--from", "2026-11-22"]
    assert main(words) == 0  # the service account, at the host
    assert "Alice Rivera" in capsys.readouterr().out
    _act_as(monkeypatch, "pat")  # a peer specialist on the staff list
    assert main(words) == 0
    assert "Alice Rivera" in capsys.readouterr().out
    _act_as(monkeypatch, "mallory")
    assert main(words) == 1
    captured = capsys.readouterr()
    assert "'mallory' is not on the staff list" in captured.err
    assert "Alice Rivera" not in captured.out


def test_the_service_account_restores_a_backup_and_is_audited(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = clinic.store.path
    words = _words("restore", tmp_path, db)
    clinic.store.close()  # a restore is refused while the database is open
    assert main(words) == 0, capsys.readouterr().err
    actors = _rows(db, "SELECT actor FROM audit_log WHERE action = 'database.restored'")
    assert actors == [(f"service:{OWNER} (restore)",)]


def test_through_the_gate_even_a_supervisor_cannot_anchor_the_audit_log(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = clinic.store.path
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "audit anchor")
    try:
        assert main(["--db", str(db), "gate", "sue"]) == 1
    finally:
        identity.act_as_gate_login(None)  # the gate fixes it for its process; tests share one
    assert "'audit anchor' runs only on the host, by the service account" in capsys.readouterr().err
    assert not anchors_path(db).exists()
    refused = _rows(db, "SELECT actor, action FROM audit_log WHERE action LIKE 'gate.%'")
    assert refused == [("sue", "gate.refused")]
