"""`oncall ingest` with a worker process: the same batches, output and database as without.

A large file is read and validated in a forked worker while the command writes
(services/ingest_worker.py). The worker must change nothing but the speed, and a
worker that fails must stop the import cleanly after what it sent was saved.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ingest_fast_paths import usual  # the usual feed record

from init_support import init_database
from oncall.cli import main
from oncall.domain.record_stream import RawRecord
from oncall.services import ingest_worker
from oncall.services.ingest import PreparedBatch, prepare_batches
from oncall.store.audit import verify_chain

pytestmark = pytest.mark.skipif(
    not ingest_worker.worker_available(), reason="the worker needs Linux fork"
)


def feed(records: int) -> bytes:
    """JSON lines with resends, a changed resend, broken lines and a refused record."""
    lines = [json.dumps(usual(n)).encode() for n in range(records)]
    lines[5] = lines[2]  # an identical resend
    lines[7] = json.dumps(usual(3) | {"severity": "imminent"}).encode()  # a changed one
    lines[11] = b'{"id": "cut", "sou'
    lines[13] = json.dumps(usual(13) | {"kind": "sadness"}).encode()
    lines[17] = b"   "
    lines[19] = json.dumps(usual(19) | {"summary": "Anruf: Rückfall\u202e"}).encode()
    return b"\n".join(lines) + b"\n"


def batches(data: bytes, *, worker: bool) -> list[PreparedBatch]:
    """Every prepared batch of `data`, from a worker process or from this one."""
    with ingest_worker.prepared_batches(data, worker=worker) as prepared:
        return list(prepared)


def test_a_worker_prepares_exactly_the_batches_this_process_would() -> None:
    data = feed(9_000)  # batches of 1,000, 2,000, 4,000 and the rest
    here = batches(data, worker=False)
    assert [len(b.alerts) + len(b.rejected) for b in here] == [1000, 2000, 4000, 1999]
    assert batches(data, worker=True) == here


def run_ingest(tmp_path: Path, data: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `oncall ingest` on `data`; the exit code and stdout + stderr."""
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(data)
    if not (tmp_path / "oncall.db").exists():
        init_database(tmp_path / "oncall.db")
    code = main(["ingest", "--db", str(tmp_path / "oncall.db"), str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def stored(db: Path) -> list[tuple[object, ...]]:
    """Each stored alert with its audit row (the chain verified), in id order."""
    conn = sqlite3.connect(db)
    try:
        assert verify_chain(conn) == []
        return conn.execute(
            "SELECT a.id, a.source, a.external_id, a.severity, a.location, a.handoff, a.raw,"
            " l.object_id, l.detail FROM alerts a JOIN audit_log l"
            " ON l.object_id = CAST(a.id AS TEXT) AND l.action = 'alert.created' ORDER BY a.id"
        ).fetchall()
    finally:
        conn.close()


def test_the_command_with_a_worker_says_and_stores_what_it_does_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = feed(3_000)
    monkeypatch.setattr(ingest_worker, "WORKER_MIN_BYTES", 10**12)
    (tmp_path / "alone").mkdir()
    alone = run_ingest(tmp_path / "alone", data, capsys)
    monkeypatch.setattr(ingest_worker, "WORKER_MIN_BYTES", 0)
    (tmp_path / "worker").mkdir()
    forked = run_ingest(tmp_path / "worker", data, capsys)
    assert forked == alone
    code, out = forked
    assert code == 1
    assert out.startswith("2995 accepted, 2 duplicate, 2 rejected")
    assert "duplicate record 8, line 8 (feed-0000003): already stored with a different" in out
    assert stored(tmp_path / "worker" / "oncall.db") == stored(tmp_path / "alone" / "oncall.db")


def _failing(records: Iterator[RawRecord]) -> Iterator[PreparedBatch]:
    """Prepares the first batch, then fails as a bug in the worker would."""
    yield next(prepare_batches(records))
    raise RuntimeError("a bug, with a client's name in its message")


def test_a_worker_that_fails_stops_the_import_after_what_it_sent_was_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_worker, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_worker, "prepare_batches", _failing)
    code, out = run_ingest(tmp_path, feed(3_000), capsys)
    assert code == 1
    assert out.startswith("996 accepted, 2 duplicate, 2 rejected")
    assert "oncall: Reading the file failed (RuntimeError). Records 1 to 1000 were saved" in out
    assert "client's name" not in out and "Traceback" not in out
    assert len(stored(tmp_path / "oncall.db")) == 996
    # Run again without the fault: the rest comes in, nothing twice.
    monkeypatch.undo()
    code, out = run_ingest(tmp_path, feed(3_000), capsys)
    assert out.startswith("1999 accepted, 998 duplicate, 2 rejected")
