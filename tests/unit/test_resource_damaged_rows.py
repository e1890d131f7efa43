"""Directory rows damaged by hand are still read: valid fields kept, the unreadable ones named.

The sync and the import always write well-formed columns; these rows are edited
afterwards with a plain sqlite3 connection, as someone at the sqlite3 shell would.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord
from oncall.store import resources as resource_rows
from oncall.store.db import Store
from oncall.store.resources import ResourceFilter, search_page

AT = "2026-11-22T11:00:00.000000+00:00"
WEEKDAYS = tuple(OpeningHours(day, "09:00", "17:00") for day in range(5))


def _record(rid: str, name: str, **fields: Any) -> ResourceRecord:
    base = ResourceRecord(
        id=rid,
        name=name,
        organization=f"{name} Org",
        description="Walk-in crisis support",
        categories=("crisis_line", "naloxone"),
        phones=(("+1-714-555-0101", "voice"), ("+1-714-555-0102", "text")),
        county="Orange",
        lat=33.75,
        lon=-117.87,
        schedule=("Mon–Fri 09:00–17:00",),
        hours=WEEKDAYS,
        languages=("English", "Spanish"),
        counties_served=("Orange",),
        last_verified=date(2026, 10, 1),
    )
    return replace(base, **fields)


VALID = {
    "a-valid": _record("a-valid", "Alder Clinic"),
    "b-phones": _record("b-phones", "Birch Line"),
    "c-schedule": _record("c-schedule", "Cedar House"),
    "d-verified": _record("d-verified", "Dune Pantry"),
    "e-partial": _record("e-partial", "Elm Shelter"),
    "z-valid": _record("z-valid", "Zephyr Recovery"),
    "n-national": _record("n-national", "National Help Line", national=True),
}
DAMAGE = {  # id: (SET clause as typed at the sqlite3 shell, the fields named)
    "b-phones": ('phones = \'[["+1-714-555-0101", "voice"\'', ("phones",)),
    "c-schedule": ('schedule = \'{"text": "Mon-Fri", "hours": [[9, "x"]]}\'', ("schedule",)),
    "d-verified": ("last_verified = 'last Tuesday', lat = 'forty'", ("lat", "last_verified")),
    "e-partial": (
        'phones = \'[["+1-714-555-0199", "voice"], [1, 2], "x"]\','
        ' schedule = \'{"text": ["Mon 09:00–17:00"],'
        ' "hours": [[0, "09:00", "17:00"], [8, "09:00", "17:00"], [1, "9am", "5pm"]]}\','
        " categories = '\"crisis_line\"', languages = '[\"English\", null]'",
        ("categories", "phones", "schedule", "languages"),
    ),
    "n-national": (
        "phones = '{\"x\": 1}', counties_served = '[1, 2]'",
        ("phones", "counties_served"),
    ),
}


@pytest.fixture
def damaged(store: Store) -> Store:
    """Seven resources written by the store, five of them then damaged by hand."""
    with store.write() as conn:
        for record in VALID.values():
            resource_rows.upsert_resource(conn, record, AT)
    hand = sqlite3.connect(store.path)
    try:
        with hand:
            for rid, (assignments, _fields) in DAMAGE.items():
                hand.execute(f"UPDATE resources SET {assignments} WHERE id = ?", (rid,))
    finally:
        hand.close()
    return store


def _intact(read: ResourceRecord, written: ResourceRecord, *, except_: tuple[str, ...]) -> None:
    """Every field but the damaged ones (and those they cover) as it was written."""
    covered = set(except_) | {"damaged"}
    if "schedule" in except_:
        covered.add("hours")
    for field, value in written.__dict__.items():
        if field not in covered:
            assert getattr(read, field) == value, (written.id, field)


def test_every_row_is_read_with_its_valid_fields_and_the_damaged_ones_named(
    damaged: Store,
) -> None:
    with damaged.read() as conn:
        page = search_page(conn, ResourceFilter(), limit=50)
        by_id = {rid: resource_rows.resource_by_id(conn, rid) for rid in VALID}
        national = resource_rows.national_resources(conn)

    assert [r.id for r in page.records] == [
        "n-national", "a-valid", "b-phones", "c-schedule", "d-verified", "e-partial", "z-valid",
    ]  # fmt: skip
    assert page.total == 7
    assert [r.id for r in national] == ["n-national"]
    for record in [*page.records, *national, *by_id.values()]:
        assert record is not None
        _, fields = DAMAGE.get(record.id, ("", ()))
        assert record.damaged == fields, record.id  # named in the column order
        _intact(record, VALID[record.id], except_=fields)

    assert by_id["a-valid"] == VALID["a-valid"]  # an undamaged row reads as it was written
    assert by_id["b-phones"] is not None and by_id["b-phones"].phones == ()
    assert by_id["c-schedule"] is not None
    assert by_id["c-schedule"].schedule == () and by_id["c-schedule"].hours == ()
    verified = by_id["d-verified"]
    assert verified is not None and verified.last_verified is None and verified.lat is None
    assert verified.lon == -117.87  # the other half of the position was readable
    assert national[0].phones == () and national[0].counties_served == ()


def test_the_readable_parts_of_a_partly_damaged_list_are_kept(damaged: Store) -> None:
    with damaged.read() as conn:
        record = resource_rows.resource_by_id(conn, "e-partial")
    assert record is not None
    assert record.phones == (("+1-714-555-0199", "voice"),)
    assert record.schedule == ("Mon 09:00–17:00",)
    assert record.hours == (OpeningHours(0, "09:00", "17:00"),)
    assert record.categories == ()  # a string where a list belongs: nothing to keep
    assert record.languages == ("English",)


def test_filters_still_read_damaged_rows(damaged: Store) -> None:
    with damaged.read() as conn:
        text = search_page(conn, ResourceFilter(text="cedar", exclude_national=True), limit=50)
        county = search_page(conn, ResourceFilter(county="Orange"), limit=50)
        near = search_page(conn, ResourceFilter(near=(33.7, -117.8)), limit=50)
    assert [r.id for r in text.records] == ["c-schedule"]
    assert text.records[0].damaged == ("schedule",)
    assert {r.id for r in near.records} == set(VALID)
    assert {"b-phones", "c-schedule", "d-verified", "e-partial"} <= {r.id for r in county.records}


def test_a_damaged_row_is_logged_once_with_its_id_and_fields(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with store.write() as conn:
        resource_rows.upsert_resource(conn, _record("logged-once", "Fern Clinic"), AT)
        conn.execute(
            "UPDATE resources SET phones = 'oops', last_verified = '2026-13-45'"
            " WHERE id = 'logged-once'"
        )
    with caplog.at_level(logging.WARNING, logger="oncall.store.resource_rows"):
        for _ in range(3):  # the directory reads its page again on every key
            with store.read() as conn:
                resource_rows.resource_by_id(conn, "logged-once")
    warnings = [r.getMessage() for r in caplog.records if r.name == "oncall.store.resource_rows"]
    assert len(warnings) == 1
    assert "'logged-once'" in warnings[0] and "phones, last_verified" in warnings[0]
