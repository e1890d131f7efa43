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


def _record(rid: str, name: str, categories: tuple[str, ...], **fields: Any) -> ResourceRecord:
    return replace(ResourceRecord(id=rid, name=name, categories=categories), **fields)


def _upsert(store: Store, *records: ResourceRecord) -> None:
    with store.write() as conn:
        for record in records:
            resource_rows.upsert_resource(conn, record, AT)


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
        assert resource_rows.mark_inactive_except(conn, {"a"}, AT) == 1
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


def test_migration_backfills_the_categories_of_an_older_database(db_path: Path) -> None:
    old = connect(db_path, migrate=False)
    schema.migrate(old, target=7)  # the schema before the category table
    _upsert(
        old,
        _record("a", "Alder Clinic", ("crisis_line", "naloxone"), lat=33.7, lon=-117.8),
        _record("b", "Birch Line", ("naloxone", "naloxone"), status="inactive"),
        _record("c", "Cedar Pantry", ()),
    )
    with old.write() as conn:
        conn.execute(
            "INSERT INTO resources (id, name, categories, schedule, updated_at)"
            " VALUES ('x', 'Unreadable', 'not json', '{}', ?)",
            (AT,),
        )
    old.close()
    store = connect(db_path)
    try:
        with store.read() as conn:
            assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == (
                schema.LATEST
            )
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
