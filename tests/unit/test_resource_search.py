"""The directory search in the store: the category table, its migration, nearest first by box.

The category table must follow every change to a resource, whoever writes it, and an
older database must gain it filled; a box around the origin must give exactly the rows
(and their order) a full scan gives.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord
from oncall.store import resources as resource_rows
from oncall.store import schema
from oncall.store.db import Store, connect
from oncall.store.resources import ResourceFilter, search_page

AT = "2026-11-22T11:00:00.000000+00:00"
SANTA_ANA = (33.7455, -117.8677)
WORDS = ("Harbor", "Cedar", "Mesa", "Crisis", "Clinic", "Recovery", "Pharmacy", "Shelter")
CATEGORIES = ("crisis_line", "naloxone", "food", "shelter", "pharmacy", "harm_reduction")
COUNTIES = ("Orange", "Riverside", "San Diego")
SOURCE = "sync:https://directory.example.org/hsds"


def _record(rid: str, name: str, categories: tuple[str, ...], **fields: Any) -> ResourceRecord:
    return replace(ResourceRecord(id=rid, name=name, categories=categories), **fields)


def _upsert(store: Store, *records: ResourceRecord, source: str | None = SOURCE) -> None:
    with store.write() as conn:
        for record in records:
            resource_rows.upsert_resource(conn, record, AT, source)


def _derived(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    rows = conn.execute("SELECT resource_id, category, national, name FROM resource_categories")
    return {tuple(row) for row in rows}


def _expected(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    """What the table must hold: every stored resource's categories, decoded here."""
    found: set[tuple[Any, ...]] = set()
    for rid, categories, national, name in conn.execute(
        "SELECT id, categories, national, name FROM resources"
    ):
        try:
            listed = json.loads(categories)
        except ValueError:
            continue
        found |= {(rid, c, national, name) for c in listed if isinstance(c, str)}
    return found


def _ids(conn: sqlite3.Connection, **filters: Any) -> list[str]:
    page = search_page(conn, ResourceFilter(**filters), limit=500, cap=0)
    return [record.id for record in page.records]


def test_category_rows_follow_every_change_to_a_resource(store: Store) -> None:
    _upsert(
        store,
        _record("a", "Alder Clinic", ("crisis_line", "naloxone")),
        _record("b", "Birch Line", ("naloxone",)),
        _record("c", "Cedar Pantry", ("food", "food")),  # listed twice: one row
    )
    with store.read() as conn:
        assert _derived(conn) == _expected(conn)
        assert len(_derived(conn)) == 4
        assert _ids(conn, category="naloxone") == ["a", "b"]
    # a re-import changes a's categories and renames b: the filter and its order follow
    _upsert(
        store,
        _record("a", "Alder Clinic", ("food",)),
        _record("b", "Aardvark Line", ("naloxone", "shelter")),
        _record("c", "Cedar Pantry", ("food",), national=True),
    )
    with store.read() as conn:
        assert _derived(conn) == _expected(conn)
        assert _ids(conn, category="naloxone") == ["b"]
        assert _ids(conn, category="crisis_line") == []
        assert _ids(conn, category="food") == ["c", "a"]  # national lines first
        assert _ids(conn, category="food", exclude_national=True) == ["a"]
    # writers other than the upsert keep it in step too: a raw insert (the benchmark
    # database is built so), an update, a delete
    with store.write() as conn:
        conn.execute(
            "INSERT INTO resources (id, name, categories, schedule, updated_at)"
            " VALUES ('d', 'Dogwood Hub', '[\"shelter\", 7, \"food\"]', '{}', ?)",
            (AT,),
        )
        conn.execute("UPDATE resources SET categories = '[\"crisis_line\"]' WHERE id = 'b'")
        conn.execute("UPDATE resources SET name = 'Zinnia Clinic' WHERE id = 'a'")
        conn.execute("DELETE FROM resources WHERE id = 'c'")
    with store.read() as conn:
        assert _derived(conn) == _expected(conn)
        assert _ids(conn, category="food") == ["d", "a"]
        assert _ids(conn, category="shelter") == ["d"]
        assert _ids(conn, category="crisis_line") == ["b"]


