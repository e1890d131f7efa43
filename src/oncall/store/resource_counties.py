"""The counties each resource serves as rows of their own, so the county filter reads an index.

A resource matches a county when it is a national line, when its `county` column is
that county, or when its `counties_served` JSON text holds the county as a JSON string
(`instr`, see `COUNTY_CLAUSE`). That test reads every row of the directory (40-140 ms
over 50,000); this table, derived by triggers as the category table is, lists each
resource under its county and under every county its array names. The name and the
national flag are copied beside each county so that one index walk gives a county's
resources in the directory's order (national lines first, then by name, then by id);
the position, status and 24/7 so that "nearest first" in a county orders and filters
the county's rows without reading the table (store/resources.py `_county_nearest`).

The table only narrows: the query still applies `COUNTY_CLAUSE` to each row it gives,
so a superset is enough. A resource the rows could not describe exactly is listed once
under the key `WILDCARD` ('', never a county filter: an empty county is no filter) and
tested by the clause for every county asked: a national line (it matches every county),
and a `counties_served` that is not a plain JSON array of strings without a backslash
(not JSON, another JSON value, an element that is not a string, an escape: its text may
hold a county the decoded elements do not, or the reverse). For a plain array every
quote in the text opens or closes an element, so the text holds `"county"` exactly
when an element is that county, or when the county is nothing but the commas and
spaces between two elements (`county_indexable` sends such a filter to the full scan).
"""

from __future__ import annotations

WILDCARD = ""
"""The key of a resource that every county filter must test (see the module's text)."""

COUNTY_CLAUSE = "(r.national = 1 OR r.county = ? OR instr(r.counties_served, ?) > 0)"
"""A WHERE clause on `resources r`: the resource matches the county. Takes the county and
its JSON text (`rows.dumps`)."""

_SEPARATORS = " \t\n\r,"
"""What stands between two elements of a JSON array."""


def county_indexable(county: str) -> bool:
    """Whether the table finds every resource `COUNTY_CLAUSE` lets through for `county`."""
    return bool(county.strip(_SEPARATORS))


def _plain(row: str) -> str:
    """SQL true when `row`'s counties_served is a plain JSON array of strings, no escapes."""
    served = f"{row}.counties_served"
    # CASE: the JSON functions only ever see valid JSON text (they fail on anything else)
    return (
        f"(CASE WHEN typeof({served}) = 'text' AND json_valid({served}) THEN"
        f" instr({served}, '\\') = 0 AND json_type({served}) = 'array'"
        f" AND NOT EXISTS (SELECT 1 FROM json_each({served}) AS t WHERE t.type IS NOT 'text')"
        " ELSE 0 END)"
    )


_COPIED = ("national", "name", "lat", "lon", "status", "always_open")
"""The columns of `resources` copied beside each county: its order, and nearest first."""


def _rows(row: str, source: str = "") -> str:
    """(resource_id, county, *_COPIED) of `row`: one per county, or one WILDCARD.

    A county named twice (in the column and the array) gives one row; an empty or
    missing one none. `source` is the table `row` is read from, if any (the backfill).
    """
    served = f"{row}.counties_served"
    wild = f"({row}.national = 1 OR ({served} IS NOT NULL AND NOT {_plain(row)}))"
    each = f"json_each(CASE WHEN {_plain(row)} THEN {served} ELSE '[]' END) AS e"
    kept = ", ".join(f"{row}.{column}" for column in _COPIED)
    return (
        f"SELECT {row}.id, '{WILDCARD}', {kept}{f' FROM {source}' if source else ''}"
        f" WHERE {wild}"
        f" UNION SELECT {row}.id, {row}.county, {kept}{f' FROM {source}' if source else ''}"
        f" WHERE {row}.county IS NOT NULL AND {row}.county IS NOT '{WILDCARD}' AND NOT {wild}"
        f" UNION SELECT {row}.id, e.value, {kept} FROM {f'{source}, ' if source else ''}{each}"
        f" WHERE e.value IS NOT '{WILDCARD}' AND NOT {wild}"
    )


_INSERT = f"INSERT INTO resource_counties (resource_id, county, {', '.join(_COPIED)})"

MIGRATION_SQL = f"""
CREATE TABLE resource_counties (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    county TEXT NOT NULL,
    national INTEGER NOT NULL,
    name TEXT NOT NULL,
    lat REAL,
    lon REAL,
    status TEXT,
    always_open INTEGER,
    PRIMARY KEY (county, resource_id)
) WITHOUT ROWID;
CREATE INDEX resource_counties_by_name
    ON resource_counties(county, national DESC, name, resource_id);
CREATE INDEX resource_counties_by_resource ON resource_counties(resource_id);
CREATE TRIGGER resource_counties_ai AFTER INSERT ON resources BEGIN
    DELETE FROM resource_counties WHERE resource_id = new.id;
    {_INSERT} {_rows("new")};
END;
CREATE TRIGGER resource_counties_au
AFTER UPDATE OF id, county, counties_served, {", ".join(_COPIED)} ON resources
WHEN old.id IS NOT new.id OR old.county IS NOT new.county
    OR old.counties_served IS NOT new.counties_served
    OR {" OR ".join(f"old.{c} IS NOT new.{c}" for c in _COPIED)}
BEGIN
    DELETE FROM resource_counties WHERE resource_id IN (old.id, new.id);
    {_INSERT} {_rows("new")};
END;
CREATE TRIGGER resource_counties_ad AFTER DELETE ON resources BEGIN
    DELETE FROM resource_counties WHERE resource_id = old.id;
END;
{_INSERT} {_rows("r", "resources AS r")};
"""
"""The table, the triggers that keep it in step, and the rows of every stored resource."""
