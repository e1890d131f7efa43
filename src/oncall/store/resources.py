"""The resource directory: upsert by id, never delete, search with FTS5."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from datetime import date

from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord
from oncall.store.resource_hours import OPEN_AT_CLAUSE, replace_hours
from oncall.store.rows import dumps

RESOURCE_COLUMNS = (  # the order of the values an upsert takes
    "id",
    "name",
    "organization",
    "description",
    "categories",
    "phones",
    "address",
    "city",
    "county",
    "zip",
    "lat",
    "lon",
    "always_open",
    "schedule",
    "languages",
    "counties_served",
    "national",
    "status",
    "last_verified",
    "url",
    "email",
    "updated_at",
)
_UPSERT = (
    f"INSERT INTO resources ({', '.join(RESOURCE_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in RESOURCE_COLUMNS)})"
    " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in RESOURCE_COLUMNS if c != "id")
)


def _values(record: ResourceRecord, updated_at: str) -> tuple[object, ...]:
    schedule = {"text": list(record.schedule), "hours": [list(h) for h in record.hours]}
    return (
        record.id,
        record.name,
        record.organization,
        record.description,
        dumps(list(record.categories)),
        dumps([list(p) for p in record.phones]),
        record.address,
        record.city,
        record.county,
        record.zip,
        record.lat,
        record.lon,
        int(record.always_open),
        dumps(schedule),
        dumps(list(record.languages)),
        dumps(list(record.counties_served)),
        int(record.national),
        record.status,
        record.last_verified.isoformat() if record.last_verified else None,
        record.url,
        record.email,
        updated_at,
    )


def upsert_resource(conn: sqlite3.Connection, record: ResourceRecord, updated_at: str) -> bool:
    """Insert or update a resource by id; True when it was new."""
    existed = conn.execute("SELECT 1 FROM resources WHERE id = ?", (record.id,)).fetchone()
    conn.execute(_UPSERT, _values(record, updated_at))
    replace_hours(conn, record.id, record.hours)
    return existed is None


def mark_inactive_except(conn: sqlite3.Connection, keep_ids: set[str], updated_at: str) -> int:
    """Mark every non-national resource not in `keep_ids` inactive (never deleted)."""
    rows = conn.execute(
        "SELECT id FROM resources WHERE status = 'active' AND national = 0"
    ).fetchall()
    gone = [r[0] for r in rows if r[0] not in keep_ids]
    for start in range(0, len(gone), 500):
        chunk = gone[start : start + 500]
        conn.execute(
            f"UPDATE resources SET status = 'inactive', updated_at = ?"
            f" WHERE id IN ({', '.join('?' for _ in chunk)})",
            (updated_at, *chunk),
        )
    return len(gone)


def resource_statuses(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """The stored status of each of `ids` that exists (for counting what a sync inactivated)."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            f"SELECT id, status FROM resources WHERE id IN ({', '.join('?' for _ in chunk)})",
            chunk,
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def resource_from_row(row: sqlite3.Row) -> ResourceRecord:
    """A resources row as a ResourceRecord."""
    schedule = json.loads(row["schedule"])
    return ResourceRecord(
        id=row["id"],
        name=row["name"],
        organization=row["organization"],
        description=row["description"],
        categories=tuple(json.loads(row["categories"])),
        phones=tuple((p[0], p[1]) for p in json.loads(row["phones"])),
        address=row["address"],
        city=row["city"],
        county=row["county"],
        zip=row["zip"],
        lat=row["lat"],
        lon=row["lon"],
        always_open=bool(row["always_open"]),
        schedule=tuple(schedule.get("text", [])),
        hours=tuple(
            OpeningHours(int(h[0]), str(h[1]), str(h[2])) for h in schedule.get("hours", [])
        ),
        languages=tuple(json.loads(row["languages"])),
        counties_served=tuple(json.loads(row["counties_served"])),
        national=bool(row["national"]),
        status=row["status"],
        last_verified=date.fromisoformat(row["last_verified"]) if row["last_verified"] else None,
        url=row["url"],
        email=row["email"],
    )


