"""`oncall backup`: consistent owner-only copies of a database another process is writing."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oncall.cli import main
from oncall.store.audit import verify_chain
from oncall.store.db import connect
from oncall.store.schema import LATEST, migrate

WRITER = r"""
import sys, time
from oncall.clock import SystemClock
from oncall.commands.common import system_actor
from oncall.services.alerts import ingest_records
from oncall.services.context import ServiceContext
from oncall.store.db import connect

store = connect(sys.argv[1])
ctx = ServiceContext(store, system_actor("writer"), SystemClock())
deadline, n = time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < deadline:
    batch = [(k, {"id": f"w-{k}", "source": "writer", "client_ref": "C-1", "kind": "craving",
                  "severity": "low", "summary": "Synthetic", "occurred_at": "2026-11-22T03:14:00Z"})
             for k in range(n, n + 50)]
    n += ingest_records(ctx, batch, origin="writer").accepted
print(n)
"""


def oncall(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the `oncall` command line in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "oncall.cli", *args], capture_output=True, text=True, timeout=120
    )


def snapshot(path: Path) -> tuple[int, str]:
    """Alerts in a backup (checked whole and consistent) and its journal mode."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert verify_chain(conn) == []
        alerts = conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.created'"
        ).fetchone()[0]
        assert alerts == audited  # one moment's snapshot: no alert without its audit row
        return int(alerts), str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_backups_taken_while_another_process_writes_are_whole_and_owner_only(
    tmp_path: Path,
) -> None:
    db = tmp_path / "oncall.db"
    connect(db).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), "4"], stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while snapshot_count(db) == 0:  # the writer has started writing
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        counts = []
        for n in range(3):
            target = tmp_path / f"backup-{n}.db"
            done = oncall("backup", "--db", str(db), str(target))
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith(f"Backed up {db} to {target}: ")
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            assert not Path(f"{target}-wal").exists() and not Path(f"{target}-journal").exists()
            count, mode = snapshot(target)
            assert mode == "delete"  # one self-contained file
            counts.append(count)
            time.sleep(0.3)
    finally:
        written, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    assert counts == sorted(counts) and counts[0] < counts[-1] <= int(written), counts
    # The copy is a working database, and the backups are in the source's audit log.
    connect(tmp_path / "backup-2.db").close()
    conn = sqlite3.connect(db)
    logged = [
        json.loads(d)["to"]
        for (d,) in conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'database.backup' ORDER BY id"
        )
    ]
    conn.close()
    assert logged == [str((tmp_path / f"backup-{n}.db").resolve()) for n in range(3)]


def snapshot_count(db: Path) -> int:
    """Alerts in the live database so far."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
    finally:
        conn.close()


def test_a_folder_gets_a_time_stamped_backup(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    connect(db).close()
    folder = tmp_path / "backups"
    folder.mkdir()
    assert oncall("backup", "--db", str(db), str(folder)).returncode == 0
    (made,) = folder.iterdir()
    assert made.name.startswith("oncall-") and made.suffix == ".db"
    assert snapshot(made) == (0, "delete")


def test_an_older_database_is_copied_as_it_is_not_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store = connect(db, migrate=False)
    migrate(store, target=2)
    store.close()
    assert main(["backup", "--db", str(db), str(tmp_path / "copy.db")]) == 0
    for path in (db, tmp_path / "copy.db"):
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 2 < LATEST
        conn.close()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("taken.db", "already exists; a backup never overwrites a file"),
        ("missing/b.db", "missing does not exist."),
        ("oncall.db", "The backup cannot be the database itself."),
    ],
)
def test_refusals_are_usage_errors_that_touch_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    db = tmp_path / "oncall.db"
    connect(db).close()
    (tmp_path / "taken.db").write_bytes(b"keep me")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["backup", "--db", str(db), str(tmp_path / target)]) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_missing_database_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", "--db", str(tmp_path / "none.db"), str(tmp_path / "b.db")]) == 2
    assert capsys.readouterr().err == f"oncall: There is no database at {tmp_path / 'none.db'}.\n"
    assert list(tmp_path.iterdir()) == []