def test_inactive_resources_leave_the_category_filter_and_come_back(store: Store) -> None:
    _upsert(
        store,
        _record("a", "Alder Clinic", ("naloxone",)),
        _record("b", "Birch Line", ("naloxone",)),
        _record("n", "National Line", ("naloxone",), national=True),
    )
    with store.write() as conn:
        assert resource_rows.mark_inactive_except(conn, {"a"}, AT, source=SOURCE) == 1
    with store.read() as conn:
        assert _derived(conn) == _expected(conn)
        assert _ids(conn, category="naloxone") == ["n", "a"]
        assert _ids(conn, category="naloxone", include_inactive=True) == ["n", "a", "b"]
        assert _ids(conn, category="naloxone", text="birch") == []
        near = {"near": SANTA_ANA, "exclude_national": True}
        assert _ids(conn, category="naloxone", **near) == ["a"]
    _upsert(store, _record("b", "Birch Line", ("naloxone",)))  # listed again: active
    with store.read() as conn:
        assert _ids(conn, category="naloxone") == ["n", "a", "b"]


def _migrated_from(
    db_path: Path, version: int, records: list[ResourceRecord], raw_insert: str
) -> Store:
    """A database made at schema `version` with `records` and one row written by hand
    (`raw_insert`, given the time), then opened as the console opens it: migrated."""
    old = connect(db_path, migrate=False)
    schema.migrate(old, target=version)
    _upsert(old, *records, source=None)  # an older schema has no source column
    with old.write() as conn:
        conn.execute(raw_insert, (AT,))
    old.close()
    store = connect(db_path)
    with store.read() as conn:
        latest = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    assert latest == schema.LATEST
    return store


def test_migration_backfills_the_categories_of_an_older_database(db_path: Path) -> None:
    store = _migrated_from(
        db_path,
        7,  # the schema before the category table
        [
            _record("a", "Alder Clinic", ("crisis_line", "naloxone"), lat=33.7, lon=-117.8),
            _record("b", "Birch Line", ("naloxone", "naloxone"), status="inactive"),
            _record("c", "Cedar Pantry", ()),
        ],
        "INSERT INTO resources (id, name, categories, schedule, updated_at)"
        " VALUES ('x', 'Unreadable', 'not json', '{}', ?)",
    )
    try:
        with store.read() as conn:
            assert (
                _derived(conn)
                == _expected(conn)
                == {
                    ("a", "crisis_line", 0, "Alder Clinic"),
                    ("a", "naloxone", 0, "Alder Clinic"),
                    ("b", "naloxone", 0, "Birch Line"),
                }
            )
            assert _ids(conn, category="naloxone") == ["a"]
            assert _ids(conn, category="naloxone", include_inactive=True) == ["a", "b"]
            indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            assert {"resource_categories_by_name", "resources_position"} <= indexes
        _upsert(store, _record("c", "Cedar Pantry", ("food",)))  # and kept from now on
        with store.read() as conn:
            assert _ids(conn, category="food") == ["c"]
    finally:
        store.close()


def _directory(rng: random.Random, count: int) -> Iterator[ResourceRecord]:
    """Resources in clusters around a few towns, for every way rows can tie or be left out.

    Some at the very same spot, some with no position, a few inactive or national.
    """
    towns = [(33.75, -117.87), (33.83, -117.91), (33.2, -117.35), (34.05, -117.6)]
    spots: list[tuple[float, float]] = []
    for n in range(count):
        lat: float | None
        lon: float | None
        if n % 13 == 0:
            lat = lon = None
        elif spots and n % 7 == 0:
            lat, lon = rng.choice(spots)  # the same place as another resource
        else:
            town_lat, town_lon = rng.choice(towns)
            lat, lon = town_lat + rng.gauss(0, 0.08), town_lon + rng.gauss(0, 0.08)
            spots.append((lat, lon))
        county = rng.choice(COUNTIES)
        yield _record(
            f"r{n:05d}",
            f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n % 50}",
            tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
            lat=lat,
            lon=lon,
            county=county,
            counties_served=(county, rng.choice(COUNTIES)) if n % 5 == 0 else (county,),
            always_open=rng.random() < 0.3,
            hours=(OpeningHours(rng.randint(0, 6), "09:00", "17:00"),),
            national=n % 500 == 1,
            status="inactive" if n % 19 == 0 else "active",
        )


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """2,500 resources (enough for boxes smaller than the whole)."""
    store = connect(tmp_path_factory.mktemp("directory") / "directory.db")
    _upsert(store, *_directory(random.Random(11), 2500))
    yield store
    store.close()


