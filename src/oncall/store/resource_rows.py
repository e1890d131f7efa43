"""A stored directory row read back as a ResourceRecord, damaged fields named, never fatal.

The sync and import write valid JSON; a row edited by hand (or damaged otherwise) may
not hold it. Each field is decoded on its own: what cannot be read is left empty and
named in `ResourceRecord.damaged`, so one bad row never empties a directory page.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import TypeVar

from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord

log = logging.getLogger(__name__)


def resource_from_row(row: sqlite3.Row) -> ResourceRecord:
    """A resources row as a ResourceRecord; a field that cannot be read is empty and named.

    The sync and the import write every column well formed, but a row edited by hand
    (or damaged otherwise) must not take the whole page down with it: its unreadable
    fields come back empty, listed in `damaged`, and the rest of the row is kept.
    """
    damaged: list[str] = []  # filled in the table's column order
    categories: tuple[str, ...] = _decoded(row, "categories", _strings, (), damaged)
    phones: tuple[tuple[str, str], ...] = _decoded(row, "phones", _phones, (), damaged)
    lat, lon = _position(row, damaged)
    schedule, hours = _decoded(row, "schedule", _schedule, _NO_SCHEDULE, damaged)
    languages: tuple[str, ...] = _decoded(row, "languages", _strings, (), damaged)
    counties_served: tuple[str, ...] = _decoded(row, "counties_served", _strings, (), damaged)
    last_verified = _verified(row, damaged)
    record = ResourceRecord(
        id=row["id"],
        name=row["name"],
        organization=row["organization"],
        description=row["description"],
        categories=categories,
        phones=phones,
        address=row["address"],
        city=row["city"],
        county=row["county"],
        zip=row["zip"],
        lat=lat,
        lon=lon,
        always_open=bool(row["always_open"]),
        schedule=schedule,
        hours=hours,
        languages=languages,
        counties_served=counties_served,
        national=bool(row["national"]),
        status=row["status"],
        last_verified=last_verified,
        url=row["url"],
        email=row["email"],
        damaged=tuple(damaged),
    )
    if damaged:
        _report_damage(record.id, record.damaged)
    return record


_Read = TypeVar("_Read")
_NO_SCHEDULE: tuple[tuple[str, ...], tuple[OpeningHours, ...]] = ((), ())
_CLOCKS = frozenset(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)) | {"24:00"}
"""Every opening or closing time as the store writes it ("HH:MM")."""
_REPEATED = 4096
"""Decoded schedules and lists kept: most rows share theirs ("Mon-Fri 09:00-17:00",
["English", "Spanish"]), and a page is read again on every key."""


def _decoded(
    row: sqlite3.Row,
    column: str,
    read: Callable[[str], tuple[_Read, bool]],
    empty: _Read,
    damaged: list[str],
) -> _Read:
    """One JSON column as `read` takes it: what it kept, and the column named when not all of it."""
    try:
        value, whole = read(row[column])
    except (ValueError, TypeError, RecursionError):  # not JSON (JSONDecodeError is a ValueError)
        value, whole = empty, False
    if not whole:
        damaged.append(column)
    return value


@lru_cache(maxsize=_REPEATED)
def _strings(stored: str) -> tuple[tuple[str, ...], bool]:
    """A JSON list of strings: the strings, and whether that was all of it."""
    return _string_list(json.loads(stored))


def _string_list(value: object) -> tuple[tuple[str, ...], bool]:
    """The strings of a decoded list, and whether that was all of it."""
    if type(value) is not list:
        return (), False
    kept = tuple(item for item in value if type(item) is str)
    return kept, len(kept) == len(value)


def _phones(stored: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """A JSON list of [number, kind] pairs of strings: the pairs, and whether that was all."""
    value = json.loads(stored)
    if type(value) is not list:
        return (), False
    kept = tuple(
        (p[0], p[1])
        for p in value
        if type(p) is list and len(p) == 2 and type(p[0]) is str and type(p[1]) is str
    )
    return kept, len(kept) == len(value)


@lru_cache(maxsize=_REPEATED)
def _schedule(stored: str) -> tuple[tuple[tuple[str, ...], tuple[OpeningHours, ...]], bool]:
    """{"text": [...], "hours": [[weekday, "HH:MM", "HH:MM"], ...]}: the text and the openings."""
    value = json.loads(stored)
    if value == []:  # the column's default: no hours given
        return _NO_SCHEDULE, True
    if type(value) is not dict:
        return _NO_SCHEDULE, False
    text, whole = _string_list(value.get("text", []))
    listed = value.get("hours", [])
    if type(listed) is not list:
        return (text, ()), False
    hours = tuple([OpeningHours._make(h) for h in listed if _is_opening(h)])
    return (text, hours), whole and len(hours) == len(listed)


def _is_opening(value: object) -> bool:
    """Whether a stored opening is [weekday 0-6, "HH:MM", "HH:MM"]."""
    if type(value) is not list or len(value) != 3:
        return False
    day, opens, closes = value
    # a set, not a pattern: this runs for every opening of every row read, and a
    # regular expression made reading a row a third slower
    return (
        type(day) is int
        and 0 <= day <= 6
        and type(opens) is str
        and type(closes) is str
        and opens in _CLOCKS
        and closes in _CLOCKS
    )


def _verified(row: sqlite3.Row, damaged: list[str]) -> date | None:
    """The date the entry was last verified; None, and named, when it is not an ISO date."""
    stored = row["last_verified"]
    if not stored:
        return None
    try:
        return date.fromisoformat(stored)
    except (ValueError, TypeError):
        damaged.append("last_verified")
        return None


def _position(row: sqlite3.Row, damaged: list[str]) -> tuple[float | None, float | None]:
    """Latitude and longitude; one that is not a number in range is None, and named."""
    lat, lon = row["lat"], row["lon"]
    # REAL affinity keeps a number as a float; text that is not a number stays text
    if lat is not None and not (isinstance(lat, float | int) and -90 <= lat <= 90):
        damaged.append("lat")
        lat = None
    if lon is not None and not (isinstance(lon, float | int) and -180 <= lon <= 180):
        damaged.append("lon")
        lon = None
    return lat, lon


_REPORTED_CAP = 1000
_reported: set[tuple[str, tuple[str, ...]]] = set()
"""Damaged rows already logged: the directory re-reads a page on every key."""


def _report_damage(resource_id: str, damaged: tuple[str, ...]) -> None:
    """Log a damaged row once per process (and again if other fields go bad)."""
    if (resource_id, damaged) in _reported:
        return
    if len(_reported) >= _REPORTED_CAP:
        _reported.clear()
    _reported.add((resource_id, damaged))
    log.warning(
        "resource %r: stored %s could not be read; the unreadable part is left out",
        resource_id,
        ", ".join(damaged),
    )
