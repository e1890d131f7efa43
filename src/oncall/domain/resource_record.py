"""A directory entry (W9) read from an HSDS 3.0 service, its JSON, paged or tabular form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from oncall.domain.hsds_fields import (
    first_location,
    languages_of,
    phones_of,
    read_address,
    read_areas,
    read_categories,
    read_date,
    read_float,
    read_hours,
    text,
)
from oncall.domain.hsds_tables import Tables, nest_hsds_tables
from oncall.domain.opening_hours import (
    OpeningHours,
    covers_whole_week,
    describe_hours,
    is_open,
)

STALE_AFTER_DAYS = 180

__all__ = [
    "STALE_AFTER_DAYS",
    "OpeningHours",
    "ResourceError",
    "ResourceRecord",
    "ServicesPage",
    "is_open_at",
    "is_stale",
    "parse_hsds_service",
    "parse_hsds_tables",
    "records_from_services_page",
]


@dataclass(frozen=True)
class ResourceRecord:
    """One service in the resource directory, flattened for search and display."""

    id: str
    name: str
    organization: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()
    phones: tuple[tuple[str, str], ...] = ()
    address: str | None = None
    city: str | None = None
    county: str | None = None
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None
    always_open: bool = False
    schedule: tuple[str, ...] = ()
    hours: tuple[OpeningHours, ...] = ()
    languages: tuple[str, ...] = ()
    counties_served: tuple[str, ...] = ()
    national: bool = False
    status: str = "active"
    last_verified: date | None = None
    url: str | None = None
    email: str | None = None
    damaged: tuple[str, ...] = ()
    """Stored fields (column names) that could not be read and are shown empty; () when none."""


class ResourceError(ValueError):
    """A directory record that was rejected, naming the field at fault."""

    def __init__(self, field: str, message: str, record_id: str | None = None) -> None:
        self.field = field
        self.message = message
        self.record_id = record_id
        where = f"service {record_id}: " if record_id else ""
        super().__init__(f"{where}{field}: {message}")


@dataclass(frozen=True)
class ServicesPage:
    """One page of an HSDS /services response, parsed."""

    results: tuple[ResourceRecord | ResourceError, ...]
    page_number: int
    total_pages: int
    total_items: int
    last_page: bool


def parse_hsds_service(obj: object) -> ResourceRecord:
    """Read one dereferenced HSDS 3.0 service; raise ResourceError if it has no id or name."""
    if not isinstance(obj, Mapping):
        raise ResourceError("service", f"expected a JSON object, got {type(obj).__name__}")
    service_id = text(obj.get("id"))
    if service_id is None:
        raise ResourceError("id", "the service has no id")
    name = text(obj.get("name"))
    if name is None:
        raise ResourceError("name", "the service has no name", record_id=service_id)
    raw_org = obj.get("organization")
    org: Mapping[str, object] = raw_org if isinstance(raw_org, Mapping) else {}
    location = first_location(obj)
    address = read_address(location)
    lat, lon = read_float(location.get("latitude")), read_float(location.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    categories, flagged_national = read_categories(obj)
    counties, area_national = read_areas(obj)
    county = address.county
    hours, free_text = read_hours(obj, location)
    always_open = covers_whole_week(hours)
    return ResourceRecord(
        id=service_id,
        name=name,
        organization=text(org.get("name")) or "",
        description=text(obj.get("description"), multiline=True) or "",
        categories=categories,
        phones=phones_of(obj, org, location),
        address=address.street,
        city=address.city,
        county=county,
        zip=address.postal_code,
        lat=lat,
        lon=lon,
        always_open=always_open,
        schedule=describe_hours(hours) or free_text,
        hours=hours,
        languages=languages_of(obj, location),
        counties_served=counties or ((county,) if county else ()),
        national=flagged_national or area_national,
        # status is required by HSDS; a feed that leaves it out is listing the service
        status=(text(obj.get("status")) or "active").lower(),
        last_verified=read_date(obj.get("assured_date")) or read_date(obj.get("last_modified")),
        url=text(obj.get("url")) or text(org.get("website")) or text(org.get("url")),
        email=text(obj.get("email")) or text(org.get("email")),
    )


def parse_hsds_tables(tables: Tables) -> Iterator[ResourceRecord | ResourceError]:
    """Records from the HSDS tabular form: table file name to rows (the caller reads CSVs)."""
    for service in nest_hsds_tables(tables):
        try:
            yield parse_hsds_service(service)
        except ResourceError as error:
            yield error


def records_from_services_page(value: object) -> ServicesPage:
    """Parse a paged /services response (or a bare JSON array of services as one page)."""
    if isinstance(value, list):
        items: list[object] = value
        page_number, total_pages, total_items = 1, 1, len(items)
        last_page: bool | None = True
    elif isinstance(value, Mapping):
        contents = value.get("contents", [] if value.get("empty") is True else None)
        if not isinstance(contents, list):
            raise ResourceError("contents", "a /services page must hold a 'contents' array")
        items = contents
        page_number = _int(value.get("page_number"), 1)
        total_pages = _int(value.get("total_pages"), page_number)
        total_items = _int(value.get("total_items"), len(items))
        flag = value.get("last_page")
        last_page = flag if isinstance(flag, bool) else None
    else:
        kind = type(value).__name__
        raise ResourceError("contents", f"expected a page object or an array, got {kind}")
    results: list[ResourceRecord | ResourceError] = []
    for item in items:
        try:
            results.append(parse_hsds_service(item))
        except ResourceError as error:
            results.append(error)
    if last_page is None:
        last_page = page_number >= total_pages
    return ServicesPage(tuple(results), page_number, total_pages, total_items, last_page)


def _int(value: object, default: int) -> int:
    """A whole number from a page header, or the default."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return default
    try:
        return int(value)
    except ValueError:
        return default


def is_open_at(record: ResourceRecord, local_dt: datetime) -> bool:
    """Whether the service is open at `local_dt`, read as the place's wall-clock time."""
    return record.always_open or is_open(record.hours, local_dt)


def is_stale(record: ResourceRecord, today: date) -> bool:
    """True when the entry was never verified or was last verified over 180 days ago."""
    if record.last_verified is None:
        return True
    return (today - record.last_verified).days > STALE_AFTER_DAYS
