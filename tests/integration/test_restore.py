"""`oncall restore BACKUP`: checked first, never under an open database, the old file kept."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM staff").fetchone()
print("open", flush=True)
time.sleep(60)
"""


def _logins(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT login FROM staff ORDER BY login")]
    finally:
        conn.close()


@pytest.fixture
def backed_up(tmp_path: Path) -> tuple[Path, Path]:
    """A database with one clinician, its backup, and then a second clinician added."""
    db = init_database(tmp_path / "oncall.db")
    assert (
        main(["staff", "add", "mreyes", "--name", "M R", "--role", "clinician", "--db", str(db)])
        == 0
    )
    backup = tmp_path / "before.db"
    assert main(["backup", str(backup), "--db", str(db)]) == 0
    assert (
        main(["staff", "add", "jkim", "--name", "J K", "--role", "clinician", "--db", str(db)]) == 0
    )
    return db, backup


def test_restore_puts_the_backup_in_place_keeps_the_old_file_and_audits(
    backed_up: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "integrity ok, audit chain of" in out
    assert "jkim" not in _logins(db) and "mreyes" in _logins(db)
    (kept,) = db.parent.glob("oncall.db.replaced-*")
    assert "jkim" in _logins(kept)  # the replaced database is whole on its own
    assert str(kept) in out
    conn = sqlite3.connect(db)
    assert conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'database.restored'"
    ).fetchone() == (1,)
    conn.close()
    assert main(["audit", "--verify", "--db", str(db)]) == 0
    assert db.stat().st_mode & 0o077 == 0


def test_restore_refuses_while_another_process_has_the_database_open(
    backed_up: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        capsys.readouterr()
        assert main(["restore", str(backup), "--db", str(db)]) == 1
        err = capsys.readouterr().err
        assert f"pid {holder.pid}" in err and "Nothing was changed" in err
        assert "jkim" in _logins(db)
        assert not list(db.parent.glob("oncall.db.replaced-*"))
    finally:
        holder.kill()
        holder.wait()
    assert main(["restore", str(backup), "--db", str(db)]) == 0  # once it has gone


def test_a_backup_with_an_altered_audit_log_or_not_a_database_is_refused(
    backed_up: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    tampered = backup.with_name("tampered.db")
    shutil.copy(backup, tampered)
    conn = sqlite3.connect(tampered)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 1")
    conn.commit()
    conn.close()
    junk = backup.with_name("junk.db")
    junk.write_bytes(b"not a database at all" * 100)
    for bad, reason in ((tampered, "audit log was altered"), (junk, "not an oncall database")):
        capsys.readouterr()
        assert main(["restore", str(bad), "--db", str(db)]) == 1
        assert reason in capsys.readouterr().err
    assert "jkim" in _logins(db)
    # Nothing replaced: no kept copy either.
    assert not list(db.parent.glob("oncall.db.replaced-*"))
