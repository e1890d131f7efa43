"""The resource directory: upsert by id, never delete, search with FTS5."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, replace
from typing import Literal

from oncall.domain.resource_record import ResourceRecord
from oncall.store.resource_categories import CATEGORY_CLAUSE
from oncall.store.resource_counties import COUNTY_CLAUSE, WILDCARD, county_indexable
from oncall.store.resource_hours import OPEN_AT_CLAUSE, replace_hours
from oncall.store.resource_rows import resource_from_row
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
_UPSERT_FROM = (  # the same, naming the entry's source
    f"INSERT INTO resources ({', '.join(RESOURCE_COLUMNS)}, source)"
    f" VALUES ({', '.join('?' for _ in RESOURCE_COLUMNS)}, ?)"
    " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in RESOURCE_COLUMNS if c != "id")
    # The source that added an entry keeps it; one stored before sources were recorded
    # is taken on by the first import or sync that lists it.
    + ", source = COALESCE(resources.source, excluded.source)"
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


def upsert_resource(
    conn: sqlite3.Connection, record: ResourceRecord, updated_at: str, source: str | None = None
) -> bool:
    """Insert or update a resource by id; True when it was new.

    `source` names where it came from (a sync's `sync:URL`, an imported file's name).
    """
    existed = conn.execute("SELECT 1 FROM resources WHERE id = ?", (record.id,)).fetchone()
    if source is None:
        conn.execute(_UPSERT, _values(record, updated_at))
    else:
        conn.execute(_UPSERT_FROM, (*_values(record, updated_at), source))
    replace_hours(conn, record.id, record.hours)
    return existed is None


def mark_inactive_except(
    conn: sqlite3.Connection, keep_ids: set[str], updated_at: str, *, source: str
) -> int:
    """Mark every non-national resource `source` added and not in `keep_ids` inactive.

    Only that source's own entries: another directory's, a file imported by hand, or one
    stored before sources were recorded (no source) is never touched by this sync.
    """
    rows = conn.execute(
        "SELECT id FROM resources WHERE source = ? AND status = 'active' AND national = 0",
        (source,),
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


def active_from_elsewhere(conn: sqlite3.Connection, keep_ids: set[str], source: str) -> int:
    """Active non-national entries not in `keep_ids` that `source` did not add (left alone)."""
    rows = conn.execute(
        "SELECT id FROM resources WHERE source IS NOT ? AND status = 'active' AND national = 0",
        (source,),
    ).fetchall()
    return sum(1 for r in rows if r[0] not in keep_ids)


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

Driver = Literal["table", "fts", "category", "county"]
"""What a search reads first: the resources table (or one of its indexes), the full-text
matches (few of them), a category's rows in `resource_categories` or a county's in
`resource_counties` (in name order)."""


def _conditions(
    flt: ResourceFilter,
    *,
    driver: Driver,
    by_name: bool = False,
    boxed: bool = False,
    county_key: str | None = None,
) -> tuple[str, list[object]]:
    """The WHERE clause on `resources r`, and on `f`, `c` or `k` when `driver` reads those first.

    `by_name` lets the planner walk the name index (the page is in name order);
    otherwise a "+" keeps it off that index: walking it reads rows at random, five
    times slower than scanning the table when every row must be looked at. `boxed`
    (rows read from the position index) tests the county last: it alone needs the
    table's row, a random read, so it waits until the other filters have run.

    The county driver reads the county's rows and the WILDCARD ones of `k`
    (resource_counties), or only those under `county_key` when given; either way
    the county's own test runs on each row too (the table narrows, the test decides).
    """
    # SQLite tests the terms in this order: plain columns first (on a scan of the table
    # or of the position index they cost nothing), then the lookups, so that these run
    # only for the rows that are left (a text match's lookup after "24/7": 16 ms -> 7).
    # "+" on status and 24/7 too: no index serves them, and without statistics an
    # equality on a column of the position index makes the planner walk that index and
    # read the table row by row when it must (a county: 150 ms instead of 35).
    clauses: list[str] = []
    params: list[object] = []
    if driver == "county" and county_key is not None:
        clauses.append("k.county = ?")
        params.append(county_key)
    elif driver == "county":
        clauses.append("k.county IN (?, ?)")
        params += [flt.county, WILDCARD]
    if flt.exclude_national:
        clauses.append("r.national = 0" if by_name else "+r.national = 0")
    if not flt.include_inactive:
        clauses.append("+r.status = 'active'")
    if flt.always_open:
        clauses.append("+r.always_open = 1")
    county: tuple[str, list[object]] | None = None
    if flt.county:
        county = COUNTY_CLAUSE, [flt.county, dumps(flt.county)]
    if county and not boxed:
        clauses.append(county[0])
        params += county[1]
    match = fts_query(flt.text)
    if match and driver == "fts":
        clauses.append("resources_fts MATCH ?")
        params.append(match)
    elif match:
        clauses.append("+r.rowid IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?)")
        params.append(match)
    if flt.category:
        clauses.append("c.category = ?" if driver == "category" else CATEGORY_CLAUSE)
        params.append(flt.category)
    if flt.open_at_minute is not None:
        clauses.append(OPEN_AT_CLAUSE)
        params += [flt.open_at_minute, flt.open_at_minute]
    if county and boxed:
        clauses.append(county[0])
        params += county[1]
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _count_matches(conn: sqlite3.Connection, match: str, cap: int) -> int:
    """How many resources the full-text query matches, counting no further than `cap`."""
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM resources_fts WHERE resources_fts MATCH ? LIMIT ?)",
        (match, cap),
    ).fetchone()
    return int(row[0])


_BY_CATEGORY = "FROM resource_categories c CROSS JOIN resources r ON r.id = c.resource_id"
_BY_COUNTY = "FROM resource_counties k CROSS JOIN resources r ON r.id = k.resource_id"


def _county_rows(conn: sqlite3.Connection, county: str, cap: int) -> int:
    """How many rows the county index lists for `county` (WILDCARD ones too), up to `cap`."""
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM resource_counties WHERE county IN (?, ?) LIMIT ?)",
        (county, WILDCARD, cap),
    ).fetchone()
    return int(row[0])


def _category_rows(conn: sqlite3.Connection, category: str, cap: int) -> int:
    """How many resources list `category`, counting no further than `cap`."""
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM resource_categories WHERE category = ? LIMIT ?)",
        (category, cap),
    ).fetchone()
    return int(row[0])


COUNTY_ROWS_CAP = 100_000
"""Counting a county's rows (to weigh it against a category's) stops here."""


def _source(conn: sqlite3.Connection, flt: ResourceFilter) -> tuple[str, Driver]:
    """FROM clause, and what it reads first.

    The full-text matches when there are few; else a category's or a county's rows,
    from the index that lists them in the directory's order (with both, whichever has
    fewer: the walk reads at most those); else the resources table.
    """
    match = fts_query(flt.text)
    if match and _count_matches(conn, match, FTS_DRIVES_BELOW) < FTS_DRIVES_BELOW:
        # CROSS JOIN fixes the loop order: the matches first, each looked up by rowid
        return "FROM resources_fts f CROSS JOIN resources r ON r.rowid = f.rowid", "fts"
    by_county = bool(flt.county) and county_indexable(flt.county or "")
    if flt.category and by_county:
        county_rows = _county_rows(conn, flt.county or "", COUNTY_ROWS_CAP)
        if _category_rows(conn, flt.category, county_rows + 1) <= county_rows:
            return _BY_CATEGORY, "category"
        return _BY_COUNTY, "county"
    if flt.category:
        return _BY_CATEGORY, "category"
    if by_county:
        return _BY_COUNTY, "county"
    return "FROM resources r", "table"


_DISTANCE = "(r.lat - ?) * (r.lat - ?) + (r.lon - ?) * (r.lon - ?) * ?"
"""The squared equirectangular distance from a point, in degrees of latitude (on `r`).

