"""Shifts from the scheduling tool: CSV (`login,role,starts_at,ends_at`) or iCalendar.

iCalendar mapping (README): each VEVENT occurrence is a shift, recurring events
expanded by recurring-ical-events over the import window. Its role and login come from
`X-ONCALL-ROLE` / `X-ONCALL-LOGIN` when present, else from the SUMMARY written
"ROLE LOGIN" ("Primary: mreyes", "backup jkim"). A time without a zone is the
clinic's; an all-day event is the clinic's whole day.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from oncall.domain.record_stream import Rejection
from oncall.domain.types import ShiftRole

MAX_SHIFT = timedelta(days=7)
HEADER = ("login", "role", "starts_at", "ends_at")
_SUMMARY = re.compile(r"^\s*(primary|backup|supervisor)\s*[:\-–]?\s*([a-z_][a-z0-9_.-]*)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class ShiftRecord:
    """One shift as the file gives it, checked for shape (the login is checked on import)."""

    number: int
    line: int
    login: str
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime


def _role(value: str, field: str) -> ShiftRole:
    try:
        return ShiftRole(value.strip().lower())
    except ValueError:
        raise ValueError(f"{field} {value!r} is not primary, backup or supervisor") from None


def _moment(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{field} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{field} {value!r} has no UTC offset (as 2026-12-07T08:00-08:00)")
    return moment


def _span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError("ends_at comes before starts_at")
    if end - start > MAX_SHIFT:
        raise ValueError("the shift is longer than 7 days")


def read_rota_csv(text: str) -> Iterator[ShiftRecord | Rejection]:
    """Each row as a ShiftRecord, or a Rejection naming the column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = tuple(name.strip().lower() for name in reader.fieldnames or ())
    if sorted(header) != sorted(HEADER):
        yield Rejection(0, 1, None, "header", f"The header must be {','.join(HEADER)}.")
        return
    reader.fieldnames = list(header)
    for number, row in enumerate(reader, start=1):
        login = (row.get("login") or "").strip()
        field = "login"
        try:
            if not login:
                raise ValueError("login is required")
            field = "role"
            role = _role(row.get("role") or "", "role")
            field = "starts_at"
            start = _moment(row.get("starts_at") or "", "starts_at")
            field = "ends_at"
            end = _moment(row.get("ends_at") or "", "ends_at")
            _span(start, end)
        except ValueError as error:
            yield Rejection(number, reader.line_num, login or None, field, str(error))
            continue
        yield ShiftRecord(number, reader.line_num, login, role, start, end)


def _when(value: Any, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    raise ValueError("the event has no start time")


def read_rota_ics(
    data: bytes, start: datetime, end: datetime, zone: tzinfo
) -> Iterator[ShiftRecord | Rejection]:
    """Each event occurrence in [start, end) as a ShiftRecord, or a Rejection saying why."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
        events = list(recurring_ical_events.of(calendar).between(start, end))
    except Exception as error:  # the libraries raise many kinds for a malformed file
        yield Rejection(0, 0, None, "calendar", f"The file is not iCalendar ({error}).")
        return
    events.sort(key=lambda e: (_sort_key(e, zone), str(e.get("UID", ""))))
    for number, event in enumerate(events, start=1):
        summary = str(event.get("SUMMARY", "")).strip()
        uid = str(event.get("UID", ""))[:64] or None
        field = "SUMMARY"
        try:
            match = _SUMMARY.match(summary)
            role_text = str(event.get("X-ONCALL-ROLE") or (match.group(1) if match else ""))
            login = str(event.get("X-ONCALL-LOGIN") or (match.group(2) if match else "")).strip()
            if not role_text or not login:
                raise ValueError(f"SUMMARY {summary[:60]!r} is not 'ROLE LOGIN'")
            role = _role(role_text, "X-ONCALL-ROLE")
            field = "DTSTART"
            begins = _when(event["DTSTART"].dt, zone)
            field = "DTEND"
            ends = _when(event["DTEND"].dt, zone) if "DTEND" in event else begins
            _span(begins, ends)
        except (ValueError, KeyError) as error:
            yield Rejection(number, 0, uid, field, str(error))
            continue
        yield ShiftRecord(number, 0, login.lower(), role, begins, ends)


def _sort_key(event: Any, zone: tzinfo) -> datetime:
    try:
        return _when(event["DTSTART"].dt, zone)
    except (KeyError, ValueError):
        return datetime.min.replace(tzinfo=zone)
