"""The resource directory as the console reads it (W9): search, filters, distance, referrals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from oncall.domain.models import TimelineEvent
from oncall.domain.resource_record import ResourceRecord, is_open_at, is_stale
from oncall.domain.types import EventKind
from oncall.services.context import ServiceContext
from oncall.services.directory_origin import DistanceOrigin
from oncall.services.episodes import record_event
from oncall.services.errors import NotFound
from oncall.store import resources as resource_rows
from oncall.store.resource_hours import minute_of_week

PAGE_SIZE = 50
COUNT_CAP = 200
"""Matches are counted this far past the page ("200+"): an exact count of a common word costs."""
EARTH_RADIUS_MILES = 3958.8


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class DirectoryQuery:
    """What the clinician has typed and chosen in the directory."""

    text: str = ""
    category: str | None = None
    county: str | None = None
    twenty_four_seven: bool = False
    open_now: bool = False
    by_distance: bool = False
    """Nearest first (only when the origin has a position)."""


@dataclass(frozen=True)
class DirectoryEntry:
    """One resource as a row of the directory."""

    record: ResourceRecord
    distance_miles: float | None
    open_now: bool
    verified_days_ago: int | None
    """Days since the entry was last verified; None when it never was."""
    stale: bool
    """Never verified, or verified more than 180 days ago."""
    pinned: bool = False
    """A national line, shown above the results whatever the search."""


@dataclass(frozen=True)
class DirectoryPage:
    """One page of results (national lines excluded: they are pinned)."""

    entries: list[DirectoryEntry]
    offset: int
    total: int
    """Matches counted, up to `offset + COUNT_CAP`."""
    total_capped: bool
    """True when counting stopped there: there are at least that many."""

    @property
    def has_more(self) -> bool:
        """Whether another page follows this one."""
        return self.offset + len(self.entries) < self.total


def clinic_now(ctx: ServiceContext) -> datetime:
    """Now as the clinic's wall clock (directory hours are the places' local hours)."""
    return ctx.clock.now().astimezone(ctx.settings.zone)


def _entry(
    record: ResourceRecord, origin: DistanceOrigin, now: datetime, *, pinned: bool = False
) -> DirectoryEntry:
    distance = None
    if origin.position is not None and record.lat is not None and record.lon is not None:
        distance = haversine_miles(*origin.position, record.lat, record.lon)
    today: date = now.date()
    days = (today - record.last_verified).days if record.last_verified else None
    return DirectoryEntry(
        record, distance, is_open_at(record, now), days, is_stale(record, today), pinned
    )


def _filter(
    ctx: ServiceContext, query: DirectoryQuery, origin: DistanceOrigin
) -> tuple[resource_rows.ResourceFilter, datetime]:
    now = clinic_now(ctx)
    return (
        resource_rows.ResourceFilter(
            text=query.text,
            category=query.category,
            county=query.county,
            always_open=query.twenty_four_seven,
            open_at_minute=minute_of_week(now.weekday(), now.hour, now.minute)
            if query.open_now
            else None,
            exclude_national=True,
            near=origin.position if query.by_distance else None,
        ),
        now,
    )


def search_directory(
    ctx: ServiceContext,
    query: DirectoryQuery,
    origin: DistanceOrigin,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> DirectoryPage:
    """One page of matching local resources, with distance, open-now and staleness."""
    flt, now = _filter(ctx, query, origin)
    offset = max(0, offset)
    with ctx.store.read() as conn:
        found = resource_rows.search_page(conn, flt, limit=limit, offset=offset, cap=COUNT_CAP)
    entries = [_entry(r, origin, now) for r in found.records]
    return DirectoryPage(entries, offset, found.total, found.capped)


def national_lines(ctx: ServiceContext, origin: DistanceOrigin) -> list[DirectoryEntry]:
    """The national lines (988, 911, SAMHSA, Crisis Text Line), always, whatever is stored."""
    with ctx.store.read() as conn:
        stored = resource_rows.national_resources(conn)
    numbers = {phone for record in stored for phone, _kind in record.phones}
    # A directory that was never seeded, or lost a line in a sync, still shows all four.
    missing = [r for r in built_in_national_lines() if r.phones[0][0] not in numbers]
    now = clinic_now(ctx)
    return [_entry(r, origin, now, pinned=True) for r in [*stored, *missing]]


def built_in_national_lines() -> list[ResourceRecord]:
    """The four national lines as shipped with oncall."""
    from oncall.domain.resource_record import parse_hsds_service
    from oncall.fixtures.national_lines import national_services

    return [parse_hsds_service(service) for service in national_services()]


def directory_counties(ctx: ServiceContext) -> list[str]:
    """Every county the directory names, for the county filter."""
    with ctx.store.read() as conn:
        return resource_rows.resource_counties(conn)


def record_referral(
    ctx: ServiceContext, episode_id: int, resource_id: str, note: str = ""
) -> TimelineEvent:
    """Put a referral to a directory resource on the episode's timeline (W3)."""
    with ctx.store.read() as conn:
        record = resource_rows.resource_by_id(conn, resource_id)
    if record is None:
        record = next((r for r in built_in_national_lines() if r.id == resource_id), None)
    if record is None:
        raise NotFound(f"There is no resource {resource_id} in the directory.")
    phone = record.phones[0][0] if record.phones else ""
    text = f"Referred to {record.name}" + (f" ({phone})" if phone else "")
    if note.strip():
        text += f": {note.strip()}"
    body = {"text": text, "resource": record.name, "resource_id": record.id, "phone": phone}
    return record_event(ctx, episode_id, EventKind.REFERRAL, body)