def _random_filter(rng: random.Random) -> ResourceFilter:
    origins = [SANTA_ANA, (33.2, -117.35), (34.05, -117.6), (33.5, -117.7), (36.0, -119.0)]
    return ResourceFilter(
        text=rng.choice(["", "", "", "", "h", "c", "harbor", "mesa clinic", "re"]),
        category=rng.choice(CATEGORIES) if rng.random() < 0.25 else None,
        county=rng.choice(COUNTIES) if rng.random() < 0.2 else None,
        always_open=rng.random() < 0.2,
        include_inactive=rng.random() < 0.2,
        open_at_minute=rng.choice([600, 4000]) if rng.random() < 0.2 else None,
        exclude_national=rng.random() < 0.9,
        near=rng.choice(origins),
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("margin", [resource_rows.BOX_MARGIN, 0.3])
def test_nearest_first_from_a_box_is_exactly_the_full_scan(
    directory: Store, seed: int, margin: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a margin too thin makes first boxes fall short: the second box, and giving up
    monkeypatch.setattr(resource_rows, "BOX_MARGIN", margin)
    rng = random.Random(seed)
    boxed = 0
    real = resource_rows._nearest_in_box

    def counting(*args: Any) -> list[int] | None:
        nonlocal boxed
        found = real(*args)
        boxed += found is not None
        return found

    monkeypatch.setattr(resource_rows, "_nearest_in_box", counting)
    with directory.read() as conn:
        for _ in range(80):
            flt = _random_filter(rng)
            paging = {"limit": rng.choice([10, 25]), "offset": rng.choice([0, 0, 10, 60])}
            paging["cap"] = rng.choice([0, 30, 80])
            with monkeypatch.context() as scan:
                scan.setattr(resource_rows, "BOX_BELOW_SHARE", 0.0)  # never a box
                expected = search_page(conn, flt, **paging)
            found = search_page(conn, flt, **paging)
            assert [r.id for r in found.records] == [r.id for r in expected.records], flt
            assert (found.total, found.capped) == (expected.total, expected.capped)
    assert boxed >= 6  # the box answered a good share of them


def test_a_latitude_without_longitude_still_sorts_first(directory: Store) -> None:
    with directory.read() as conn:
        before = _ids(conn, near=SANTA_ANA, exclude_national=True)[:40]
    _upsert(directory, _record("half", "Half Placed", ("food",), lat=33.7))
    try:
        with directory.read() as conn:
            page = search_page(
                conn, ResourceFilter(near=SANTA_ANA, exclude_national=True), limit=40, cap=0
            )
            assert [r.id for r in page.records] == ["half", *before[:39]]
    finally:
        with directory.write() as conn:
            conn.execute("DELETE FROM resources WHERE id = 'half'")


def test_a_row_inserted_with_the_column_defaults_reads_as_no_hours(store: Store) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO resources (id, name, updated_at) VALUES ('raw', 'Raw Row Clinic', ?)",
            (AT,),
        )
    with store.read() as conn:
        record = resource_rows.resource_by_id(conn, "raw")
    assert record is not None
    assert record.name == "Raw Row Clinic" and record.hours == () and record.schedule == ()


def _county_derived(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT resource_id, county, national, name, lat, lon, status, always_open"
        " FROM resource_counties"
    )
    return {tuple(row) for row in rows}


def _county_expected(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    """What the county table must hold, decided here: a resource's counties, or one ''
    for a national line or a counties_served that is not a plain array of strings."""
    found: set[tuple[Any, ...]] = set()
    for row in conn.execute(
        "SELECT id, county, counties_served, national, name, lat, lon, status, always_open"
        " FROM resources"
    ):
        rid, county, served, national, *copied = row
        try:
            listed = json.loads(served) if isinstance(served, str) else None
        except ValueError:
            listed = None
        plain = (
            isinstance(listed, list)
            and all(isinstance(c, str) for c in listed)
            and "\\" not in served
        )
        if national or (served is not None and not plain):
            keys = {""}
        else:
            keys = {c for c in [county, *(listed or [])] if c not in (None, "")}
        found |= {(rid, key, national, *copied) for key in keys}
    return found


def test_county_rows_follow_every_change_to_a_resource(store: Store) -> None:
    _upsert(
        store,
        _record("a", "Alder Clinic", (), county="Orange", counties_served=("Orange",)),
        _record("b", "Birch Line", (), county="Riverside", counties_served=("Orange", "Kern")),
        _record("c", "Cedar Pantry", (), county=None, counties_served=()),
        _record("n", "National Line", (), national=True),
    )
    with store.read() as conn:
        assert _county_derived(conn) == _county_expected(conn)
        assert len(_county_derived(conn)) == 5
        assert _ids(conn, county="Orange") == ["n", "a", "b"]
        assert _ids(conn, county="Kern", exclude_national=True) == ["b"]
        assert _ids(conn, county="Riverside") == ["n", "b"]
    # a re-import moves a, renames b, places c, makes a national line local
    _upsert(
        store,
        _record("a", "Alder Clinic", (), county="Kern", counties_served=("Kern",), lat=33.7),
        _record("b", "Aardvark Line", (), county="Riverside", counties_served=("Orange",)),
        _record("c", "Cedar Pantry", (), county="Orange", lat=33.7, lon=-117.8),
        _record("n", "National Line", (), county="San Diego"),
    )
    with store.read() as conn:
        assert _county_derived(conn) == _county_expected(conn)
        assert _ids(conn, county="Orange") == ["b", "c"]
        assert _ids(conn, county="Kern") == ["a"]
        assert _ids(conn, county="San Diego") == ["n"]
        assert _ids(conn, county="Orange", near=SANTA_ANA, exclude_national=True) == ["c", "b"]
    # writers other than the upsert: a raw insert, updates of every column copied or
    # read, an array the table cannot describe (a quote escaped inside an element still
    # holds '"Orange"' for the old test), a delete
    with store.write() as conn:
        conn.execute(
            "INSERT INTO resources (id, name, county, counties_served, schedule, updated_at)"
            " VALUES ('d', 'Dogwood Hub', 'Kern', '[\"Orange\", \"Kern\"]', '{}', ?)",
            (AT,),
        )
        conn.execute(
            "INSERT INTO resources (id, name, counties_served, schedule, updated_at, source)"
            " VALUES ('e', 'Elm Room', '[\"a\\\"Orange\"]', '{}', ?, ?)",
            (AT, SOURCE),
        )
        conn.execute("UPDATE resources SET counties_served = '[\"Orange\", 7]' WHERE id = 'a'")
        conn.execute("UPDATE resources SET county = 'Kern' WHERE id = 'b'")
        conn.execute("UPDATE resources SET name = 'Zinnia Pantry' WHERE id = 'c'")
        conn.execute("UPDATE resources SET lat = 34.0, lon = -117.9 WHERE id = 'b'")
        conn.execute("UPDATE resources SET always_open = 1 WHERE id = 'd'")
        conn.execute("UPDATE resources SET national = 1 WHERE id = 'n'")
        conn.execute("DELETE FROM resources WHERE id = 'c'")
    with store.read() as conn:
        assert _county_derived(conn) == _county_expected(conn)
        assert _ids(conn, county="Orange") == ["n", "b", "a", "d", "e"]  # b: Aardvark
        assert _ids(conn, county="Kern") == ["n", "b", "a", "d"]
        assert _ids(conn, county="Kern", always_open=True) == ["d"]
        assert _ids(conn, county="Riverside") == ["n"]
    with store.write() as conn:
        assert resource_rows.mark_inactive_except(conn, {"a", "d"}, AT, source=SOURCE) == 2
    with store.read() as conn:
        assert _county_derived(conn) == _county_expected(conn)
        assert _ids(conn, county="Orange", exclude_national=True) == ["a", "d"]
        near = {"near": SANTA_ANA, "exclude_national": True}
        # a has a latitude but no longitude: first; then by distance; unplaced by rowid
        assert _ids(conn, county="Orange", include_inactive=True, **near) == ["a", "b", "d", "e"]


def test_migration_backfills_the_counties_of_a_version_9_database(db_path: Path) -> None:
    store = _migrated_from(
        db_path,
        9,  # the schema before the county table
        [
            _record("a", "Alder Clinic", (), county="Orange", counties_served=("Orange", "Kern")),
            _record("b", "Birch Line", (), county="Kern", status="inactive", lat=33.7, lon=-117.8),
            _record("n", "National Line", (), national=True),
        ],
        "INSERT INTO resources (id, name, county, counties_served, schedule, updated_at)"
        " VALUES ('x', 'Unlisted', 'Kern', '[\"Kern\", 7]', '{}', ?)",
    )
    try:
        with store.read() as conn:
            assert (
                {row[:3] for row in _county_derived(conn)}
                == {row[:3] for row in _county_expected(conn)}
                == {
                    ("a", "Orange", 0),
                    ("a", "Kern", 0),
                    ("b", "Kern", 0),
                    ("n", "", 1),
                    ("x", "", 0),
                }
            )
            assert _county_derived(conn) == _county_expected(conn)
            assert _ids(conn, county="Kern") == ["n", "a", "x"]
            assert _ids(conn, county="Kern", include_inactive=True) == ["n", "a", "b", "x"]
            indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            assert "resource_counties_by_name" in indexes
        _upsert(store, _record("c", "Cedar Pantry", (), county="Orange"))  # kept from now on
        with store.read() as conn:
            assert _ids(conn, county="Orange", exclude_national=True) == ["a", "c"]
    finally:
        store.close()


@pytest.fixture(scope="module")
def odd_counties(directory: Store) -> Iterator[Store]:
    """The directory with rows whose counties the table cannot list exactly (see the module)."""
    odd = {
        "odd1": '["Orange", 7]',
        "odd2": '"Orange"',  # a JSON string, not an array
        "odd3": '["x\\"Orange"]',  # holds '"Orange"' for the old test, no element is Orange
        "odd4": '{"Riverside": 1}',
        "odd5": '["Sa\\u006e Diego"]',  # an element San Diego the old test does not find
        "odd6": '["Orange", "Riverside"]',
    }
    with directory.write() as conn:
        for n, (rid, served) in enumerate(odd.items()):
            conn.execute(
                "INSERT INTO resources (id, name, county, counties_served, lat, lon, schedule,"
                " updated_at) VALUES (?, ?, ?, ?, 33.75, -117.87, '{}', ?)",
                (rid, f"Harbor Odd {n}", COUNTIES[n % 3] if n % 2 else None, served, AT),
            )
    yield directory
    with directory.write() as conn:
        conn.execute("DELETE FROM resources WHERE id LIKE 'odd%'")


@pytest.mark.parametrize("seed", range(4))
def test_county_filters_give_exactly_the_full_scan(
    odd_counties: Store, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(100 + seed)
    walked = 0
    real = resource_rows._county_nearest, resource_rows._county_in_order

    def counting(walk: Any) -> Any:
        def counted(*args: Any) -> list[int]:
            nonlocal walked
            walked += 1
            found: list[int] = walk(*args)
            return found

        return counted

    monkeypatch.setattr(resource_rows, "_county_nearest", counting(real[0]))
    monkeypatch.setattr(resource_rows, "_county_in_order", counting(real[1]))
    with odd_counties.read() as conn:
        assert _county_derived(conn) == _county_expected(conn)
        for _ in range(70):
            flt = replace(
                _random_filter(rng),
                county=rng.choice([*COUNTIES, "Kern", ",", "Orange"]),
                near=rng.choice([None, SANTA_ANA, (33.2, -117.35), (36.0, -119.0)]),
                category=rng.choice(CATEGORIES) if rng.random() < 0.3 else None,
            )
            paging = {"limit": rng.choice([10, 25]), "offset": rng.choice([0, 0, 10, 60])}
            paging["cap"] = rng.choice([0, 30, 80, 200])
            # the text's matches first, or not; the box nearest first, or the county's rows
            monkeypatch.setattr(resource_rows, "FTS_DRIVES_BELOW", rng.choice([2000, 0]))
            with monkeypatch.context() as scan:
                # the county tested on every row, as before the county table
                scan.setattr(resource_rows, "county_indexable", lambda county: False)
                expected = search_page(conn, flt, **paging)
                expected_count = resource_rows.count_resources(conn, flt, cap=90)
            with monkeypatch.context() as small:
                small.setattr(resource_rows, "COUNTY_TEXT_MARGIN", rng.choice([0.01, 1.5]))
                small.setattr(resource_rows, "BOX_BELOW_SHARE", rng.choice([0.0, 0.25]))
                found = search_page(conn, flt, **paging)
            assert [r.id for r in found.records] == [r.id for r in expected.records], flt
            assert (found.total, found.capped) == (expected.total, expected.capped), flt
            assert resource_rows.count_resources(conn, flt, cap=90) == expected_count, flt
    assert walked >= 25  # the county's rows answered a good share of them
