"""`oncall init` is the only way to a new database; demo data stays out of a real clinic's."""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.domain.types import Role
from oncall.services.identity import resolve_staff
from oncall.store import people
from oncall.store.audit import audit_entries
from oncall.store.db import connect

ME = pwd.getpwuid(os.getuid()).pw_name


def _staff_and_audit(db: Path) -> tuple[dict[str, str], list[str]]:
    store = connect(db, create=False)
    try:
        with store.read() as conn:
            staff = {s.login: s.role.value for s in people.list_staff(conn)}
            return staff, [e.action for e in audit_entries(conn)]
    finally:
        store.close()


def test_init_creates_an_owner_only_database_with_the_named_admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "team" / "oncall.db"
    assert main(["init", "--db", str(db), "--admin", "alice", "--name", "Alice Admin"]) == 0
    assert f"Created {db}: alice (Alice Admin) is its admin." in capsys.readouterr().out
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert _staff_and_audit(db) == ({"alice": "admin"}, ["staff.first_admin"])


def test_init_defaults_to_the_invoking_account_and_never_takes_over_a_staffed_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "oncall.db"
    assert main(["init", "--db", str(db)]) == 0
    assert main(["init", "--db", str(db), "--admin", "mallory"]) == 1
    assert "already has staff" in capsys.readouterr().err
    assert _staff_and_audit(db)[0] == {ME: "admin"}


@pytest.mark.parametrize(
    "command",
    [["ingest", "ALERTS"], ["staff", "list"], ["rota"], ["report", "--since", "2026-11-01"], []],
    ids=["ingest", "staff", "rota", "report", "console"],
)
def test_no_other_command_creates_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "oncall.db"
    (tmp_path / "alerts.json").write_text("[]", encoding="utf-8")
    words = [str(tmp_path / "alerts.json") if w == "ALERTS" else w for w in command]
    assert main([*words[:1], "--db", str(db), *words[1:]]) == 1
    assert f"There is no database at {db}. Create one with: oncall init" in (
        capsys.readouterr().err
    )
    assert not db.exists()


def test_seed_refuses_a_database_with_real_staff_unless_an_admin_forces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = init_database(tmp_path / "clinic.db")
    assert main(["seed", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"has real staff ({ME})" in err and "--force" in err
    assert _staff_and_audit(db)[0] == {ME: "admin"}  # nothing synthetic was added
    assert main(["seed", "--db", str(db), "--force"]) == 0
    staff, actions = _staff_and_audit(db)
    assert "mreyes" in staff and "demo.forced_into_real_database" in actions


def test_a_forced_seed_by_someone_who_is_not_admin_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = init_database(tmp_path / "clinic.db", admin="alice")
    assert main(["seed", "--db", str(db), "--force"]) == 1
    assert f"The account '{ME}' is not on the staff list" in capsys.readouterr().err
    store = connect(db, create=False)
    try:
        with store.write() as conn:
            people.insert_staff(
                conn,
                login=ME,
                display_name="Me",
                role=Role.CLINICIAN.value,
                phone=None,
                active=True,
                created_at="2026-11-22T00:00:00+00:00",
            )
        assert main(["seed", "--db", str(db), "--force"]) == 1
        assert "Only an admin may add demo data" in capsys.readouterr().err
        with pytest.raises(Exception, match="not on the staff list"):
            resolve_staff(store, "mreyes")
    finally:
        store.close()


def test_seed_makes_a_demo_database_and_seeds_it_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    assert main(["seed", "--db", str(db), "--no-alerts"]) == 0
    assert main(["seed", "--db", str(db), "--no-alerts"]) == 0  # only demo staff: no refusal
    assert "demo" in _staff_and_audit(db)[0]


def test_init_names_the_admin_of_an_older_database_that_has_no_staff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.db"
    connect(db).close()  # as an older `oncall ingest` left it: tables, no staff
    assert main(["--db", str(db)]) == 1
    assert "has no staff yet" in capsys.readouterr().err
    assert main(["init", "--db", str(db), "--admin", "alice"]) == 0
    assert f"Named the first admin of {db}: alice" in capsys.readouterr().out
    assert _staff_and_audit(db)[0] == {"alice": "admin"}


def test_demo_refuses_a_real_clinics_database_before_opening_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = init_database(tmp_path / "clinic.db", admin="alice")
    assert main(["demo", "--no-feed", "--db", str(db)]) == 1
    assert "has real staff (alice)" in capsys.readouterr().err
    assert _staff_and_audit(db)[0] == {"alice": "admin"}
