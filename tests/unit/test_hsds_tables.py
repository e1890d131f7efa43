"""The HSDS tabular form (datapackage + CSVs) gives the same records as the JSON form."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import oncall.fixtures
from oncall.domain.resource_record import (
    ResourceError,
    ResourceRecord,
    parse_hsds_service,
    parse_hsds_tables,
)

SAMPLE = Path(oncall.fixtures.__file__).parent / "hsds_sample"

TABLES: dict[str, list[dict[str, str]]] = {
    "services.csv": [
        {
            "id": "s1",
            "organization_id": "o1",
            "name": "Harbor Sobering Center",
            "status": "active",
            "description": "Safe place to sober up",
            "url": "",
            "assured_date": "2026-10-01",
        },
        {
            "id": "s2",
            "organization_id": "o1",
            "name": "Harbor Warmline",
            "status": "active",
            "description": "",
            "url": "https://harbor.example.org",
            "assured_date": "",
        },
    ],
    "organizations.csv": [
        {
            "id": "o1",
            "name": "Harbor Recovery Network",
            "email": "info@harbor.example.org",
            "website": "",
        }
    ],
    "phones.csv": [
        {
            "id": "p1",
            "service_id": "s1",
            "number": "+1-714-555-0150",
            "type": "voice",
            "description": "Front desk",
        },
        {
            "id": "p2",
            "service_id": "s2",
            "number": "+1-714-555-0151",
            "type": "text",
            "description": "",
        },
    ],
    "schedules.csv": [
        {
            "id": "h1",
            "service_id": "s1",
            "freq": "WEEKLY",
            "byday": "TH,FR,SA",
            "opens_at": "20:00",
            "closes_at": "06:00",
        },
        {
            "id": "h2",
            "service_id": "s2",
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,FR,SA,SU",
            "opens_at": "00:00",
            "closes_at": "23:59",
        },
    ],
    "service_at_locations.csv": [{"id": "sal1", "service_id": "s1", "location_id": "l1"}],
    "locations.csv": [
        {
            "id": "l1",
            "location_type": "physical",
            "name": "Harbor",
            "latitude": "33.7455",
            "longitude": "-117.8677",
        }
    ],
    "addresses.csv": [
        {
            "id": "a1",
            "location_id": "l1",
            "address_1": "200 N Harbor Blvd",
            "city": "Santa Ana",
            "region": "Orange County",
            "state_province": "CA",
            "postal_code": "92701",
            "country": "US",
            "address_type": "physical",
        }
    ],
    "languages.csv": [
        {"id": "g1", "service_id": "s1", "name": "Spanish", "code": "es"},
        {"id": "g2", "location_id": "l1", "name": "Vietnamese", "code": "vi"},
    ],
    "service_areas.csv": [{"id": "r1", "service_id": "s2", "name": "Orange County"}],
    "attributes.csv": [
        {"id": "t1", "link_id": "s1", "link_entity": "service", "taxonomy_term_id": "k1"},
        {"id": "t2", "link_id": "s2", "link_entity": "service", "taxonomy_term_id": "k2"},
        {"id": "t3", "link_id": "l1", "link_entity": "location", "taxonomy_term_id": "k2"},
    ],
    "taxonomy_terms.csv": [
        {
            "id": "k1",
            "code": "sobering_center",
            "name": "Sobering center",
            "taxonomy": "oncall-categories",
        },
        {"id": "k2", "code": "crisis_line", "name": "Crisis line", "taxonomy": "oncall-categories"},
    ],
}

JSON_FORM: list[dict[str, Any]] = [
    {
        "id": "s1",
        "name": "Harbor Sobering Center",
        "status": "active",
        "description": "Safe place to sober up",
        "assured_date": "2026-10-01",
        "organization": {
            "id": "o1",
            "name": "Harbor Recovery Network",
            "email": "info@harbor.example.org",
        },
        "phones": [{"number": "+1-714-555-0150", "type": "voice", "description": "Front desk"}],
        "schedules": [
            {"freq": "WEEKLY", "byday": "TH,FR,SA", "opens_at": "20:00", "closes_at": "06:00"}
        ],
        "languages": [{"name": "Spanish", "code": "es"}],
        "attributes": [{"taxonomy_term": {"code": "sobering_center"}}],
        "service_at_locations": [
            {
                "location": {
                    "latitude": 33.7455,
                    "longitude": -117.8677,
                    "languages": [{"name": "Vietnamese", "code": "vi"}],
                    "addresses": [
                        {
                            "address_1": "200 N Harbor Blvd",
                            "city": "Santa Ana",
                            "region": "Orange County",
                            "postal_code": "92701",
                            "address_type": "physical",
                        }
                    ],
                }
            }
        ],
    },
    {
        "id": "s2",
        "name": "Harbor Warmline",
        "status": "active",
        "url": "https://harbor.example.org",
        "organization": {"name": "Harbor Recovery Network", "email": "info@harbor.example.org"},
        "phones": [{"number": "+1-714-555-0151", "type": "text"}],
        "schedules": [
            {
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": "00:00",
                "closes_at": "23:59",
            }
        ],
        "service_areas": [{"name": "Orange County"}],
        "attributes": [{"taxonomy_term": {"code": "crisis_line"}}],
    },
]


def test_tables_give_the_same_records_as_the_json_form() -> None:
    from_tables = list(parse_hsds_tables(TABLES))
    from_json = [parse_hsds_service(obj) for obj in JSON_FORM]
    assert from_tables == from_json
    sobering, warmline = from_json
    assert sobering.languages == ("Spanish", "Vietnamese")
    assert sobering.county == "Orange" and sobering.lat == 33.7455
    assert warmline.always_open and warmline.categories == ("crisis_line",)
    assert warmline.email == "info@harbor.example.org"


def test_table_keys_may_be_resource_names_without_csv() -> None:
    renamed = {name.removesuffix(".csv"): rows for name, rows in TABLES.items()}
    assert list(parse_hsds_tables(renamed)) == list(parse_hsds_tables(TABLES))


def test_a_bad_service_row_is_reported_and_the_rest_kept() -> None:
    tables = dict(TABLES)
    tables["services.csv"] = [
        *TABLES["services.csv"],
        {"id": "s3", "name": "  "},
        {"id": "", "name": "No id"},
    ]
    results = list(parse_hsds_tables(tables))
    assert [type(result) for result in results] == [
        ResourceRecord,
        ResourceRecord,
        ResourceError,
        ResourceError,
    ]
    fields = [result.field for result in results if isinstance(result, ResourceError)]
    assert fields == ["name", "id"]


def test_no_service_table_means_no_records() -> None:
    assert list(parse_hsds_tables({"phones.csv": TABLES["phones.csv"]})) == []


def read_sample_package() -> dict[str, list[dict[str, str]]]:
    """Every table the sample datapackage.json lists, read with the csv module."""
    package = json.loads((SAMPLE / "datapackage.json").read_text("utf-8"))
    tables = {}
    for resource in package["resources"]:
        with (SAMPLE / resource["path"]).open(encoding="utf-8", newline="") as handle:
            tables[resource["path"]] = list(csv.DictReader(handle))
    return tables


def test_the_sample_package_matches_the_json_fixture() -> None:
    services = json.loads((SAMPLE.parent / "resources.json").read_text("utf-8"))
    by_id = {record.id: record for record in map(parse_hsds_service, services)}
    from_tables = [
        r for r in parse_hsds_tables(read_sample_package()) if isinstance(r, ResourceRecord)
    ]
    assert len(from_tables) == 22
    assert all(record == by_id[record.id] for record in from_tables)
    assert sum(record.national for record in from_tables) == 4
