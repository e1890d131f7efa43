"""Readers for the parts of an HSDS 3.0 service: tolerant of anything missing or malformed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from oncall.domain.opening_hours import OpeningHours, schedule_hours
from oncall.domain.terminal_text import safe_text
from oncall.domain.types import ResourceCategory

Obj = Mapping[str, object]

CATEGORY_CODES = frozenset(category.value for category in ResourceCategory)
NATIONAL_CODE = "national"
_NATIONAL_AREAS = frozenset(
    {"united states", "united states of america", "usa", "us", "nationwide", "national"}
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class Address(NamedTuple):
    """The parts of a location's address the directory shows."""

    street: str | None
    city: str | None
    county: str | None
    postal_code: str | None


def text(value: object, *, multiline: bool = False) -> str | None:
    """A non-empty stripped string from a JSON or CSV value, else None.

    Terminal control and bidi-override characters are removed here, where a directory
    file or sync response enters (issue 16: an OSC 52 in a name wrote the clipboard).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        stripped = safe_text(value, multiline=multiline).strip()
        return stripped or None
    return None


def items(obj: Obj, key: str) -> list[Obj]:
    """The objects in a list field; anything that is not an object is skipped."""
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def read_float(value: object) -> float | None:
    """A number from JSON or a CSV cell; None when absent or unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def read_date(value: object) -> date | None:
    """The date of an ISO 8601 date or date-time ("2026-03-15T10:30:45.123Z")."""
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def county_name(value: str) -> str:
    """A county as the clinic writes it: "Orange County, CA" becomes "Orange"."""
    name = value.strip().removesuffix(", CA").removesuffix(", California").strip()
    return name.removesuffix(" County").strip()


def locations_of(service: Obj) -> list[Obj]:
    """The locations reached through the service's service_at_locations."""
    found = []
    for sal in items(service, "service_at_locations"):
        location = sal.get("location")
        if isinstance(location, Mapping):
            found.append(location)
    return found


def first_location(service: Obj) -> Obj:
    """The location to show and measure from: the first with coordinates, else the first."""
    locations = locations_of(service)
    for location in locations:
        if read_float(location.get("latitude")) is not None:
            return location
    return locations[0] if locations else {}


def read_address(location: Obj) -> Address:
    """The physical address of a location (else its first address)."""
    addresses = items(location, "addresses")
    physical = [a for a in addresses if text(a.get("address_type")) in (None, "physical")]
    chosen = (physical or addresses or [{}])[0]
    lines = [text(chosen.get("address_1")), text(chosen.get("address_2"))]
    street = ", ".join(line for line in lines if line) or None
    region = text(chosen.get("region"))
    return Address(
        street=street,
        city=text(chosen.get("city")),
        county=county_name(region) if region else None,
        postal_code=text(chosen.get("postal_code")),
    )


def phones_of(service: Obj, org: Obj, location: Obj) -> tuple[tuple[str, str], ...]:
    """(number, label) pairs: the service's own first, then location and organization lines."""
    sources = items(service, "phones")
    for sal in items(service, "service_at_locations"):
        sources += items(sal, "phones")
    sources += items(location, "phones") + items(org, "phones")
    phones: dict[str, str] = {}
    for phone in sources:
        number = text(phone.get("number"))
        if number is None:
            continue
        number = number.strip("\"'")
        extension = text(phone.get("extension"))
        if extension:
            number = f"{number} x{extension.removesuffix('.0')}"
        label = text(phone.get("description")) or text(phone.get("type")) or ""
        phones.setdefault(number, label)
    return tuple(phones.items())


def languages_of(service: Obj, location: Obj) -> tuple[str, ...]:
    """Languages spoken at the service or its location, by name, without repeats."""
    names: dict[str, str] = {}
    for language in items(service, "languages") + items(location, "languages"):
        name = text(language.get("name")) or text(language.get("code"))
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


def read_categories(service: Obj) -> tuple[tuple[str, ...], bool]:
    """ResourceCategory codes from the service's attributes, and whether one flags it national."""
    categories: list[str] = []
    national = False
    for attribute in items(service, "attributes"):
        term = attribute.get("taxonomy_term")
        code = text(term.get("code")) if isinstance(term, Mapping) else None
        code = (code or "").lower()
        if code == NATIONAL_CODE:
            national = True
        elif code in CATEGORY_CODES and code not in categories:
            categories.append(code)
    return tuple(categories), national


def read_areas(service: Obj) -> tuple[tuple[str, ...], bool]:
    """Counties served (from service areas) and whether an area is the whole country."""
    areas = items(service, "service_areas")
    for sal in items(service, "service_at_locations"):
        areas += items(sal, "service_areas")
    counties: list[str] = []
    national = False
    for area in areas:
        name = text(area.get("name"))
        extent = text(area.get("extent")) if area.get("extent_type") in (None, "text") else None
        if any(part and part.casefold() in _NATIONAL_AREAS for part in (name, extent)):
            national = True
        elif name and county_name(name) not in counties:
            counties.append(county_name(name))
    return tuple(counties), national


def read_hours(service: Obj, location: Obj) -> tuple[tuple[OpeningHours, ...], tuple[str, ...]]:
    """Weekly openings from the service's schedules (else its locations'), and free-text notes.

    The notes are the schedules' descriptions, for display when no weekly rule is readable.
    """
    schedules = items(service, "schedules")
    if not schedules:
        for sal in items(service, "service_at_locations"):
            schedules += items(sal, "schedules")
    if not schedules:
        schedules = items(location, "schedules")
    hours: set[OpeningHours] = set()
    notes: list[str] = []
    for schedule in schedules:
        hours.update(schedule_hours(schedule))
        note = text(schedule.get("description"))
        if note and note not in notes:
            notes.append(note)
    return tuple(sorted(hours)), tuple(notes)