Plain arithmetic SQLite sorts fast, and within a region it orders places as the
haversine does; the exact miles are computed for the rows shown. Takes
`_distance_params`.
"""


def _lon_scale(lat: float) -> float:
    """What a degree of longitude weighs against one of latitude, squared, at `lat`."""
    return math.cos(math.radians(lat)) ** 2


def _distance_params(near: tuple[float, float]) -> list[object]:
    """The parameters of `_DISTANCE` from `near` (lat, lon)."""
    lat, lon = near
    return [lat, lat, lon, lon, _lon_scale(lat)]


def _order(flt: ResourceFilter, params: list[object], driver: Driver = "table") -> str:
    """ORDER BY for the filter: national lines first, then nearest or by name."""
    if flt.near is None:
        # a category's index holds the same three values in this order: no sort
        if driver == "category":
            return "c.national DESC, c.name, c.resource_id"
        if driver == "county":
            return "k.national DESC, k.name, k.resource_id"
        return "r.national DESC, r.name, r.id"
    params += _distance_params(flt.near)
    return ("" if flt.exclude_national else "r.national DESC, ") + (
        f"r.lat IS NULL, {_DISTANCE}, r.rowid"
    )


BOX_START_DEGREES = 0.02
"""Half the side of the first box tried around the origin (about 1.4 miles)."""
BOX_SAMPLE = 100
"""Rows around the origin the filters other than the text are tried on, to learn what
share of a box they keep there (a county far away: none, so no box is tried)."""
BOX_MARGIN = 2.0
"""A box is sized to hold this many times the rows wanted, at the share expected to
match: the circle inside a square covers 79% of it, and matches are not spread evenly."""
BOX_BELOW_SHARE = 0.25
"""Nearest first reads a box around the origin while the box would hold less than this
share of the directory; past it, reading everything costs about the same."""
_BOX_SIZINGS = 6
"""Counts at most, growing a box until it holds enough rows; then everything is read."""
_BOX_SLACK = 1e-9
"""Added to a box's half-side (relative and absolute) so that rounding never leaves out
a row whose distance puts it inside the circle the box is checked against."""


@dataclass(frozen=True)
class _Boxes:
    """Boxes around one origin, sized to hold enough rows for the first `reach` matches."""

    conn: sqlite3.Connection
    flt: ResourceFilter
    reach: int
    limit: float
    """More rows than this in a box, and reading everything is as cheap."""

    def bounds(self, radius: float) -> list[object]:
        """lon from, lon to, lat from, lat to: the box holding the circle of `radius`."""
        assert self.flt.near is not None
        lat, lon = self.flt.near
        half = radius * (1 + _BOX_SLACK) + _BOX_SLACK
        wide = half / math.sqrt(_lon_scale(lat))
        return [lon - wide, lon + wide, lat - half, lat + half]

    def held(self, radius: float) -> int:
        """How many rows the box holds that status and national let through.

        The position index answers alone, without reading the table; counting stops
        past `limit` (a box around an origin far from every resource holds them all).
        """
        # "+": without statistics the planner would walk the name index for national = 0
        kept = "+r.national = 0" + (
            "" if self.flt.include_inactive else " AND +r.status = 'active'"
        )
        row = self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM resources r"
            f" WHERE r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ? AND {kept} LIMIT ?)",
            (*self.bounds(radius), int(self.limit) + 1),
        ).fetchone()
        return int(row[0])

    def kept_nearby(self) -> tuple[float, float] | None:
        """A radius whose box holds about BOX_SAMPLE rows, and the share the filters keep.

        The filters other than the text, tried on those rows; the share stays a little
        above 0 when they keep none (it is a sample). None when the first box with that
        many rows is too large already (an origin far from every resource).
        """
        radius, rows = BOX_START_DEGREES, self.held(BOX_START_DEGREES)
        for _ in range(_BOX_SIZINGS):
            if rows >= BOX_SAMPLE:
                break
            radius *= min(8.0, max(1.5, math.sqrt(BOX_SAMPLE / max(rows, 1))))
            rows = self.held(radius)
        if rows > self.limit:
            return None
        where, params = _conditions(replace(self.flt, text=""), driver="table", boxed=True)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM resources r {where}"
            " AND r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ?",
            (*params, *self.bounds(radius)),
        ).fetchone()
        return radius, (int(row[0]) + 1) / (rows + 2)

    def sized(self, radius: float, share: float) -> tuple[float, int] | None:
        """The first radius from `radius` up whose box should hold `reach` matches.

        Returns it with the rows its box holds, or None when that box would be too
        large. `share` is the part of a box's rows (those status and national let
        through) expected to match.
        """
        want = self.reach * BOX_MARGIN / share
        if want > self.limit:
            return None
        before = -1
        for _ in range(_BOX_SIZINGS):
            rows = self.held(radius)
            if rows >= want:
                return (radius, rows) if rows <= self.limit else None
            if rows <= before:
                return None  # a larger box held no more: it holds everything already
            radius *= min(8.0, max(1.5, 1.1 * math.sqrt(want / max(rows, 1))))
            before = rows
        return None


def _nearest_in_box(conn: sqlite3.Connection, flt: ResourceFilter, reach: int) -> list[int] | None:
    """The first `reach` rowids nearest first, read from a box around the origin; or None.

    A box of half-side h (in degrees of latitude, wider in longitude by 1/cos(latitude))
    holds every row closer than h. When the `reach` nearest matches inside it are all
    closer than h, no row outside comes before any of them: they are exactly the first
    `reach` of the whole ordering. The box is sized from counts on the position index,
    the share of the directory the text matches, and the share of the rows near the
    origin the other filters keep; when it falls short, what matched in it sizes a
    second box. None means "read everything": no origin, national lines mixed in, a
    small directory, or matches too thin to box.
    """
    if flt.near is None or not flt.exclude_national:
        return None
    lat, lon = flt.near
    if not (math.isfinite(lat) and math.isfinite(lon)) or _lon_scale(lat) < 1e-6:
        return None
    total = int(conn.execute("SELECT COUNT(*) FROM resources").fetchone()[0])
    boxes = _Boxes(conn, flt, reach, BOX_BELOW_SHARE * total)
    share = 1.0
    match = fts_query(flt.text)
    if match:
        share = _count_matches(conn, match, total) / max(total, 1)
    if reach * BOX_MARGIN > boxes.limit * share:
        return None
    # A row with a latitude but no longitude sorts before every placed row (its distance
    # is NULL): no box holds it, so only reading everything orders it as before.
    if conn.execute("SELECT 1 FROM resources WHERE lon IS NULL AND lat IS NOT NULL").fetchone():
        return None
    nearby = boxes.kept_nearby()
    if nearby is None:
        return None
    radius, kept = nearby
    where, params = _conditions(flt, driver="table", boxed=True)  # never empty: national
    select = (
        f"SELECT r.rowid, {_DISTANCE} FROM resources r {where}"
        " AND r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ?"
        " ORDER BY r.lat IS NULL, 2, r.rowid LIMIT ?"
    )
    sized = boxes.sized(radius, share * kept)
    for _attempt in range(2):
        if sized is None:
            return None
        radius, held = sized
        rows = conn.execute(
            select, (*_distance_params(flt.near), *params, *boxes.bounds(radius), reach)
        ).fetchall()
        if len(rows) == reach and rows[-1][1] <= radius * radius:
            return [row[0] for row in rows]
        if len(rows) == reach:
            # Enough matches, the farthest in the box's corners: the circle through it
            # holds them all, and its box gives the same rows, now provably the first.
            sized = math.sqrt(rows[-1][1]) * (1 + _BOX_SLACK), held
        else:
            # Too few matched: their share of the box's rows sizes the next box.
            sized = boxes.sized(radius, max(len(rows), 0.5) / max(held, 1))
    return None


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
    index stops after the page, so the count is a second, capped pass; the other ways
    (few text matches, a category's index, the box nearest first, a scan) read up to
    `offset + cap` matches in order and give both in one.
    """
    source, driver = _source(conn, flt)
    by_name = driver == "table" and flt.near is None
    reach = offset + max(cap, limit + 1)  # at least one past the page: is there more?
    where, params = _conditions(flt, driver=driver, by_name=by_name)
    if by_name:
        order = _order(flt, params)
        select = f"SELECT r.rowid {source} {where} ORDER BY {order} LIMIT ? OFFSET ?"
        rowids = [row[0] for row in conn.execute(select, (*params, limit, offset))]
        total = count_resources(conn, flt, cap=reach) if cap > 0 else offset + len(rowids)
    else:
        # a county's rows with a text: the box would count every match of the text first
        boxed = driver == "table" or driver == "category" or not fts_query(flt.text)
        found = _nearest_in_box(conn, flt, reach) if boxed else None
        if found is None and driver == "county":
            found = (
                _county_in_order(conn, flt, reach)
                if flt.near is None
                else _county_nearest(conn, flt, reach)
            )
        if found is None:
            order = _order(flt, params, driver)
            select = f"SELECT r.rowid {source} {where} ORDER BY {order} LIMIT ?"
            found = [row[0] for row in conn.execute(select, (*params, reach))]
        rowids = found[offset : offset + limit]
        total = len(found)
        if driver == "county" and flt.near is None and not flt.category and cap <= 0:
            total = offset + len(rowids)  # uncounted, as the name index's walk gives it
    return ResourcePage(_read_rows(conn, rowids), total, cap > 0 and total >= reach)


