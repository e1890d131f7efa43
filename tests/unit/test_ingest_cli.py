"""`oncall ingest` survives bad input: every valid record kept, every bad one named, exit 0/1/2."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.store.errors import DiskFull, translate


def rec(**overrides: Any) -> dict[str, Any]:
    """A valid feed record with fields replaced (None removes a field)."""
    obj: dict[str, Any] = {
        "id": "ok-1",
        "source": "hotline",
        "client_ref": "C-1042",
        "kind": "suicidal_ideation",
        "severity": "high",
        "summary": "Caller reports SI with plan; safe at home with sister",
        "occurred_at": "2026-11-22T03:14:00-08:00",
    }
    obj.update(overrides)
    return {k: v for k, v in obj.items() if v is not None}


def line(obj: object) -> bytes:
    """One JSON line, UTF-8."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n"


def ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes) -> tuple[int, str]:
    """Run `oncall ingest` on `data` written to a file; the exit code and stdout + stderr."""
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(data)
    if not (tmp_path / "oncall.db").exists():
        init_database(tmp_path / "oncall.db")
    code = main(["ingest", "--db", str(tmp_path / "oncall.db"), str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def stored(tmp_path: Path) -> dict[str, Any]:
    """What the database holds, checked for integrity and a whole audit trail."""
    conn = sqlite3.connect(tmp_path / "oncall.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        alerts = {
            r[0]: r for r in conn.execute("SELECT external_id, severity, summary FROM alerts")
        }
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.created'"
        ).fetchone()[0]
        assert audited == len(alerts), "every stored alert has exactly one audit row"
        quarantine = conn.execute(
            "SELECT record_number, external_id, field, message FROM quarantine ORDER BY id"
        ).fetchall()
        return {"alerts": alerts, "quarantine": quarantine}
    finally:
        conn.close()


BAD_RECORDS = [
    # (what is wrong, the line, id shown, field, words of the problem)
    ("not an object", b"[1, 2]\n", None, "", "not a JSON object"),
    ("truncated line", b'{"id": "cut", "source": "hot\n', None, "", "not valid JSON"),
    ("missing kind", line(rec(id="b-1", kind=None)), "b-1", "kind", "kind is required"),
    ("severity is a number", line(rec(id="b-2", severity=3)), "b-2", "severity", "must be text"),
    ("id is a float", line(rec(id=1.5)), None, "id", "id must be text"),
    (
        "location is text",
        line(rec(id="b-3", location="home")),
        "b-3",
        "location",
        "must be an object",
    ),
    (
        "unknown severity",
        line(rec(id="b-4", severity="urgent")),
        "b-4",
        "severity",
        "'urgent' is not one of imminent, high, moderate, low",
    ),
    ("unknown kind", line(rec(id="b-5", kind="sadness")), "b-5", "kind", "'sadness' is not one of"),
    (
        "no time zone",
        line(rec(id="b-6", occurred_at="2026-11-22T03:14:00")),
        "b-6",
        "occurred_at",
        "has no time zone",
    ),
    (
        "not ISO 8601",
        line(rec(id="b-7", occurred_at="22/11/2026 3:14 AM")),
        "b-7",
        "occurred_at",
        "is not an ISO 8601 date and time",
    ),
    (
        "latitude out of range",
        line(rec(id="b-8", location={"lat": 91.5, "lon": -117.9})),
        "b-8",
        "location.lat",
        "91.5 is outside -90..90",
    ),
    (
        "longitude out of range",
        line(rec(id="b-9", location={"lat": 33.7, "lon": -181})),
        "b-9",
        "location.lon",
        "-181 is outside -180..180",
    ),
    (
        "100 kB summary",  # a longer record is refused unread (max_record_bytes)
        line(rec(id="b-10", summary="x" * 100_000)),
        "b-10",
        "summary",
        "100,000 characters long; the limit is 4,000",
    ),
    (
        "bytes that are not UTF-8",
        b'{"id": "b-11", "summary": "caf\xe9"}\n',
        None,
        "",
        "not UTF-8 at byte offset",
    ),
]


@pytest.mark.parametrize(
    ("bad", "shown_id", "field", "problem"),
    [case[1:] for case in BAD_RECORDS],
    ids=[case[0] for case in BAD_RECORDS],
)
def test_a_bad_record_is_rejected_by_number_id_field_and_problem_and_the_rest_kept(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bad: bytes,
    shown_id: str | None,
    field: str,
    problem: str,
) -> None:
    data = line(rec(id="good-1")) + bad + line(rec(id="good-2"))
    code, out = ingest(tmp_path, capsys, data)
    assert code == 1
    assert "2 accepted, 0 duplicate, 1 rejected" in out
    (rejected,) = [x for x in out.splitlines() if x.strip().startswith("rejected")]
    assert "record 2, line 2" in rejected
    assert problem in rejected
    if shown_id:
        assert f"({shown_id})" in rejected
    if field:
        assert rejected.endswith(f"[{field}]")
    assert "Traceback" not in out
    db = stored(tmp_path)
    assert set(db["alerts"]) == {"good-1", "good-2"}
    ((number, external_id, kept_field, message),) = db["quarantine"]
    assert (number, external_id, kept_field) == (2, shown_id, field)
    assert problem in message


def test_a_truncated_array_keeps_the_records_before_the_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = json.dumps([rec(id=f"t-{n}") for n in range(1, 5)]).encode()
    code, out = ingest(tmp_path, capsys, whole[: whole.index(b'"t-4"') + 10])
    assert code == 1
    assert "3 accepted, 0 duplicate, 1 rejected" in out
    assert "the file ends in the middle of record 4; records 1 to 3 were read" in out
    assert set(stored(tmp_path)["alerts"]) == {"t-1", "t-2", "t-3"}


def test_control_characters_and_right_to_left_text_are_cleaned_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An escape sequence and a right-to-left override could repaint a terminal or disguise
    # a name; Hebrew and Arabic letters are real names and must be kept as they are.
    record = rec(
        id="rtl-\x1b[31m\u202e1",
        client_ref="C-\x07\u200b9",
        summary="first line\nsecond \u202egnp.exe",
        handoff={"org": "מוקד 988\u202e", "counselor": "علي\x00"},
    )
    bad = rec(id="bad-\x1b[2J", severity="\x1b[2Jhigh!")
    code, out = ingest(tmp_path, capsys, line(record) + line(bad))
    assert code == 1
    assert "1 accepted, 0 duplicate, 1 rejected" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "'\\u001b[2Jhigh!' is not one of" in out  # the bad value is shown escaped
    conn = sqlite3.connect(tmp_path / "oncall.db")
    ext, ref, summary, handoff = conn.execute(
        "SELECT external_id, client_ref, summary, handoff FROM alerts"
    ).fetchone()
    conn.close()
    assert (ext, ref, summary) == ("rtl-[31m1", "C-9", "first line second gnp.exe")
    assert json.loads(handoff) == {"org": "מוקד 988", "counselor": "علي"}


def test_the_same_record_twice_with_different_content_keeps_the_first_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = rec(id="twice", severity="moderate", summary="Missed check-in")
    changed = rec(id="twice", severity="imminent", summary="Took pills, call now")
    code, out = ingest(tmp_path, capsys, line(first) + line(first) + line(changed))
    assert code == 0
    assert "1 accepted, 2 duplicate, 0 rejected" in out
    duplicates = [x.strip() for x in out.splitlines() if x.strip().startswith("duplicate")]
    # The identical resend is silent; the changed one names what differs.
    assert duplicates == [
        "duplicate record 3, line 3 (twice): already stored with a different severity, "
        "summary; the first one was kept"
    ]
    assert stored(tmp_path)["alerts"]["twice"][1:] == ("moderate", "Missed check-in")


def test_running_the_same_file_again_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"".join(line(rec(id=f"r-{n}")) for n in range(5))
    first, again = ingest(tmp_path, capsys, data), ingest(tmp_path, capsys, data)
    assert first == (0, "5 accepted, 0 duplicate, 0 rejected (5 for unknown clients, flagged)\n")
    assert again == (0, "0 accepted, 5 duplicate, 0 rejected\n")
    assert len(stored(tmp_path)["alerts"]) == 5


def test_a_file_that_is_not_utf8_keeps_the_lines_that_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = json.dumps(rec(id="l-2", summary="Café"), ensure_ascii=False).encode("latin-1")
    code, out = ingest(tmp_path, capsys, line(rec(id="l-1")) + latin1 + b"\n")
    assert code == 1
    assert "record 2, line 2: the line has bytes that are not UTF-8 at byte offset" in out
    assert set(stored(tmp_path)["alerts"]) == {"l-1"}


def test_a_utf16_file_is_refused_as_a_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = ingest(tmp_path, capsys, json.dumps([rec()]).encode("utf-16"))
    assert code == 1
    assert "problem: the file is UTF-16 or UTF-32, not UTF-8: save it as UTF-8" in out
    db = stored(tmp_path)
    assert db["alerts"] == {} and db["quarantine"][0][0] == 0


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n"], ids=["empty", "blank lines"])
def test_an_empty_file_imports_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    code, out = ingest(tmp_path, capsys, data)
    assert (code, out) == (1, "0 accepted, 0 duplicate, 0 rejected\n  problem: the file is empty\n")
    assert stored(tmp_path)["alerts"] == {}


def test_a_missing_file_is_a_usage_error_and_creates_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", "--db", str(tmp_path / "oncall.db"), str(tmp_path / "nope.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"oncall: There is no file {tmp_path / 'nope.json'}.\n"
    assert not (tmp_path / "oncall.db").exists()


def test_ingest_into_a_database_that_does_not_exist_is_refused_and_points_to_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "alerts.jsonl").write_bytes(line(rec()))
    db = tmp_path / "oncall.db"
    code = main(["ingest", "--db", str(db), str(tmp_path / "alerts.jsonl")])
    assert code == 1
    assert capsys.readouterr().err == (
        f"oncall: There is no database at {db}. Create one with: oncall init --db {db}\n"
    )
    assert not db.exists()


