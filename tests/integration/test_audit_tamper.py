"""Issue 16 item 2: the audit log cannot be rewritten unseen.

The chain is keyed (an HMAC under DB.auditkey, made by `oncall init`), `--verify` checks
the row ids and the append-only triggers, and the head is anchored outside the database
(`oncall audit anchor`, and the worker's dispatcher every few minutes), so the two
rewrites that passed before are caught: the last 20 rows deleted, and rows deleted with
the chain recomputed by oncall's own (unkeyed) hash function. Real SQLite files, the CLI.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from local_http import Receiver, serving

from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import system_actor
from oncall.scheduler.hooks import builtin_hooks
from oncall.services.context import ServiceContext
from oncall.store.audit import GENESIS, append_audit, chain_material
from oncall.store.db import connect

AT = "2026-12-04T10:00:00.000000+00:00"


def _init(tmp_path: Path) -> Path:
    db = tmp_path / "oncall.db"
    assert main(["init", "--db", str(db)]) == 0
    return db


def _views(db: Path, count: int) -> None:
    """`count` audited views, as every service writes them."""
    store = connect(db, create=False)
    try:
        for number in range(count):
            with store.write() as conn:
                append_audit(
                    conn,
                    at=AT,
                    actor="alice",
                    action="client.viewed",
                    object_type="client",
                    object_id=number,
                )
    finally:
        store.close()


def _unguarded(db: Path) -> tuple[sqlite3.Connection, list[str]]:
    """A raw connection with the append-only triggers dropped (what someone with the
    file does first), and their SQL to put them back afterwards."""
    raw = sqlite3.connect(db, isolation_level=None)
    triggers = [
        sql
        for (sql,) in raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    ]
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("DROP TRIGGER audit_log_no_delete")
    return raw, triggers


def _put_back(raw: sqlite3.Connection, triggers: list[str]) -> None:
    for sql in triggers:
        raw.execute(sql)
    raw.close()


def _recompute_with_the_plain_hash(raw: sqlite3.Connection) -> None:
    """Renumber the rows 1, 2, 3… and rehash the chain with oncall's own unkeyed hash."""
    rows = raw.execute(
        "SELECT id, at, actor, action, object_type, object_id, client_id, detail"
        " FROM audit_log ORDER BY id"
    ).fetchall()
    prev = GENESIS
    for new_id, (old_id, *fields) in enumerate(rows, start=1):
        material = chain_material(prev, *fields)
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
        raw.execute(
            "UPDATE audit_log SET id = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (new_id, prev, digest, old_id),
        )
        prev = digest


