"""Identity: the OS account of the process (its real uid), mapped to an active staff row."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Clinic
from init_support import init_database
from oncall.cli import main, make_app
from oncall.config import Settings
from oncall.domain.types import Role
from oncall.services.identity import AccountRefused, resolve_console_user, resolve_staff
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.audit import audit_entries
from oncall.store.db import Store, connect

ME = pwd.getpwuid(os.getuid()).pw_name


def test_a_database_without_staff_makes_nobody_admin_and_points_to_init(store: Store) -> None:
    with pytest.raises(AccountRefused, match=r"has no staff yet.*oncall init"):
        resolve_console_user(store)
    with store.read() as conn:
        assert accounts.count_staff(conn) == 0
        assert audit_entries(conn) == []


def test_an_unknown_account_is_refused_by_name(clinic: Clinic) -> None:
    with pytest.raises(AccountRefused) as refused:
        resolve_console_user(clinic.store)
    assert f"'{ME}'" in str(refused.value) and "oncall staff add" in str(refused.value)
    with clinic.store.read() as conn:
        assert people.staff_by_login(conn, ME) is None  # no admin made on a staffed database


def test_environment_variables_do_not_change_who_you_are(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("USER", "LOGNAME", "USERNAME", "SUDO_USER"):
        monkeypatch.setenv(variable, "sue")
    with pytest.raises(AccountRefused, match=f"'{ME}'"):
        resolve_console_user(clinic.store)


def test_an_inactive_account_is_refused_by_name(clinic: Clinic) -> None:
    with clinic.store.write() as conn:
        accounts.set_active(conn, clinic.staff["bob"].id, False)
    with pytest.raises(AccountRefused, match="'bob' has been deactivated"):
        resolve_staff(clinic.store, "bob")
    assert resolve_staff(clinic.store, "alice").login == "alice"


def test_the_console_acts_as_the_os_account_or_the_given_demo_user(tmp_path: Path) -> None:
    settings = Settings(db_path=init_database(tmp_path / "new.db"))
    app = make_app(settings)
    try:
        assert (app.services.actor.login, app.services.actor.role) == (ME, Role.ADMIN)
    finally:
        app.services.store.close()
    app = make_app(settings, actor=ME)
    try:
        assert app.services.actor.login == ME
    finally:
        app.services.store.close()


def test_the_console_refuses_an_unknown_account_without_a_traceback(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(clinic.store.path)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"'{ME}' is not on the staff list" in err and "Traceback" not in err


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncall.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ONCALL_LOG_DIR": str(Path(args[-1]).parent / "logs")},
    )


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads a chmod 000 file anyway; see the two cases below"
)
def test_a_database_you_may_not_read_is_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    connect(path).close()
    path.chmod(0)
    try:
        result = _run_cli("report", "--since", "2026-11-01", "--db", str(path))
    finally:
        path.chmod(0o600)
    assert result.returncode == 1
    assert "You do not have permission to read and write the database" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_file_that_is_not_a_database_is_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages of a SQLite database" * 200)
    result = _run_cli("report", "--since", "2026-11-01", "--db", str(path))
    assert result.returncode == 1
    assert f"The database {path} cannot be used" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_directory_in_place_of_the_database_is_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "folder.db"
    path.mkdir()
    result = _run_cli("--db", str(path))
    assert result.returncode == 1
    assert str(path) in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_inits_at_once_make_exactly_one_database_and_one_admin(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "oncall.cli", "init", "--db", str(path), "--admin", login],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for login in ("ann", "ben", "cat", "dan")
    ]
    results = [(run.wait(timeout=60), *run.communicate()) for run in runs]
    winners = [out for code, out, _ in results if code == 0]
    assert len(winners) == 1, results
    assert all("already has staff" in err for code, _, err in results if code != 0), results
    store = connect(path, create=False)
    try:
        with store.read() as conn:
            assert accounts.count_staff(conn) == 1
            assert [e.action for e in audit_entries(conn)] == ["staff.first_admin"]
    finally:
        store.close()
