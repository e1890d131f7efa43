"""`oncall staff …` run as the OS account: who may do what, and what it leaves behind."""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Clinic
from init_support import init_database
from oncall.cli import main
from oncall.services import pin
from oncall.services.identity import AccountRefused, resolve_staff
from oncall.services.pin import PinOutcome
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.audit import audit_entries
from oncall.store.db import connect

ME = pwd.getpwuid(os.getuid()).pw_name


def _as(clinic: Clinic, role: str) -> None:
    """Make the OS account running the tests a staff member with `role`."""
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=ME,
            display_name="Test Operator",
            role=role,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )


def _run(db: Path, *args: str) -> int:
    return main(["staff", *args, "--db", str(db)])


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What getpass will answer, in order."""
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    yield answers


def test_a_new_database_starts_from_init_with_its_creator_as_admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "clinic.db"
    assert _run(db, "add", "mreyes", "--name", "Marisol Reyes", "--role", "clinician") == 1
    assert "There is no database at" in capsys.readouterr().err and not db.exists()
    assert main(["init", "--db", str(db)]) == 0
    assert _run(db, "add", "mreyes", "--name", "Marisol Reyes", "--role", "clinician") == 0
    assert _run(db, "list") == 0
    out = capsys.readouterr().out
    assert "Added mreyes (Marisol Reyes) as clinician." in out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:] if line.strip()}
    assert lines[ME][-4:] == ["admin", "yes", "not", "set"]
    assert lines["mreyes"][-4:] == ["clinician", "yes", "not", "set"]


def test_only_admins_manage_staff(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    _as(clinic, "supervisor")
    db = clinic.store.path
    assert _run(db, "add", "newbie", "--name", "New Person", "--role", "peer") == 1
    assert _run(db, "deactivate", "bob") == 1
    err = capsys.readouterr().err
    assert "Only admins may add staff" in err and "Only admins may deactivate staff" in err
    assert "Traceback" not in err
    assert resolve_staff(clinic.store, "bob").active


def test_deactivate_and_reactivate(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    _as(clinic, "admin")
    db = clinic.store.path
    assert _run(db, "deactivate", "bob") == 0
    with pytest.raises(AccountRefused, match="'bob' has been deactivated"):
        resolve_staff(clinic.store, "bob")
    assert _run(db, "deactivate", "bob") == 1
    assert "already deactivated" in capsys.readouterr().err
    assert _run(db, "activate", "bob") == 0
    assert resolve_staff(clinic.store, "bob").active
    with clinic.store.read() as conn:
        actions = [e.action for e in audit_entries(conn) if e.actor == ME]
    assert "staff.deactivated" in actions and "staff.reactivated" in actions


def test_the_last_admin_cannot_be_deactivated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = init_database(tmp_path / "clinic.db")
    _run(db, "add", "mreyes", "--name", "Marisol Reyes", "--role", "clinician")
    assert _run(db, "deactivate", ME) == 1
    assert "last active admin" in capsys.readouterr().err


def test_bad_input_names_what_was_wrong(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    _as(clinic, "admin")
    db = clinic.store.path
    assert _run(db, "add", "Bad Login", "--name", "X", "--role", "peer") == 1
    assert _run(db, "add", "alice", "--name", "Alice Again", "--role", "peer") == 1
    assert _run(db, "add", "zed", "--name", "Zed", "--role", "peer", "--phone", "call me") == 1
    assert _run(db, "deactivate", "nobody") == 1
    err = capsys.readouterr().err
    assert "is not an operating-system account name" in err
    assert "already a staff member with the login alice" in err
    assert "is not a phone number" in err
    assert "no staff member with the login nobody" in err
    with pytest.raises(SystemExit) as usage:
        _run(db, "add", "zed", "--name", "Zed", "--role", "janitor")
    assert usage.value.code == 2


def test_set_pin_asks_twice_and_stores_a_hash(clinic: Clinic, pins: list[str]) -> None:
    _as(clinic, "clinician")
    db = clinic.store.path
    pins.extend(["2468", "2469"])
    assert _run(db, "set-pin") == 2  # the two entries differ
    pins.extend(["12", "12"])
    assert _run(db, "set-pin") == 2  # too short
    pins.extend(["2468", "2468"])
    assert _run(db, "set-pin") == 0
    store = connect(db)
    try:
        with store.read() as conn:
            me = people.staff_by_login(conn, ME)
            assert me is not None
            state = accounts.pin_state(conn, me.id)
        assert state is not None and state.pin_hash and "2468" not in state.pin_hash
        assert pin.pin_matches("2468", state.pin_hash)
    finally:
        store.close()


def test_set_pin_for_someone_else_is_for_admins(
    clinic: Clinic, pins: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _as(clinic, "clinician")
    assert _run(clinic.store.path, "set-pin", "alice") == 1
    assert "Only admins may set another person's PIN" in capsys.readouterr().err
    assert pins == []  # refused before asking for a PIN


def test_a_supervisor_clears_a_lockout(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    _as(clinic, "supervisor")
    alice = clinic.ctx("alice")
    pin.set_pin(alice, "2468")
    for _ in range(5):
        pin.verify_pin(alice, "0000")
    assert _run(clinic.store.path, "unlock", "alice") == 0
    assert "Cleared the PIN lockout of alice" in capsys.readouterr().out
    assert pin.verify_pin(alice, "2468").outcome is PinOutcome.UNLOCKED
    assert _run(clinic.store.path, "unlock", "alice") == 0
    assert "was not locked out" in capsys.readouterr().out


def test_a_clinician_cannot_clear_a_lockout(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _as(clinic, "clinician")
    assert _run(clinic.store.path, "unlock", "bob") == 1
    assert "Only admins or supervisors may clear a PIN lockout" in capsys.readouterr().err


def test_an_unknown_account_is_refused_by_name(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(clinic.store.path, "list") == 1
    assert f"The account '{ME}' is not on the staff list" in capsys.readouterr().err
