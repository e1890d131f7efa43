"""HSDS 3.0 services become directory records: JSON, paged and tabular forms, open now."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import oncall.fixtures
from oncall.domain.resource_record import (
    ResourceError,
    ResourceRecord,
    is_open_at,
    is_stale,
    parse_hsds_service,
    records_from_services_page,
)

FIXTURES = Path(oncall.fixtures.__file__).parent
NATIONAL_NUMBERS = {"988", "911", "1-800-662-4357", "741741"}


def fixture_services() -> list[dict[str, Any]]:
    """The dereferenced services shipped in resources.json."""
    services: list[dict[str, Any]] = json.loads((FIXTURES / "resources.json").read_text("utf-8"))
    return services


def service(**extra: Any) -> dict[str, Any]:
    """A minimal valid service with the given fields added."""
    return {"id": "svc-1", "name": "Harbor Recovery Center", **extra}


def weekly(byday: str, opens: str, closes: str) -> dict[str, Any]:
    """An HSDS weekly schedule."""
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes}


def test_every_fixture_service_parses() -> None:
    services = fixture_services()
    records = [parse_hsds_service(obj) for obj in services]
    assert len(records) == len(services) == 154
    assert len({record.id for record in records}) == 154
    assert all(record.status == "active" and record.phones for record in records)
    local = [record for record in records if not record.national]
    assert all(record.counties_served and record.categories for record in local)


def test_national_lines_are_present_flagged_and_always_open() -> None:
    records = [parse_hsds_service(obj) for obj in fixture_services()]
    national = [record for record in records if record.national]
    numbers = {number for record in national for number, _ in record.phones}
    assert numbers == NATIONAL_NUMBERS
    assert all(record.always_open for record in national)
    three_am_sunday = datetime(2026, 11, 22, 3, 0)
    assert all(is_open_at(record, three_am_sunday) for record in national)


def test_a_full_service_is_flattened_for_the_directory() -> None:
    record = parse_hsds_service(
        service(
            description="Detox",
            status="Active",
            assured_date="2026-01-02",
            organization={"name": "Harbor Health", "website": "https://harbor.example.org"},
            phones=[
                {"number": "+1-714-555-0142", "type": "voice", "description": "Intake"},
                {"number": "+1-714-555-0143", "extension": 12, "type": "fax"},
            ],
            languages=[{"name": "Spanish", "code": "es"}, {"code": "vi"}],
            service_areas=[{"name": "Orange County"}, {"name": "Riverside County, CA"}],
            attributes=[
                {"taxonomy_term": {"code": "withdrawal_management"}},
                {"taxonomy_term": {"code": "some-other-taxonomy-code"}},
            ],
            service_at_locations=[
                {
                    "location": {
                        "latitude": "33.7455",
                        "longitude": -117.8677,
                        "addresses": [
                            {
                                "address_1": "1423 W 1st St",
                                "address_2": "Suite 4",
                                "city": "Santa Ana",
                                "region": "Orange County",
                                "postal_code": "92701",
                                "address_type": "physical",
                            }
                        ],
                    }
                }
            ],
        )
    )
    assert record.phones == (("+1-714-555-0142", "Intake"), ("+1-714-555-0143 x12", "fax"))
    assert record.languages == ("Spanish", "vi")
    assert record.categories == ("withdrawal_management",)
    assert record.counties_served == ("Orange", "Riverside")
    assert (record.address, record.city, record.county, record.zip) == (
        "1423 W 1st St, Suite 4",
        "Santa Ana",
        "Orange",
        "92701",
    )
    assert (record.lat, record.lon) == (33.7455, -117.8677)
    assert record.organization == "Harbor Health"
    assert record.url == "https://harbor.example.org"
    assert record.status == "active"
    assert record.last_verified == date(2026, 1, 2)


def test_missing_optional_parts_give_a_bare_record() -> None:
    record = parse_hsds_service(service())
    assert record == ResourceRecord(id="svc-1", name="Harbor Recovery Center")
    assert not is_open_at(record, datetime(2026, 11, 23, 12, 0))
    assert is_stale(record, date(2026, 11, 23))


def test_malformed_optional_parts_are_ignored_not_fatal() -> None:
    record = parse_hsds_service(
        service(
            phones="none",
            languages=[None, 3],
            schedules=[weekly("MO", "25:00", "17:00")],
            service_at_locations=[{"location": {"latitude": "north", "longitude": 200}}],
            assured_date="last spring",
            attributes=[{"taxonomy_term": None}],
        )
    )
    assert record.phones == () and record.languages == () and record.hours == ()
    assert record.lat is None and record.lon is None and record.last_verified is None


def test_last_verified_falls_back_to_last_modified() -> None:
    record = parse_hsds_service(service(last_modified="2026-03-15T10:30:45.123Z"))
    assert record.last_verified == date(2026, 3, 15)
    assert not is_stale(record, date(2026, 9, 1))
    assert is_stale(record, date(2026, 9, 12))


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"name": "No id"}, "id"),
        ({"id": "   ", "name": "Blank id"}, "id"),
        ({"id": "svc-9"}, "name"),
        ({"id": "svc-9", "name": ""}, "name"),
        (["not", "an", "object"], "service"),
    ],
)
def test_records_without_id_or_name_are_rejected_naming_the_field(obj: object, field: str) -> None:
    with pytest.raises(ResourceError) as caught:
        parse_hsds_service(obj)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_a_rejected_name_says_which_service() -> None:
    with pytest.raises(ResourceError) as caught:
        parse_hsds_service({"id": "svc-9"})
    assert caught.value.record_id == "svc-9"
    assert "svc-9" in str(caught.value)


def test_weekday_hours_open_and_close_on_the_minute() -> None:
    record = parse_hsds_service(service(schedules=[weekly("MO,TU,WE,TH,FR", "09:00", "17:00")]))
    monday = datetime(2026, 11, 23)
    assert not is_open_at(record, monday.replace(hour=8, minute=59))
    assert is_open_at(record, monday.replace(hour=9))
    assert is_open_at(record, monday.replace(hour=16, minute=59))
    assert not is_open_at(record, monday.replace(hour=17))
    assert not is_open_at(record, datetime(2026, 11, 28, 12, 0))  # Saturday
    assert record.schedule == ("Mon–Fri 09:00–17:00",)


def test_overnight_hours_run_past_midnight_into_the_next_day() -> None:
    record = parse_hsds_service(service(schedules=[weekly("FR,SA", "20:00", "02:00")]))
    friday = datetime(2026, 11, 27)
    assert not is_open_at(record, friday.replace(hour=19, minute=59))
    assert is_open_at(record, friday.replace(hour=23, minute=30))
    assert is_open_at(record, datetime(2026, 11, 28, 1, 30))  # Saturday, from Friday night
    assert not is_open_at(record, datetime(2026, 11, 28, 2, 0))
    assert is_open_at(record, datetime(2026, 11, 29, 1, 0))  # Sunday, from Saturday night
    assert not is_open_at(record, datetime(2026, 11, 30, 1, 0))  # Monday: no Sunday opening
    assert not is_open_at(record, datetime(2026, 11, 26, 1, 0))  # Thursday
    assert record.schedule == ("Fri, Sat 20:00–02:00 (overnight)",)


def test_sunday_night_hours_wrap_into_monday_morning() -> None:
    record = parse_hsds_service(service(schedules=[weekly("SU", "22:00", "03:00")]))
    assert is_open_at(record, datetime(2026, 11, 23, 2, 59))  # Monday
    assert not is_open_at(record, datetime(2026, 11, 23, 3, 0))


@pytest.mark.parametrize(
    ("opens", "closes"), [("00:00", "23:59"), ("00:00", "24:00"), ("00:00:00", "23:59:00")]
)
def test_every_day_all_day_is_always_open(opens: str, closes: str) -> None:
    days = "MO,TU,WE,TH,FR,SA,SU"
    record = parse_hsds_service(service(schedules=[weekly(days, opens, closes)]))
    assert record.always_open
    assert record.schedule == ("Open 24/7",)
    assert is_open_at(record, datetime(2026, 11, 22, 23, 59, 30))


def test_monthly_rules_keep_their_description_but_not_open_now() -> None:
    monthly = {
        "freq": "MONTHLY",
        "byday": "2MO",
        "opens_at": "10:00",
        "closes_at": "12:00",
        "description": "Second Monday of the month, 10 to noon",
    }
    record = parse_hsds_service(service(schedules=[monthly]))
    assert record.hours == ()
    assert record.schedule == ("Second Monday of the month, 10 to noon",)


def test_a_services_page_yields_records_errors_and_paging() -> None:
    page = records_from_services_page(
        {
            "total_items": 3,
            "total_pages": 2,
            "page_number": 1,
            "size": 2,
            "first_page": True,
            "last_page": False,
            "empty": False,
            "contents": [service(), {"id": "svc-2"}],
        }
    )
    assert isinstance(page.results[0], ResourceRecord)
    assert isinstance(page.results[1], ResourceError) and page.results[1].field == "name"
    assert (page.page_number, page.total_pages, page.total_items, page.last_page) == (
        1,
        2,
        3,
        False,
    )


def test_an_empty_page_and_a_bare_array_are_accepted() -> None:
    empty = records_from_services_page(
        {"total_items": 0, "total_pages": 0, "page_number": 1, "size": 0, "empty": True}
    )
    assert empty.results == () and empty.last_page
    bare = records_from_services_page([service()])
    assert len(bare.results) == 1 and bare.last_page


def test_a_page_without_contents_is_rejected() -> None:
    with pytest.raises(ResourceError) as caught:
        records_from_services_page({"total_items": 3, "page_number": 1})
    assert caught.value.field == "contents"