def test_a_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "--db", str(tmp_path / "oncall.db"), str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == f"oncall: {tmp_path} is a directory, not an alert file.\n"


def test_more_rejections_than_shown_point_to_the_quarantine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"".join(line(rec(id=f"x-{n}", severity="urgent")) for n in range(60))
    code, out = ingest(tmp_path, capsys, data)
    assert code == 1
    assert "0 accepted, 0 duplicate, 60 rejected" in out
    assert out.count("  rejected record") == 50
    assert "… and 10 more rejected records (all are kept in the quarantine" in out
    assert len(stored(tmp_path)["quarantine"]) == 60


def _oncall_command() -> list[str]:
    """The installed `oncall` script next to this interpreter, else `python -m oncall.cli`."""
    script = Path(sys.executable).parent / "oncall"
    return [str(script)] if script.exists() else [sys.executable, "-m", "oncall.cli"]


@pytest.mark.parametrize(
    "command",
    [_oncall_command(), [sys.executable, "-m", "oncall.cli"]],
    ids=["oncall script", "python -m oncall.cli"],
)
def test_standard_input_in_a_real_process(tmp_path: Path, command: list[str]) -> None:
    data = line(rec(id="in-1")) + b'{"id": "in-2", "source"\n' + line(rec(id="in-3"))
    init_database(tmp_path / "oncall.db")
    done = subprocess.run(
        [*command, "ingest", "--db", str(tmp_path / "oncall.db"), "-"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    out = done.stdout.decode()
    assert done.returncode == 1, done.stderr
    assert out.startswith("2 accepted, 0 duplicate, 1 rejected")
    assert "record 2, line 2: not valid JSON" in out
    assert done.stderr == b""
    assert set(stored(tmp_path)["alerts"]) == {"in-1", "in-3"}


def test_a_missing_file_in_a_real_process_exits_2_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [*_oncall_command(), "ingest", "--db", str(tmp_path / "x.db"), str(tmp_path / "no")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("oncall: There is no file") and "Traceback" not in done.stderr


def test_a_disk_io_error_with_room_on_the_disk_is_not_called_a_full_disk(tmp_path: Path) -> None:
    # Under a file-size limit SQLite says "disk I/O error" too (the proofs cover that case);
    # with room to spare and no limit, it is a failing disk and must not be called full.
    error = translate(sqlite3.OperationalError("disk I/O error"), str(tmp_path / "oncall.db"))
    assert not isinstance(error, DiskFull)
    assert "failed to read or write; the change was not saved" in str(error)
    full = translate(sqlite3.OperationalError("database or disk is full"), "x.db")
    assert isinstance(full, DiskFull)


def test_lone_surrogates_in_extra_fields_are_kept_escaped_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # JSON may escape a lone surrogate, which is not valid UTF-8 text; SQLite cannot
    # store it as it is. The valid record is kept with its raw text escaped; the bad
    # record goes to the quarantine with its raw text escaped too.
    good = b'{"id": "sur-1", "source": "app", "client_ref": "C-1", "kind": "craving",'
    good += b' "severity": "low", "occurred_at": "2026-11-22T03:14:00-08:00",'
    good += b' "extra": "bad \\ud800 text"}\n'
    bad = good.replace(b"sur-1", b"sur-2").replace(b'"craving"', b'"bogus"')
    code, out = ingest(tmp_path, capsys, good + bad)
    assert code == 1, out
    assert "1 accepted" in out and "1 rejected" in out and "Traceback" not in out
    conn = sqlite3.connect(tmp_path / "oncall.db")
    try:
        (raw,) = conn.execute("SELECT raw FROM alerts WHERE external_id = 'sur-1'").fetchone()
        assert json.loads(raw)["extra"] == "bad \ud800 text"
        (kept,) = conn.execute("SELECT raw FROM quarantine").fetchone()
        assert json.loads(kept)["id"] == "sur-2"
    finally:
        conn.close()
