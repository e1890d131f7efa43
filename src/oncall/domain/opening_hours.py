"""Weekly opening hours read from HSDS schedules, and whether a place is open at a time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY = 24 * 60
_WEEK = 7 * _DAY
# "09:00", "9:00", "09:00:00", "09:00:00.000", "09:00Z", "09:00-08:00", "09:00+0100"
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")


class OpeningHours(NamedTuple):
    """One weekly opening: weekday 0 (Monday) to 6, opens and closes as local "HH:MM".

    A closing time at or before the opening time runs past midnight into the
    next day (20:00-02:00); equal times mean the whole day.
    """

    weekday: int
    opens: str
    closes: str


def parse_clock(value: object) -> str | None:
    """Read an HSDS time ("9:00", "09:00:00", "09:00-08:00") as "HH:MM"; None if unreadable."""
    if not isinstance(value, str):
        return None
    match = _CLOCK.match(value.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        return None
    # The offset is dropped on purpose: directory hours are the wall-clock hours
    # of the place itself, and a fixed UTC offset cannot follow daylight saving.
    return f"{hour:02d}:{minute:02d}"


def schedule_hours(schedule: Mapping[str, object]) -> tuple[OpeningHours, ...]:
    """The weekly openings of one HSDS schedule; () when it is not a readable weekly one."""
    freq = str(schedule.get("freq") or "").strip().upper()
    if freq not in ("", "WEEKLY", "DAILY"):
        return ()  # monthly rules ("2MO") cannot answer "open now" reliably
    opens = parse_clock(schedule.get("opens_at"))
    closes = parse_clock(schedule.get("closes_at"))
    if opens is None or closes is None:
        return ()
    days = _weekdays(schedule.get("byday"))
    return tuple(OpeningHours(day, opens, closes) for day in days)


def _weekdays(byday: object) -> list[int]:
    """Weekday numbers from an RRULE BYDAY value; every day when it is absent."""
    if isinstance(byday, str):
        tokens = byday.replace(";", ",").split(",")
    elif isinstance(byday, list):
        tokens = [str(token) for token in byday]
    else:
        tokens = []
    codes = [token.strip().upper()[:2] for token in tokens if token.strip()]
    days = sorted({DAY_CODES.index(code) for code in codes if code in DAY_CODES})
    return days if codes else list(range(7))


def _minutes(clock: str) -> int:
    """Minutes after midnight of an "HH:MM" string."""
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def _closing_minutes(clock: str) -> int:
    """Minutes after midnight of a closing time; 23:59 and 24:00 mean the end of the day."""
    return _DAY if clock in ("23:59", "24:00") else _minutes(clock)


def week_intervals(hours: tuple[OpeningHours, ...]) -> list[tuple[int, int]]:
    """Open intervals as merged [start, end) minutes of the week, Monday 00:00 = 0."""
    pieces: list[tuple[int, int]] = []
    for entry in hours:
        start = entry.weekday * _DAY + _minutes(entry.opens) % _DAY
        close = _closing_minutes(entry.closes)
        length = close - _minutes(entry.opens) % _DAY
        if length <= 0:
            length += _DAY  # closes after midnight, or equal times: a whole day
        end = start + length
        if end > _WEEK:  # Sunday night into Monday morning
            pieces.extend([(start, _WEEK), (0, end - _WEEK)])
        else:
            pieces.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covers_whole_week(hours: tuple[OpeningHours, ...]) -> bool:
    """True when the openings add up to every minute of every day (24/7)."""
    return week_intervals(hours) == [(0, _WEEK)]


def is_open(hours: tuple[OpeningHours, ...], local_dt: datetime) -> bool:
    """Whether the openings include the wall-clock time of `local_dt` (the place's own time)."""
    minute = local_dt.weekday() * _DAY + local_dt.hour * 60 + local_dt.minute
    return any(start <= minute < end for start, end in week_intervals(hours))


def describe_hours(hours: tuple[OpeningHours, ...]) -> tuple[str, ...]:
    """Hours as a clinician reads them: ("Mon–Fri 08:00–17:00", "Sat 10:00–14:00")."""
    if not hours:
        return ()
    if covers_whole_week(hours):
        return ("Open 24/7",)
    by_times: dict[tuple[str, str], list[int]] = {}
    for entry in hours:
        by_times.setdefault((entry.opens, entry.closes), []).append(entry.weekday)
    lines = []
    for (opens, closes), days in sorted(by_times.items(), key=lambda item: min(item[1])):
        start, close = _minutes(opens) % _DAY, _closing_minutes(closes)
        whole_day = opens == closes or (start == 0 and close == _DAY)
        times = "24 hours" if whole_day else f"{opens}–{closes}"
        suffix = " (overnight)" if close <= start and not whole_day else ""
        lines.append(f"{day_label(days)} {times}{suffix}")
    return tuple(lines)


def day_label(days: list[int]) -> str:
    """Weekdays as "Every day", "Mon–Fri", or "Sat, Sun"."""
    unique = sorted(set(days))
    if len(unique) == 7:
        return "Every day"
    runs: list[list[int]] = []
    for day in unique:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[day] for day in run)
    return ", ".join(parts)