def _county_in_order(conn: sqlite3.Connection, flt: ResourceFilter, reach: int) -> list[int]:
    """The first `reach` rowids in the directory's order, from the county's index rows.

    The county's rows and the WILDCARD ones are two walks of the index in that order,
    each stopping after `reach` matches, merged: read as one (`IN`), the walk would
    not be in order and every row of the county would be read and sorted.
    """
    walks: list[str] = []
    params: list[object] = []
    for key in (flt.county or "", WILDCARD):
        where, walk_params = _conditions(flt, driver="county", county_key=key)
        walks.append(
            "SELECT * FROM (SELECT r.rowid AS rid, k.national AS n, k.name AS nm,"
            f" k.resource_id AS i {_BY_COUNTY} {where}"
            " ORDER BY k.national DESC, k.name, k.resource_id LIMIT ?)"
        )
        params += [*walk_params, reach]
    merged = " UNION ALL ".join(walks)
    select = f"SELECT rid FROM ({merged}) ORDER BY n DESC, nm, i LIMIT ?"
    return [row[0] for row in conn.execute(select, (*params, reach))]


COUNTY_TEXT_MARGIN = 1.5
"""Nearest first in a county with a text: the first chunk is sized to hold this many
times `reach` at the share of the directory the text matches (then twice as many each
time). Without a text the county's rows keep exactly the matches (but for WILDCARD
rows): the first `reach` are tried first."""


