"""Issue 16 item 8: CR-only lines, leading NULs, duplicate keys and NaN in `oncall ingest`.

Real files through the real command; what the database holds is read back with sqlite3.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from local_http import Reply, serving
from test_feed_poller import alert_ids, poller, quarantined

from conftest import Clinic
from init_support import init_database
from oncall.cli import main


def rec(**fields: object) -> dict[str, object]:
    """A valid feed record with fields added or replaced."""
    return {
        "id": "ok-1",
        "source": "hotline",
        "client_ref": "C-1042",
        "kind": "suicidal_ideation",
        "severity": "high",
        "summary": "Synthetic caller",
        "occurred_at": "2026-11-22T03:14:00-08:00",
        **fields,
    }


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes) -> tuple[int, str]:
    """`oncall ingest` on `data` written to a real file: the exit code and the output."""
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(data)
    if not (tmp_path / "oncall.db").exists():
        init_database(tmp_path / "oncall.db")
    code = main(["ingest", "--db", str(tmp_path / "oncall.db"), str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def external_ids(tmp_path: Path) -> list[str]:
    conn = sqlite3.connect(tmp_path / "oncall.db")
    try:
        return [r[0] for r in conn.execute("SELECT external_id FROM alerts ORDER BY id")]
    finally:
        conn.close()


def test_cr_only_line_ends_keep_every_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"".join(line(rec(id=f"cr-{n}")).rstrip(b"\n") + b"\r" for n in range(3))
    code, out = ingest(tmp_path, capsys, data)
    assert code == 0, out
    assert external_ids(tmp_path) == ["cr-0", "cr-1", "cr-2"]


def test_leading_nul_bytes_are_named_skipped_and_not_called_utf16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = ingest(tmp_path, capsys, b"\x00" * 5 + line(rec(id="after-nuls")))
    assert "UTF-16" not in out
    assert "starts with 5 NUL bytes" in out, out
    assert external_ids(tmp_path) == ["after-nuls"]
    assert code == 1  # the file was damaged: said, and the record kept


def test_a_utf16_file_is_still_called_utf16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = ingest(tmp_path, capsys, json.dumps(rec()).encode("utf-16-be"))
    assert code != 0 and "UTF-16" in out


def test_a_duplicate_key_rejects_its_record_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = line(rec(id="dup")).replace(
        b'"severity": "high"', b'"severity": "low", "severity": "imminent"'
    )
    nested = line(rec(id="nested", location={"text": "x"})).replace(
        b'"text": "x"', b'"text": "x", "text": "y"'
    )
    data = line(rec(id="a")) + twice + nested + line(rec(id="b"))
    code, out = ingest(tmp_path, capsys, data)
    assert code == 1
    assert external_ids(tmp_path) == ["a", "b"]
    assert "'severity' appears more than once" in out
    assert "'text' appears more than once" in out


def test_a_duplicate_key_in_an_array_costs_only_its_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.dumps([rec(id="a"), rec(id="dup"), rec(id="b")], indent=1).encode()
    body = body.replace(b'"id": "dup"', b'"id": "dup", "id": "other"')
    code, out = ingest(tmp_path, capsys, body)
    assert code == 1 and "'id' appears more than once" in out
    assert external_ids(tmp_path) == ["a", "b"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_rejected_not_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], constant: str
) -> None:
    bad = line(rec(id="bad", extra=1)).replace(b'"extra": 1', f'"extra": {constant}'.encode())
    code, out = ingest(tmp_path, capsys, line(rec(id="ok")) + bad)
    assert code == 1 and f"{constant} is not a number JSON allows" in out
    assert external_ids(tmp_path) == ["ok"]
    conn = sqlite3.connect(tmp_path / "oncall.db")
    raws = [r[0] for r in conn.execute("SELECT raw FROM alerts")]
    conn.close()
    assert not any("NaN" in r or "Infinity" in r for r in raws)


async def test_a_feed_page_with_a_duplicate_key_keeps_the_other_records(clinic: Clinic) -> None:
    page = {"alerts": [rec(id="f-1", client_ref="C-1"), rec(id="f-2", client_ref="C-1")]}
    body = json.dumps(page).encode().replace(b'"id": "f-2"', b'"id": "f-2", "id": "f-3"')
    with serving(lambda _: Reply(200, body, {"Content-Type": "application/json"})) as server:
        async with poller(clinic, server.url("/alerts")) as feed:
            await feed.poll_due(clinic.clock.now())
    assert alert_ids(clinic) == ["f-1"]
    assert [(field, "appears more than once" in m) for _, field, m in quarantined(clinic)] == [
        ("id", True)
    ]
