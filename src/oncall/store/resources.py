"""The resource directory: upsert by id, never delete, search with FTS5."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord
from oncall.store.resource_hours import replace_hours
from oncall.store.rows import dumps

_COLUMNS = (
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
    f"INSERT INTO resources ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
    " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "id")
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


def search_resources(
    conn: sqlite3.Connection, flt: ResourceFilter, *, limit: int = 200, offset: int = 0
) -> list[ResourceRecord]:
    """Resources matching the filter: national lines first, then by relevance or name."""
    clauses: list[str] = []
    params: list[object] = []
    join = ""
    order = "r.national DESC, r.name, r.id"
    match = fts_query(flt.text)
    if match:
        join = "JOIN resources_fts f ON f.rowid = r.rowid"
        clauses.append("resources_fts MATCH ?")
        params.append(match)
        order = "r.national DESC, f.rank, r.name"
    if flt.category:
        clauses.append("EXISTS (SELECT 1 FROM json_each(r.categories) WHERE value = ?)")
        params.append(flt.category)
    if flt.county:
        clauses.append(
            "(r.national = 1 OR r.county = ? OR EXISTS"
            " (SELECT 1 FROM json_each(r.counties_served) WHERE value = ?))"
        )
        params += [flt.county, flt.county]
    if flt.always_open:
        clauses.append("r.always_open = 1")
    if not flt.include_inactive:
        clauses.append("r.status = 'active'")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT r.* FROM resources r {join} {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return [resource_from_row(r) for r in rows]


def resource_counties(conn: sqlite3.Connection) -> list[str]:
    """Every county named in the directory."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT county FROM resources WHERE county IS NOT NULL ORDER BY county"
        )
    ]