def _verify(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "--verify", "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_init_keys_the_chain_and_verify_says_everything_it_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _init(tmp_path)
    key = db.with_name("oncall.db.auditkey")
    assert f"Its audit log is keyed with {key}" in capsys.readouterr().out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    _views(db, 3)
    hashes = [row[0] for row in sqlite3.connect(db).execute("SELECT hash FROM audit_log")]
    assert hashes and all(h.startswith("hmac:") for h in hashes)
    assert main(["audit", "anchor", "--db", str(db)]) == 0
    assert f"Anchored audit row {len(hashes)} in {db}.auditanchors" in capsys.readouterr().out
    code, out = _verify(db, capsys)
    assert code == 0, out
    assert "the append-only triggers are in place, and it agrees with every anchor (1)" in out
    assert f"rows 1-{len(hashes)} are all there" in out
    assert "no audit key" not in out


def test_the_last_20_rows_deleted_are_reported_against_the_anchor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _init(tmp_path)
    _views(db, 30)
    assert main(["audit", "anchor", "--db", str(db)]) == 0
    raw, triggers = _unguarded(db)
    (last,) = raw.execute("SELECT MAX(id) FROM audit_log").fetchone()
    raw.execute("DELETE FROM audit_log WHERE id > ?", (last - 20,))
    _put_back(raw, triggers)
    capsys.readouterr()
    code, out = _verify(db, capsys)
    assert code == 1
    assert f"the audit log ends at row {last - 20}, but row {last} was anchored at" in out
    assert "at least 20 rows at its end were deleted" in out


def test_rows_deleted_and_the_chain_recomputed_with_the_plain_hash_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _init(tmp_path)
    _views(db, 10)
    raw, triggers = _unguarded(db)
    raw.execute("DELETE FROM audit_log WHERE id IN (4, 5, 6)")
    _recompute_with_the_plain_hash(raw)
    _put_back(raw, triggers)
    capsys.readouterr()
    code, out = _verify(db, capsys)
    assert code == 1
    assert "no audit row is keyed, though the key" in out
    assert "The audit log is intact" not in out


def test_a_rewrite_after_the_key_was_made_is_reported_row_by_row(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    # An older database: its first rows are unkeyed; verify says so and how to key it.
    db = clinic.store.path
    _as_admin(clinic)
    _views(db, 3)
    code, out = _verify(db, capsys)
    assert code == 0
    assert f"This database has no audit key ({db}.auditkey)" in out
    assert f"oncall audit key --db {db}" in out
    assert main(["audit", "key", "--db", str(db)]) == 0
    assert f"Created the audit key {db}.auditkey" in capsys.readouterr().out
    _views(db, 3)
    code, out = _verify(db, capsys)
    assert code == 0 and "no audit key" not in out, out
    # Someone edits a keyed row and rehashes it, and the rest, with the plain hash.
    raw, triggers = _unguarded(db)
    (first_keyed,) = raw.execute(
        "SELECT MIN(id) FROM audit_log WHERE hash LIKE 'hmac:%'"
    ).fetchone()
    raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = ?", (first_keyed + 1,))
    _recompute_with_the_plain_hash(raw)
    _put_back(raw, triggers)
    code, out = _verify(db, capsys)
    assert code == 1
    assert "no audit row is keyed, though the key" in out


def test_a_gap_in_the_ids_and_a_missing_trigger_are_reported(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    db = clinic.store.path
    _as_admin(clinic)
    _views(db, 8)
    raw, triggers = _unguarded(db)
    (last,) = raw.execute("SELECT MAX(id) FROM audit_log").fetchone()
    raw.execute("DELETE FROM audit_log WHERE id IN (?, ?)", (last - 3, last - 2))
    # The survivors are relinked with the plain hash, but keep their ids.
    rows = raw.execute(
        "SELECT id, at, actor, action, object_type, object_id, client_id, detail"
        " FROM audit_log ORDER BY id"
    ).fetchall()
    prev = GENESIS
    for row_id, *fields in rows:
        digest = hashlib.sha256(chain_material(prev, *fields).encode()).hexdigest()
        raw.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id)
        )
        prev = digest
    _put_back(raw, [sql for sql in triggers if "audit_log_no_update" in sql])
    code, out = _verify(db, capsys)
    assert code == 1
    assert f"audit rows {last - 3}-{last - 2} are missing (the ids have a gap)" in out
    assert "the append-only trigger audit_log_no_delete is missing" in out


def test_the_dispatcher_anchors_the_head_every_few_minutes_and_posts_it(
    clinic: Clinic, tmp_path: Path
) -> None:
    receiver = Receiver()
    log_host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a syslog host over UDP
    log_host.bind(("127.0.0.1", 0))
    log_host.settimeout(5)
    with serving(receiver) as server, log_host:
        clinic.settings = replace(
            clinic.settings,
            audit_anchor_minutes=5.0,
            audit_anchor_url=server.url("/anchors"),
            audit_anchor_syslog=f"127.0.0.1:{log_host.getsockname()[1]}",
        )
        ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, clinic.settings)
        anchor = builtin_hooks()["audit anchor"]
        _views(clinic.store.path, 1)
        anchor(ctx, clinic.clock.now())
        _views(clinic.store.path, 2)
        clinic.clock.advance(timedelta(minutes=1))
        anchor(ctx, clinic.clock.now())  # not yet due
        clinic.clock.advance(timedelta(minutes=5))
        anchor(ctx, clinic.clock.now())
        anchor(ctx, clinic.clock.now())  # unchanged head: nothing more
        logged = [log_host.recv(2048).decode() for _ in range(2)]
    lines = Path(f"{clinic.store.path}.auditanchors").read_text().splitlines()
    heads = [json.loads(line)["row"] for line in lines]
    (last,) = clinic.store.query("SELECT MAX(id) FROM audit_log")[0]
    assert len(heads) == 2 and heads[1] == last and heads[0] == last - 2
    posted = [request.json() for request in server.requests]
    assert [p["anchor"]["row"] for p in posted] == heads
    assert posted[1]["database"] == str(clinic.store.path)
    assert [line.split(" row=")[1].split()[0] for line in logged] == [str(h) for h in heads]
    assert logged[1].startswith("<85>oncall[")  # authpriv.notice
    assert (
        f"db={clinic.store.path} " in logged[1]
        and f"hash={json.loads(lines[1])['hash']}" in logged[1]
    )


def _as_admin(clinic: Clinic) -> None:
    import os
    import pwd

    from oncall.store import people

    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Privacy Officer",
            role="admin",
            phone=None,
            active=True,
            created_at=AT,
        )


def test_a_keyed_backup_is_restored_with_the_key_and_refused_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _init(tmp_path)
    _views(db, 3)
    backup = tmp_path / "before.db"
    assert main(["backup", str(backup), "--db", str(db)]) == 0
    assert f"The audit key {db}.auditkey is not in the backup" in capsys.readouterr().out
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    capsys.readouterr()
    # A host without the key cannot check the keyed rows: the backup is not restored.
    assert main(["restore", str(backup), "--db", str(elsewhere / "oncall.db")]) == 1
    err = capsys.readouterr().err
    assert "keyed audit rows (from row 1) cannot be checked: the audit key was not found" in err
    assert not (elsewhere / "oncall.db").exists()
    # Beside its key it is checked and restored; the anchors made since are set aside
    # (the restored log ends before them), so verify does not call that a deletion.
    _views(db, 5)
    assert main(["audit", "anchor", "--db", str(db)]) == 0
    assert main(["restore", str(backup), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "audit chain of" in out
    (kept,) = tmp_path.glob("oncall.db.auditanchors.replaced-*")
    assert f"Its audit anchors are kept as {kept}" in out
    code, out = _verify(db, capsys)
    assert code == 0, out
