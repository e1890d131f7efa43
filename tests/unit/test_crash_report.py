"""The redacted incident report and the freshness record: nothing private, nothing stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.ui import crash
from oncall.ui.freshness import Freshness


def fail_with_client_data() -> None:
    client_name = "Jordan Test"
    phone = "+1-714-555-0142"
    try:
        raise KeyError(phone)
    except KeyError as error:
        raise ValueError(f"no plan for {client_name}") from error


def test_the_report_has_types_and_frames_but_no_messages_or_locals(tmp_path: Path) -> None:
    try:
        fail_with_client_data()
    except ValueError as error:
        incident = crash.report_exception(error, tmp_path)
    (report,) = tmp_path.iterdir()
    assert incident in report.name and report.stat().st_mode & 0o777 == 0o600
    text = report.read_text()
    assert "builtins.ValueError" in text and "builtins.KeyError" in text
    assert "in fail_with_client_data" in text and "test_crash_report.py:" in text
    # The phone number as a whole: "555" alone also turns up in an incident id made at 15:55.
    assert "Jordan" not in text and "714-555-0142" not in text and "client_name" not in text
    assert "no plan for" not in text, "no exception message"


def test_an_unwritable_log_folder_still_gives_an_incident_id(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    incident = crash.report_exception(RuntimeError("x"), blocked / "logs")
    assert incident and incident in crash.incident_message(incident)


def test_freshness_turns_stale_after_the_limit_or_a_failure() -> None:
    start = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    freshness = Freshness(stale_after_s=5)
    assert freshness.is_stale(start)  # never refreshed: nothing to vouch for
    freshness.succeeded(start)
    assert not freshness.is_stale(start + timedelta(seconds=5))
    assert freshness.is_stale(start + timedelta(seconds=6))
    freshness.succeeded(start + timedelta(seconds=6))
    freshness.failed("the database is busy")
    assert freshness.is_stale(start + timedelta(seconds=6))
    freshness.succeeded(start + timedelta(seconds=7))
    assert not freshness.is_stale(start + timedelta(seconds=7))