def resource_by_id(conn: sqlite3.Connection, resource_id: str) -> ResourceRecord | None:
    """One resource."""
    row = conn.execute("SELECT * FROM resources WHERE id = ?", (resource_id,)).fetchone()
    return resource_from_row(row) if row else None


def fts_query(text: str) -> str:
    """A user's words as a safe FTS5 prefix query (every word quoted)."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)


@dataclass(frozen=True)
class ResourceFilter:
    """What the directory is narrowed to."""

    text: str = ""
    category: str | None = None
    county: str | None = None
    always_open: bool = False
    include_inactive: bool = False
    open_at_minute: int | None = None
    """Only resources open at this minute of the week (Monday 00:00 = 0, place's own time)."""
    exclude_national: bool = False
    """Leave out the national lines (the directory pins them above the results)."""
    near: tuple[float, float] | None = None
    """Order by distance from this (lat, lon), nearest first; those without coordinates last."""


FTS_DRIVES_BELOW = 2000
"""A text search matching fewer rows than this reads the matches first, then sorts them;
one matching more walks the name index and keeps the matches (it stops after a page)."""


def _conditions(
    flt: ResourceFilter, *, fts_join: bool, by_name: bool = False
) -> tuple[str, list[object]]:
    """The WHERE clause on `resources r` (joined to `resources_fts f` when `fts_join`).

    `by_name` lets the planner walk the name index (the page is in name order);
    otherwise a "+" keeps it off that index: walking it reads rows at random, five
    times slower than scanning the table when every row must be looked at.
    """
    clauses: list[str] = []
    params: list[object] = []
    match = fts_query(flt.text)
    if match and fts_join:
        clauses.append("resources_fts MATCH ?")
        params.append(match)
    elif match:
        clauses.append("+r.rowid IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?)")
        params.append(match)
    # Looking for the quoted JSON string in the stored array finds exactly that element
    # (same encoder, so same escaping) at a tenth of the cost of json_each per row.
    if flt.category:
        clauses.append("instr(r.categories, ?) > 0")
        params.append(dumps(flt.category))
    if flt.county:
        clauses.append("(r.national = 1 OR r.county = ? OR instr(r.counties_served, ?) > 0)")
        params += [flt.county, dumps(flt.county)]
    if flt.always_open:
        clauses.append("r.always_open = 1")
    if flt.open_at_minute is not None:
        clauses.append(OPEN_AT_CLAUSE)
        params += [flt.open_at_minute, flt.open_at_minute]
    if flt.exclude_national:
        clauses.append("r.national = 0" if by_name else "+r.national = 0")
    if not flt.include_inactive:
        clauses.append("r.status = 'active'")
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _source(conn: sqlite3.Connection, flt: ResourceFilter) -> tuple[str, bool]:
    """FROM clause, and whether the full-text index drives (few matches) or the name index."""
    match = fts_query(flt.text)
    if not match:
        return "FROM resources r", False
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM resources_fts WHERE resources_fts MATCH ? LIMIT ?)",
        (match, FTS_DRIVES_BELOW),
    ).fetchone()
    if int(row[0]) < FTS_DRIVES_BELOW:
        # CROSS JOIN fixes the loop order: the matches first, each looked up by rowid
        return "FROM resources_fts f CROSS JOIN resources r ON r.rowid = f.rowid", True
    return "FROM resources r", False


def _order(flt: ResourceFilter, params: list[object]) -> str:
    """ORDER BY for the filter: national lines first, then nearest or by name."""
    if flt.near is None:
        return "r.national DESC, r.name, r.id"
    lat, lon = flt.near
    # Equirectangular distance: plain arithmetic SQLite sorts fast, and within a region
    # it orders places as the haversine does; the exact miles are computed for the rows
    # shown.
    params += [lat, lat, lon, lon, math.cos(math.radians(lat)) ** 2]
    return ("" if flt.exclude_national else "r.national DESC, ") + (
        "r.lat IS NULL, (r.lat - ?) * (r.lat - ?) + (r.lon - ?) * (r.lon - ?) * ?, r.rowid"
    )


