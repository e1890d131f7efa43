"""Join the HSDS 3.0 tabular form (one table per CSV file) into dereferenced services."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

Row = Mapping[str, str]
Tables = Mapping[str, Sequence[Row]]
Nested = dict[str, object]

# HSDS 3.0 datapackage resource names; files are the plural name + ".csv".
TABLE_FILES = {
    "service": "services.csv",
    "organization": "organizations.csv",
    "phone": "phones.csv",
    "schedule": "schedules.csv",
    "location": "locations.csv",
    "service_at_location": "service_at_locations.csv",
    "address": "addresses.csv",
    "language": "languages.csv",
    "service_area": "service_areas.csv",
    "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv",
}


def table_rows(tables: Tables, name: str) -> list[Nested]:
    """Rows of one table, found by file name, plural or resource name; blank cells dropped."""
    file_name = TABLE_FILES[name]
    for key in (file_name, file_name.removesuffix(".csv"), name, f"{name}.csv"):
        if key in tables:
            return [_clean(row) for row in tables[key]]
    return []


def _clean(row: Row) -> Nested:
    """A row without its empty cells, so that blank means absent as in the JSON form."""
    return {key: value for key, value in row.items() if key and value not in ("", None)}


def _index(rows: list[Nested], key: str) -> dict[str, list[Nested]]:
    """Rows grouped by the value of one foreign-key column."""
    grouped: dict[str, list[Nested]] = {}
    for row in rows:
        value = row.get(key)
        if isinstance(value, str):
            grouped.setdefault(value, []).append(row)
    return grouped


class _Index:
    """Every table of a package indexed by the keys the join needs."""

    def __init__(self, tables: Tables) -> None:
        phones = table_rows(tables, "phone")
        schedules = table_rows(tables, "schedule")
        languages = table_rows(tables, "language")
        areas = table_rows(tables, "service_area")
        self.services = table_rows(tables, "service")
        self.organizations = {
            str(row["id"]): row for row in table_rows(tables, "organization") if "id" in row
        }
        self.locations = {
            str(row["id"]): row for row in table_rows(tables, "location") if "id" in row
        }
        self.terms = {
            str(row["id"]): row for row in table_rows(tables, "taxonomy_term") if "id" in row
        }
        self.sals_by_service = _index(table_rows(tables, "service_at_location"), "service_id")
        self.addresses_by_location = _index(table_rows(tables, "address"), "location_id")
        self.attributes_by_link = _index(table_rows(tables, "attribute"), "link_id")
        self.phones = {key: _index(phones, key) for key in _OWNER_KEYS}
        self.schedules = {key: _index(schedules, key) for key in _OWNER_KEYS}
        self.languages = {key: _index(languages, key) for key in _OWNER_KEYS}
        self.areas = {key: _index(areas, key) for key in _OWNER_KEYS}


_OWNER_KEYS = ("service_id", "location_id", "organization_id", "service_at_location_id")


def nest_hsds_tables(tables: Tables) -> Iterator[Nested]:
    """Each service row with its organization, phones, schedules, locations and terms nested."""
    index = _Index(tables)
    for row in index.services:
        yield _nest_service(index, row)


def _nest_service(index: _Index, row: Nested) -> Nested:
    """One service in the dereferenced (JSON) shape."""
    service = dict(row)
    sid = str(row.get("id", ""))
    org_id = str(row.get("organization_id", ""))
    if org_id in index.organizations:
        organization = dict(index.organizations[org_id])
        organization["phones"] = index.phones["organization_id"].get(org_id, [])
        service["organization"] = organization
    service["phones"] = index.phones["service_id"].get(sid, [])
    service["schedules"] = index.schedules["service_id"].get(sid, [])
    service["languages"] = index.languages["service_id"].get(sid, [])
    service["service_areas"] = index.areas["service_id"].get(sid, [])
    service["attributes"] = [
        _with_term(index, attribute)
        for attribute in index.attributes_by_link.get(sid, [])
        if attribute.get("link_entity", "service") == "service"
    ]
    service["service_at_locations"] = [
        _nest_service_at_location(index, sal) for sal in index.sals_by_service.get(sid, [])
    ]
    return service


def _with_term(index: _Index, attribute: Nested) -> Nested:
    """An attribute row with its taxonomy term nested, as in the JSON form."""
    nested = dict(attribute)
    term = index.terms.get(str(attribute.get("taxonomy_term_id", "")))
    if term is not None:
        nested["taxonomy_term"] = dict(term)
    return nested


def _nest_service_at_location(index: _Index, sal: Nested) -> Nested:
    """A service-at-location row with its location, addresses and own details nested."""
    nested = dict(sal)
    sal_id = str(sal.get("id", ""))
    nested["phones"] = index.phones["service_at_location_id"].get(sal_id, [])
    nested["schedules"] = index.schedules["service_at_location_id"].get(sal_id, [])
    nested["service_areas"] = index.areas["service_at_location_id"].get(sal_id, [])
    loc_id = str(sal.get("location_id", ""))
    if loc_id in index.locations:
        location = dict(index.locations[loc_id])
        location["addresses"] = index.addresses_by_location.get(loc_id, [])
        location["languages"] = index.languages["location_id"].get(loc_id, [])
        location["phones"] = index.phones["location_id"].get(loc_id, [])
        location["schedules"] = index.schedules["location_id"].get(loc_id, [])
        nested["location"] = location
    return nested