COUNTY_TEXT_ON_INDEX = 0.2
"""Nearest first in a county with a text matching less than this share of the directory
tests the text on the county's rows, before ordering them; a text matching more is
tested on the resources tried, chunks sized by COUNTY_TEXT_MARGIN."""


def _county_kept(flt: ResourceFilter) -> tuple[str, list[object]]:
    """The filters other than the text and county, on `k` (resource_counties) alone.

    What the county's rows copy (national, status, 24/7) and the lookups by id
    (category, opening hours): each keeps exactly the rows its test on `r` keeps.
    """
    clauses: list[str] = []
    params: list[object] = []
    if flt.exclude_national:
        clauses.append("k.national = 0")
    if not flt.include_inactive:
        clauses.append("k.status = 'active'")
    if flt.always_open:
        clauses.append("k.always_open = 1")
    if flt.category:
        clauses.append(CATEGORY_CLAUSE.replace("r.id", "k.resource_id"))
        params.append(flt.category)
    if flt.open_at_minute is not None:
        clauses.append(
            OPEN_AT_CLAUSE.replace("r.id", "k.resource_id").replace(
                "r.always_open", "k.always_open"
            )
        )
        params += [flt.open_at_minute, flt.open_at_minute]
    assert "r." not in " ".join(clauses)
    return "".join(f" AND {clause}" for clause in clauses), params