@dataclass(frozen=True)
class ResourcePage:
    """One page of matching resources and how many match in all (counted up to a cap)."""

    records: list[ResourceRecord]
    total: int
    """Matches counted: exact below `offset + cap`, else that many."""
    capped: bool
    """True when counting stopped at the cap (there may be more)."""


def search_page(
    conn: sqlite3.Connection,
    flt: ResourceFilter,
    *,
    limit: int,
    offset: int = 0,
    cap: int = 200,
) -> ResourcePage:
    """A page of matches in order, and their number up to `offset + cap`, in few passes.

    Rowids are found first and only the page's rows read: sorting whole rows (their
    JSON columns included) of 50,000 matches is what would cost time. Walking the name
    index stops after the page, so the count is a second, capped pass; a scan (distance,
    a category, few text matches) sees every row anyway and gives both in one.
    """
    source, fts_join = _source(conn, flt)
    by_name = not (fts_join or flt.near or flt.category)
    where, params = _conditions(flt, fts_join=fts_join, by_name=by_name)
    order = _order(flt, params)
    select = f"SELECT r.rowid {source} {where} ORDER BY {order} LIMIT ? OFFSET ?"
    reach = offset + max(cap, limit + 1)  # at least one past the page: is there more?
    if by_name:
        rowids = [row[0] for row in conn.execute(select, (*params, limit, offset))]
        total = count_resources(conn, flt, cap=reach) if cap > 0 else offset + len(rowids)
    else:
        found = [row[0] for row in conn.execute(select, (*params, reach, 0))]
        rowids = found[offset : offset + limit]
        total = len(found)
    return ResourcePage(_read_rows(conn, rowids), total, cap > 0 and total >= reach)


def _read_rows(conn: sqlite3.Connection, rowids: list[int]) -> list[ResourceRecord]:
    """The resources with these rowids, in the order given."""
    if not rowids:
        return []
    marks = ", ".join("?" for _ in rowids)
    rows = {
        row["rowid"]: row
        for row in conn.execute(f"SELECT rowid, * FROM resources WHERE rowid IN ({marks})", rowids)
    }
    return [resource_from_row(rows[rowid]) for rowid in rowids if rowid in rows]


def search_resources(
    conn: sqlite3.Connection, flt: ResourceFilter, *, limit: int = 200, offset: int = 0
) -> list[ResourceRecord]:
    """Resources matching the filter: national lines first, then by distance or by name."""
    return search_page(conn, flt, limit=limit, offset=offset, cap=0).records


def count_resources(conn: sqlite3.Connection, flt: ResourceFilter, *, cap: int = 1000) -> int:
    """How many resources match, counting no further than `cap` (counting all costs time)."""
    source, fts_join = _source(conn, flt)
    where, params = _conditions(flt, fts_join=fts_join)
    row = conn.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 {source} {where} LIMIT ?)", (*params, cap)
    ).fetchone()
    return int(row[0])


def national_resources(conn: sqlite3.Connection) -> list[ResourceRecord]:
    """The active national lines, by name."""
    rows = conn.execute(
        "SELECT * FROM resources WHERE national = 1 AND status = 'active' ORDER BY name, id"
    ).fetchall()
    return [resource_from_row(r) for r in rows]


def zip_centroid(conn: sqlite3.Connection, zip_code: str) -> tuple[float, float] | None:
    """The mean position of the directory's and clients' addresses in a zip code, if any."""
    row = conn.execute(
        "SELECT AVG(lat), AVG(lon) FROM (SELECT lat, lon FROM resources WHERE zip = ?1"
        " AND lat IS NOT NULL AND lon IS NOT NULL UNION ALL SELECT lat, lon FROM clients"
        " WHERE zip = ?1 AND lat IS NOT NULL AND lon IS NOT NULL)",
        (zip_code,),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return float(row[0]), float(row[1])


def resource_counties(conn: sqlite3.Connection) -> list[str]:
    """Every county named in the directory."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT county FROM resources WHERE county IS NOT NULL ORDER BY county"
        )
    ]
