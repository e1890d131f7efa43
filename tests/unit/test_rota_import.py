"""`oncall rota import`: CSV and iCalendar shifts, the range replaced only, overlaps and gaps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main

HEADER = "login,role,starts_at,ends_at\n"
WEEK = (
    "mreyes,primary,2026-12-07T08:00:00-08:00,2026-12-07T20:00:00-08:00\n"
    "jkim,primary,2026-12-07T20:00:00-08:00,2026-12-08T08:00:00-08:00\n"
    "jkim,backup,2026-12-07T08:00:00-08:00,2026-12-08T08:00:00-08:00\n"
    "boss,supervisor,2026-12-07T08:00:00-08:00,2026-12-08T08:00:00-08:00\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database made by init (this account its admin) with three more staff."""
    path = init_database(tmp_path / "oncall.db")
    for login, name, role in (
        ("mreyes", "Marisol Reyes", "clinician"),
        ("jkim", "Jae Kim", "clinician"),
        ("boss", "Dana Boss", "supervisor"),
        ("gone", "Old Timer", "clinician"),
    ):
        assert main(["staff", "add", login, "--name", name, "--role", role, "--db", str(path)]) == 0
    assert main(["staff", "deactivate", "gone", "--db", str(path)]) == 0
    return path


def _import(db: Path, tmp_path: Path, name: str, text: str, *extra: str) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return main(["rota", "import", str(path), "--db", str(db), *extra])


def _shifts(db: Path) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT s.login, o.role, o.starts_at, o.ends_at FROM on_call_shifts o"
            " JOIN staff s ON s.id = o.staff_id ORDER BY o.starts_at, o.role"
        ).fetchall()
    finally:
        conn.close()


def test_csv_rows_are_kept_and_bad_ones_named_with_their_column(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = (
        "mreyes,oncall,2026-12-08T08:00:00-08:00,2026-12-08T20:00:00-08:00\n"
        "mreyes,primary,2026-12-08T08:00:00,2026-12-08T20:00:00-08:00\n"
        "mreyes,primary,2026-12-08T20:00:00-08:00,2026-12-08T08:00:00-08:00\n"
        "nobody,primary,2026-12-08T08:00:00-08:00,2026-12-08T20:00:00-08:00\n"
        "gone,backup,2026-12-08T08:00:00-08:00,2026-12-08T20:00:00-08:00\n"
    )
    capsys.readouterr()
    assert _import(db, tmp_path, "rota.csv", HEADER + WEEK + bad) == 1
    out = capsys.readouterr().out
    assert "4 shifts added, 0 replaced" in out and "5 rejected" in out
    assert "'oncall' is not primary, backup or supervisor [role]" in out
    assert "has no UTC offset" in out and "[starts_at]" in out
    assert "ends_at comes before starts_at [ends_at]" in out
    assert "nobody is no staff member [login]" in out
    assert "gone is not active [login]" in out
    assert len(_shifts(db)) == 4


def test_reimport_replaces_only_the_range_of_the_file_and_reports_overlaps_and_gaps(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = "mreyes,primary,2026-12-14T08:00:00-08:00,2026-12-14T20:00:00-08:00\n"
    assert _import(db, tmp_path, "a.csv", HEADER + WEEK + later) == 0
    # The same day again, with Jae and Marisol both primary in the morning.
    again = (
        "jkim,primary,2026-12-07T08:00:00-08:00,2026-12-07T20:00:00-08:00\n"
        "mreyes,primary,2026-12-07T10:00:00-08:00,2026-12-07T14:00:00-08:00\n"
    )
    capsys.readouterr()
    assert _import(db, tmp_path, "b.csv", HEADER + again) == 0
    out = capsys.readouterr().out
    assert "2 shifts added, 1 replaced" in out
    assert "overlap (primary): Jae Kim Mon 07 Dec 08:00–Mon 07 Dec 20:00 and Marisol Reyes" in out
    assert "overlap (same person)" in out  # Jae's backup shift runs all day
    stored = _shifts(db)
    assert (
        "mreyes",
        "primary",
        "2026-12-14T16:00:00.000000+00:00",
        "2026-12-15T04:00:00.000000+00:00",
    ) in stored
    assert len(stored) == 6  # 4 + 1 - 1 replaced + 2


def test_icalendar_events_recurrences_expanded_over_the_window(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//clinic//rota//EN\r\n"
        "BEGIN:VEVENT\r\nUID:p1\r\nSUMMARY:Primary: mreyes\r\n"
        "DTSTART;TZID=America/Los_Angeles:20261207T080000\r\n"
        "DTEND;TZID=America/Los_Angeles:20261207T200000\r\n"
        "RRULE:FREQ=DAILY;COUNT=10\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s1\r\nSUMMARY:cover\r\nX-ONCALL-ROLE:supervisor\r\n"
        "X-ONCALL-LOGIN:boss\r\nDTSTART;VALUE=DATE:20261208\r\nDTEND;VALUE=DATE:20261209\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:x1\r\nSUMMARY:Team lunch\r\n"
        "DTSTART:20261208T200000Z\r\nDTEND:20261208T210000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    capsys.readouterr()
    code = _import(
        db, tmp_path, "rota.ics", calendar, "--from", "2026-12-07", "--until", "2026-12-10"
    )
    out = capsys.readouterr().out
    assert code == 1  # the lunch is not a shift, and says so
    assert "SUMMARY 'Team lunch' is not 'ROLE LOGIN' [SUMMARY]" in out
    assert "4 shifts added" in out  # three mornings of ten in the window, one supervisor day
    stored = _shifts(db)
    assert [s[0] for s in stored if s[1] == "primary"] == ["mreyes"] * 3
    assert (
        "boss",
        "supervisor",
        "2026-12-08T08:00:00.000000+00:00",
        "2026-12-09T08:00:00.000000+00:00",
    ) in stored
    assert "gap: supervisor Mon 07 Dec 00:00 – Tue 08 Dec 00:00" in out


def test_a_file_without_the_header_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _import(db, tmp_path, "x.csv", "who,when\nmreyes,today\n") == 1
    assert "The header must be login,role,starts_at,ends_at" in capsys.readouterr().out
    assert _shifts(db) == []