def _county_nearest(conn: sqlite3.Connection, flt: ResourceFilter, reach: int) -> list[int]:
    """The first `reach` rowids nearest first among the county's resources.

    The county's index rows carry each resource's position, status and 24/7: those
    the filters other than the text keep (`_county_kept`), nearest first (national,
    then as `_order` does), without reading the table; the resources are then tried
    in that order a chunk at a time, with every filter as a full read has them. A
    chunk ends between two different places in the order, so ties are ordered (by
    rowid) inside one chunk by the same ORDER BY as a full read. The order is read
    with a LIMIT (sorting all of a county costs twice as much as its nearest few
    hundred), a larger one when the chunks need more.
    """
    assert flt.near is not None
    national = "0" if flt.exclude_national else "k.national"
    kept, kept_params = _county_kept(flt)
    size = reach
    match = fts_query(flt.text)
    if match:
        total = int(conn.execute("SELECT COUNT(*) FROM resources").fetchone()[0])
        # counting stops at a quarter: past it, the first chunk is small already
        share = _count_matches(conn, match, max(total // 4, 1)) / max(total, 1)
        if share < COUNTY_TEXT_ON_INDEX:
            # few matches: tested on the county's rows (the id index gives the rowid)
            kept += (
                " AND (SELECT t.rowid FROM resources t WHERE t.id = k.resource_id)"
                " IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?)"
            )
            kept_params.append(match)
        else:
            size = int(min(total, reach * COUNTY_TEXT_MARGIN / share)) + 1
    nearest = (
        f"SELECT k.resource_id, {national}, k.lat IS NULL, {_DISTANCE.replace('r.', 'k.')}"
        f" FROM resource_counties k WHERE k.county IN (?, ?){kept} ORDER BY 2 DESC, 3, 4"
        " LIMIT ?"
    )
    key_params = (*_distance_params(flt.near), flt.county, WILDCARD, *kept_params)
    # the text first: its test needs only the rowid, from the id index, and SQLite reads
    # a row of the table only for the matches (a row is long, and a random read)
    text, params = _conditions(ResourceFilter(text=flt.text, include_inactive=True), driver="table")
    rest, rest_params = _conditions(replace(flt, text=""), driver="table")
    where = " AND ".join(w.removeprefix("WHERE ") for w in (text, rest) if w)
    params += rest_params
    order_params: list[object] = []
    order = _order(flt, order_params)
    # the ids as one JSON parameter: a chunk may hold more than SQLite's bound variables
    select = (
        "SELECT r.rowid FROM resources r WHERE r.id IN (SELECT value FROM json_each(?))"
        f"{f' AND {where}' if where else ''} ORDER BY {order}"
    )
    found: list[int] = []
    fetched = 2 * size
    keys = conn.execute(nearest, (*key_params, fetched)).fetchall()
    start = 0
    while len(found) < reach and start < len(keys):
        while True:
            end = min(start + size, len(keys))
            while end < len(keys) and tuple(keys[end][1:]) == tuple(keys[end - 1][1:]):
                end += 1
            if end < len(keys) or len(keys) < fetched:  # a boundary, or the last of them
                break
            # the rows before `start` are all those before a place in the order: the
            # same in a longer list, whatever order its ties come in
            fetched *= 4
            keys = conn.execute(nearest, (*key_params, fetched)).fetchall()
        ids = dumps([key[0] for key in keys[start:end]])
        found += [row[0] for row in conn.execute(select, (ids, *params, *order_params))]
        start, size = end, size * 2
    return found[:reach]


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
    source, driver = _source(conn, flt)
    where, params = _conditions(flt, driver=driver)
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
