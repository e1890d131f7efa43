"""One alert feed record: what is accepted, how it is cleaned, and why the rest is refused."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest

from oncall.domain.alert_record import AlertRecord, RecordError, parse_alert_record
from oncall.domain.models import Handoff, Location
from oncall.domain.types import AlertKind, Severity

EXAMPLE = {  # docs/design.md section 5, as a hotline sends it
    "id": "hl-2026-0001",
    "source": "hotline",
    "client_ref": "C-1042",
    "kind": "suicidal_ideation",
    "severity": "high",
    "summary": "Caller reports SI with plan; safe at home with sister",
    "occurred_at": "2026-11-22T03:14:00-08:00",
    "location": {"text": "home", "zip": "92701"},
    "handoff": {
        "org": "988 Orange County",
        "counselor": "K-17",
        "reference": "988-55812",
        "callback": "+1-714-555-0101",
    },
}


def record(**changes: Any) -> dict[str, Any]:
    """The example with top-level fields replaced; a value of `...` removes the field."""
    obj: dict[str, Any] = json.loads(json.dumps(EXAMPLE))
    for key, value in changes.items():
        if value is ...:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def test_the_design_example_is_accepted_with_every_field() -> None:
    parsed = parse_alert_record(record(extra_field={"kept": True}))
    assert parsed == AlertRecord(
        source="hotline",
        external_id="hl-2026-0001",
        client_ref="C-1042",
        kind=AlertKind.SUICIDAL_IDEATION,
        severity=Severity.HIGH,
        summary="Caller reports SI with plan; safe at home with sister",
        occurred_at=datetime(2026, 11, 22, 11, 14, tzinfo=UTC),
        location=Location(text="home", zip="92701"),
        handoff=Handoff(
            org="988 Orange County",
            counselor="K-17",
            reference="988-55812",
            callback="+1-714-555-0101",
        ),
    )
    assert parsed.dedup_key == ("hotline", "hl-2026-0001")
    assert parsed.raw["extra_field"] == {"kept": True}  # unknown fields kept, ignored


MISSING = ["id", "source", "client_ref", "kind", "severity", "occurred_at"]


@pytest.mark.parametrize("name", MISSING)
def test_a_missing_required_field_is_named(name: str) -> None:
    for absent in (..., None):
        with pytest.raises(RecordError) as caught:
            parse_alert_record(record(**{name: absent}))
        assert (caught.value.field, str(caught.value)) == (name, f"{name} is required")


REJECTED: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, changes, field, message or its start)
    ("severity as a number", {"severity": 3}, "severity", "severity must be text, not a number"),
    ("id as a list", {"id": ["a"]}, "id", "id must be text, not a list"),
    ("id as a float", {"id": 17.0}, "id", "id must be text, not a number"),
    ("id as true", {"id": True}, "id", "id must be text, not true/false"),
    ("kind as an object", {"kind": {}}, "kind", "kind must be text, not an object"),
    ("summary as a number", {"summary": 5}, "summary", "summary must be text, not a number"),
    ("blank id", {"id": "   "}, "id", "id is empty"),
    ("invisible id", {"id": "\u200b\u202e"}, "id", "id is empty"),
    ("long id", {"id": "x" * 201}, "id", "id is 201 characters long; the limit is 200"),
    (
        "long source",
        {"source": "s" * 250},
        "source",
        "source is 250 characters long; the limit is 200",
    ),
    (
        "unknown severity",
        {"severity": "urgent"},
        "severity",
        "severity 'urgent' is not one of imminent, high, moderate, low",
    ),
    ("unknown kind", {"kind": "fall"}, "kind", "kind 'fall' is not one of overdose, "),
    (
        "naive timestamp",
        {"occurred_at": "2026-11-22 03:14"},
        "occurred_at",
        "occurred_at '2026-11-22 03:14' has no time zone",
    ),
    (
        "date only",
        {"occurred_at": "2026-11-22"},
        "occurred_at",
        "occurred_at '2026-11-22' has no time zone",
    ),
    (
        "words",
        {"occurred_at": "yesterday"},
        "occurred_at",
        "occurred_at 'yesterday' is not an ISO 8601 date and time",
    ),
    (
        "day first",
        {"occurred_at": "22/11/2026"},
        "occurred_at",
        "occurred_at '22/11/2026' is not an ISO 8601",
    ),
    (
        "RFC 2822",
        {"occurred_at": "Sun, 22 Nov 2026 03:14:00 -0800"},
        "occurred_at",
        "occurred_at 'Sun, 22 Nov 2026 03:14:00 -0800' is not an ISO 8601",
    ),
    (
        "offset too big",
        {"occurred_at": "2026-11-22T03:14:00+25:00"},
        "occurred_at",
        "occurred_at '2026-11-22T03:14:00+25:00' is not an ISO 8601",
    ),
    (
        "Arabic-Indic digits",
        {"occurred_at": "٢٠٢٦-11-22T03:14Z"},
        "occurred_at",
        "occurred_at '٢٠٢٦-11-22T03:14Z' is not an ISO 8601",
    ),
    (
        "epoch seconds",
        {"occurred_at": 1795000000},
        "occurred_at",
        "occurred_at must be text, not a number",
    ),
    (
        "year 1",
        {"occurred_at": "0001-01-01T00:00:00+05:00"},
        "occurred_at",
        "occurred_at '0001-01-01T00:00:00+05:00' is not between the years 1900 and 2999",
    ),
    (
        "year 9999",
        {"occurred_at": "9999-12-31T23:59:59-05:00"},
        "occurred_at",
        "occurred_at '9999-12-31T23:59:59-05:00' is not between the years",
    ),
    (
        "control character shown escaped",
        {"severity": "hi\x00gh"},
        "severity",
        "severity 'hi\\u0000gh' is not one of",
    ),
    (
        "1 MB summary",
        {"summary": "a" * 1_000_000},
        "summary",
        "summary is 1,000,000 characters long; the limit is 4,000",
    ),
    (
        "one past the limit",
        {"summary": "é" * 4001},
        "summary",
        "summary is 4,001 characters long; the limit is 4,000",
    ),
    ("not an object", {"location": "home"}, "location", "location must be an object, not text"),
    (
        "lat too high",
        {"location": {"lat": 91, "lon": 0}},
        "location.lat",
        "location.lat 91 is outside -90..90",
    ),
    (
        "lat too low",
        {"location": {"lat": -90.5, "lon": 0}},
        "location.lat",
        "location.lat -90.5 is outside -90..90",
    ),
    (
        "lon too far east",
        {"location": {"lat": 0, "lon": 180.01}},
        "location.lon",
        "location.lon 180.01 is outside -180..180",
    ),
    (
        "lon too far west",
        {"location": {"lat": 0, "lon": -181}},
        "location.lon",
        "location.lon -181 is outside -180..180",
    ),
    (
        "huge lat",
        {"location": {"lat": 10**400, "lon": 0}},
        "location.lat",
        "location.lat (a very large number) is outside -90..90",
    ),
    (
        "lat as text",
        {"location": {"lat": "33.7", "lon": 0}},
        "location.lat",
        "location.lat must be a number, not text",
    ),
    (
        "lat as a bool",
        {"location": {"lat": True, "lon": 0}},
        "location.lat",
        "location.lat must be a number, not true/false",
    ),
    (
        "lat NaN",
        {"location": {"lat": float("nan"), "lon": 0}},
        "location.lat",
        "location.lat is not a finite number",
    ),
    (
        "lon infinite",
        {"location": {"lat": 0, "lon": float("-inf")}},
        "location.lon",
        "location.lon is not a finite number",
    ),
    (
        "lat without lon",
        {"location": {"lat": 33.7}},
        "location.lon",
        "location.lon is required when location.lat is given",
    ),
    (
        "zip as a number",
        {"location": {"zip": 2134}},
        "location.zip",
        "location.zip must be text: as a number it loses leading zeros",
    ),
    ("handoff as text", {"handoff": "988"}, "handoff", "handoff must be an object, not text"),
    (
        "handoff without org",
        {"handoff": {"counselor": "K-17"}},
        "handoff.org",
        "handoff.org is required when handoff is given",
    ),
    ("blank org", {"handoff": {"org": " \t"}}, "handoff.org", "handoff.org is required"),
    (
        "counselor as a number",
        {"handoff": {"org": "988", "counselor": 17}},
        "handoff.counselor",
        "handoff.counselor must be text, not a number",
    ),
    (
        "endpoint not http",
        {"handoff": {"org": "988", "endpoint": "ftp://h.example/x"}},
        "handoff.endpoint",
        "handoff.endpoint must be an http or https URL",
    ),
    (
        "endpoint without host",
        {"handoff": {"org": "988", "endpoint": "https:///x"}},
        "handoff.endpoint",
        "handoff.endpoint must be an http or https URL",
    ),
    (
        "endpoint with password",
        {"handoff": {"org": "988", "endpoint": "https://u:pw@h.example/x"}},
        "handoff.endpoint",
        "handoff.endpoint must not contain a user name or password",
    ),
    (
        "endpoint bad port",
        {"handoff": {"org": "988", "endpoint": "https://h.example:99x/"}},
        "handoff.endpoint",
        "handoff.endpoint is not a valid URL",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_a_bad_field_is_refused_naming_it(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(RecordError) as caught:
        parse_alert_record(record(**changes))
    assert caught.value.field == field
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("value", [[], "alert", 3, None, True])
def test_a_record_must_be_a_json_object(value: object) -> None:
    with pytest.raises(RecordError, match="not a JSON object") as caught:
        parse_alert_record(value)
    assert caught.value.field == ""


def test_error_messages_never_echo_the_summary_or_client_ref() -> None:
    with pytest.raises(RecordError) as caught:
        parse_alert_record(record(summary="Maria G. " * 500, client_ref="C-SECRET"))
    assert "Maria" not in str(caught.value)
    assert "C-SECRET" not in str(caught.value)


ACCEPTED: list[tuple[str, dict[str, Any], str, object]] = [
    # (case, changes, attribute path, value after validation)
    ("integer id as its decimal form", {"id": 17}, "external_id", "17"),
    ("severity in capitals", {"severity": " High "}, "severity", Severity.HIGH),
    (
        "Z for UTC",
        {"occurred_at": "2026-11-22T11:14:00Z"},
        "occurred_at",
        datetime(2026, 11, 22, 11, 14, tzinfo=UTC),
    ),
    (
        "offset converted to UTC",
        {"occurred_at": "2026-11-22T03:14:00.5-08:00"},
        "occurred_at",
        datetime(2026, 11, 22, 11, 14, 0, 500000, tzinfo=UTC),
    ),
    ("no summary", {"summary": ...}, "summary", ""),
    ("null summary", {"summary": None}, "summary", ""),
    ("summary exactly at the limit", {"summary": "a" * 4000}, "summary", "a" * 4000),
    (
        "line breaks and tabs in summary",
        {"summary": "safe\r\nat home\twith\u2028sister"},
        "summary",
        "safe at home with sister",
    ),
    ("controls in an id", {"client_ref": "C-\x001042\x7f\x9b"}, "client_ref", "C-1042"),
    (
        "zero-width and bidi in an id",
        {"client_ref": "\u202eC-\u200b10\u200d42\u2066"},
        "client_ref",
        "C-1042",
    ),
    ("surrounding spaces in an id", {"id": "  hl-1 "}, "external_id", "hl-1"),
    ("Arabic summary kept", {"summary": "المتصل آمن في المنزل"}, "summary", "المتصل آمن في المنزل"),
    (
        "Hebrew with a bidi override",
        {"summary": "\u202eהמתקשר בטוח\u202c"},
        "summary",
        "המתקשר בטוח",
    ),
    ("Persian ZWNJ kept in free text", {"summary": "می\u200cخواهم"}, "summary", "می\u200cخواهم"),
    ("decomposed accent composed (NFC)", {"summary": "Jose\u0301"}, "summary", "José"),
    ("lone surrogate replaced", {"summary": json.loads('"a\\ud800b"')}, "summary", "a\ufffdb"),
    ("empty location", {"location": {}}, "location", None),
    ("null location and handoff", {"location": None, "handoff": None}, "handoff", None),
    (
        "coordinates at the edges",
        {"location": {"lat": -90, "lon": 180}},
        "location",
        Location(text="", lat=-90.0, lon=180.0),
    ),
    ("zip only", {"location": {"zip": "02134"}}, "location", Location(text="", zip="02134")),
    (
        "RTL organisation kept, override removed",
        {"handoff": {"org": "\u202eمركز الأزمات\u202c", "counselor": "K-17\u200b"}},
        "handoff",
        Handoff(org="مركز الأزمات", counselor="K-17"),
    ),
    (
        "https endpoint",
        {"handoff": {"org": "988", "endpoint": "https://h.example/outcomes"}},
        "handoff",
        Handoff(org="988", endpoint="https://h.example/outcomes"),
    ),
    (
        "enum values from Python callers",
        {"severity": Severity.LOW, "kind": AlertKind.CRAVING},
        "severity",
        Severity.LOW,
    ),
]


@pytest.mark.parametrize(
    ("changes", "attribute", "expected"),
    [case[1:] for case in ACCEPTED],
    ids=[case[0] for case in ACCEPTED],
)
def test_an_acceptable_variation_is_normalised(
    changes: dict[str, Any], attribute: str, expected: object
) -> None:
    assert getattr(parse_alert_record(record(**changes)), attribute) == expected


def test_cleaned_text_has_no_controls_or_bidi_overrides_and_is_nfc() -> None:
    dirty = "a\x07b\u202ec\u2067d\u200be\x85f\ufeffg"
    parsed = parse_alert_record(record(summary=dirty, client_ref=dirty))
    for text in (parsed.summary, parsed.client_ref):
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in text)
        assert unicodedata.is_normalized("NFC", text)
    assert parsed.summary == "abcde fg"
    assert parsed.client_ref == "abcdefg"


def test_integer_and_text_ids_give_the_same_dedup_key() -> None:
    assert (
        parse_alert_record(record(id=17)).dedup_key == parse_alert_record(record(id="17")).dedup_key
    )


def test_the_feed_object_parses_back_to_the_same_record() -> None:
    parsed = parse_alert_record(
        record(
            location={"text": "home", "zip": "92701", "lat": 33.7, "lon": -117.8},
            handoff={"org": "988", "endpoint": "https://h.example/o"},
        )
    )
    again = parse_alert_record(json.loads(json.dumps(parsed.as_feed_object())))
    assert again == parsed
    assert again.occurred_at.isoformat() == "2026-11-22T11:14:00+00:00"


def test_record_error_reads_as_its_message() -> None:
    error = RecordError("location.lat", "location.lat 91 is outside -90..90")
    assert str(error) == "location.lat 91 is outside -90..90"
    assert (error.field, error.message) == ("location.lat", "location.lat 91 is outside -90..90")
