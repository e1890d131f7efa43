"""The database file: creation, migration, append-only tables, the audit chain."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from oncall.store import schema
from oncall.store.audit import append_audit, verify_chain
from oncall.store.db import connect
from oncall.store.errors import DatabaseUnavailable, SchemaTooNew


def test_new_database_is_owner_only_in_wal_mode(db_path: Path) -> None:
    store = connect(db_path)
    try:
        with store.write() as conn:
            append_audit(
                conn,
                at="2026-11-22T11:00:00.000000+00:00",
                actor="t",
                action="probe",
                object_type="test",
            )
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
        wal = db_path.with_name(db_path.name + "-wal")
        assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
        assert store.query("PRAGMA foreign_keys")[0][0] == 1
        assert store.query("PRAGMA synchronous")[0][0] == 2  # FULL
    finally:
        store.close()


def test_schema_reaches_latest_version(store: object) -> None:
    rows = store.query("SELECT MAX(version) FROM schema_version")  # type: ignore[attr-defined]
    assert rows[0][0] == schema.LATEST


def test_older_database_is_upgraded_in_place_keeping_its_data(db_path: Path) -> None:
    old = connect(db_path, migrate=False)
    schema.migrate(old, target=1)
    with old.write() as conn:
        conn.execute(
            "INSERT INTO resources (id, name, description, updated_at)"
            " VALUES ('r1', 'Harbor Detox', 'withdrawal management', '2026-01-01')"
        )
    old.close()
    store = connect(db_path)
    try:
        assert store.query("SELECT MAX(version) FROM schema_version")[0][0] == schema.LATEST
        found = store.query(
            "SELECT r.id FROM resources r JOIN resources_fts f ON f.rowid = r.rowid"
            " WHERE resources_fts MATCH 'detox'"
        )
        assert [r[0] for r in found] == ["r1"]
    finally:
        store.close()


def test_newer_database_is_refused_with_a_clear_message(db_path: Path) -> None:
    store = connect(db_path)
    with store.write() as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (schema.LATEST + 5,))
    store.close()
    with pytest.raises(SchemaTooNew, match="newer than this oncall understands"):
        connect(db_path)


def test_missing_database_without_create_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="There is no database"):
        connect(tmp_path / "absent.db", create=False)


@pytest.mark.parametrize("table", ["timeline_events", "audit_log"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_append_only_tables_refuse_update_and_delete(clinic: object, table: str, verb: str) -> None:
    from conftest import alert_record
    from oncall.services.alerts import acknowledge_alert, ingest_records

    ctx = clinic.ctx()  # type: ignore[attr-defined]
    report = ingest_records(ctx, [(1, alert_record())], origin="test")
    acknowledge_alert(ctx, report.accepted_ids[0])
    raw = sqlite3.connect(ctx.store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(verb.format(t=table))
    finally:
        raw.close()


def test_audit_chain_detects_a_changed_row(db_path: Path) -> None:
    store = connect(db_path)
    with store.write() as conn:
        for n in range(3):
            append_audit(
                conn,
                at=f"2026-11-22T11:00:0{n}.000000+00:00",
                actor="alice",
                action="client.viewed",
                object_type="client",
                object_id=n,
            )
        assert verify_chain(conn) == []
    store.close()
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    raw.commit()
    raw.close()
    store = connect(db_path)
    with store.read() as conn:
        assert verify_chain(conn) == ["audit row 2: contents do not match its hash"]
    store.close()
