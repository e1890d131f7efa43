"""Properties: no input crashes validation or splitting, and valid records round-trip."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.domain.alert_record import (
    MAX_SUMMARY,
    AlertRecord,
    RecordError,
    parse_alert_record,
)
from oncall.domain.record_stream import Accepted, read_alert_records, validate_records
from oncall.domain.types import AlertKind, Severity

# About 2,000 examples in all, a few seconds: generating one costs 1-3 ms on this machine.
# No example database: it would write .hypothesis/ into the shared working tree.
BASE = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _standard_json(item: Any) -> bool:
    """Whether `item` is JSON as the standard has it (no NaN, no Infinity)."""
    try:
        json.dumps(item, allow_nan=False)
    except ValueError:
        return False
    return True


json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
TRICKY = "\x00\t\n\x85\u200b\u200c\u202e\u2067\ufeff\u0301é\u05d0\u0627\ud800\udc80"
# Two alphabets apart: st.text over their union drops the lone surrogates ("\ud800" escapes).
any_text = st.text(st.characters(codec="utf-8"), max_size=30) | st.text(
    st.sampled_from(TRICKY + "ab "), max_size=30
)
plain = st.text("abcXYZ0189 -_.:/#", min_size=1, max_size=30)
identifiers = plain | any_text
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
timestamps = st.builds(
    lambda moment, tz: moment.replace(tzinfo=tz).isoformat(),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30)),
    offsets,
)
coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
locations = st.builds(
    lambda text, zip_code, point: {
        "text": text,
        "zip": zip_code,
        "lat": point and point[0],
        "lon": point and point[1],
    },
    any_text,
    st.none() | st.text("0123456789", min_size=5, max_size=5),
    st.none() | coordinates,
)
handoffs = st.fixed_dictionaries(
    {"org": plain | any_text},
    optional={
        "counselor": any_text,
        "reference": identifiers,
        "callback": identifiers,
        "endpoint": st.sampled_from(["https://h.example/o", "http://10.0.0.1:8080/x"]),
    },
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": identifiers | st.integers(0, 10**12),
    "source": identifiers,
    "client_ref": identifiers,
    "kind": st.sampled_from([k.value for k in AlertKind]),
    "severity": st.sampled_from([s.value for s in Severity]),
    "occurred_at": timestamps,
}
OPTIONAL: dict[str, st.SearchStrategy[Any]] = {
    "summary": any_text,
    "location": locations,
    "handoff": handoffs,
    "extra": json_scalars,
}
likely_records = st.fixed_dictionaries(FIELDS, optional=OPTIONAL)
junk: st.SearchStrategy[Any] = (
    st.sampled_from(
        [
            10**400,
            float("nan"),
            float("-inf"),
            91,
            -180.5,
            True,
            "",
            " ",
            "\u202e",
            "x" * 5000,
            "2026-11-22",
            "2026-11-22T03:14",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59-05:00",
            "https://u:p@h/",
            "http://[::1",
            {},
            [],
            None,
        ]
    )
    | st.lists(json_scalars, max_size=2)
    | json_scalars
)
VALID_IDS = {"id": plain, "source": plain, "client_ref": plain}  # so later fields are reached
PATHS = (
    [(name,) for name in FIELDS | OPTIONAL]
    + [("location", name) for name in ("text", "zip", "lat", "lon")]
    + [("handoff", name) for name in ("org", "counselor", "reference", "callback", "endpoint")]
)


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, Any]:
    """A likely-valid record with one to three fields (nested ones too) broken or removed."""
    obj = draw(st.fixed_dictionaries(FIELDS | OPTIONAL | VALID_IDS))
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3)):
        parent = obj if len(path) == 1 else obj.get(path[0])
        if isinstance(parent, dict):
            if draw(st.booleans()):
                parent[path[-1]] = draw(junk)
            else:
                parent.pop(path[-1], None)
    return obj


def parse_or_none(obj: object) -> AlertRecord | None:
    """The validated record, or None when it is refused (the only exception allowed)."""
    try:
        return parse_alert_record(obj)
    except RecordError as error:
        assert isinstance(error.field, str) and error.message
        return None


@settings(BASE, max_examples=500)
@given(json_values)
def test_no_json_value_crashes_validation(value: object) -> None:
    parse_or_none(value)


@settings(BASE, max_examples=700)
@given(mutated_records())
def test_no_mutated_record_crashes_validation(obj: dict[str, Any]) -> None:
    parse_or_none(obj)


@settings(BASE, max_examples=400)
@given(likely_records)
def test_valid_records_round_trip_and_are_clean(obj: dict[str, Any]) -> None:
    parsed = parse_or_none(obj)
    if parsed is None:
        return
    again = parse_alert_record(json.loads(json.dumps(parsed.as_feed_object())))
    assert again == parsed
    assert parsed.occurred_at.utcoffset() == timedelta(0)
    assert len(parsed.summary) <= MAX_SUMMARY
    for text in (parsed.external_id, parsed.source, parsed.client_ref, parsed.summary):
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in text)
        assert not set(text) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert unicodedata.is_normalized("NFC", text) and text == text.strip()
        text.encode("utf-8")  # storable: no lone surrogates left


@settings(BASE, max_examples=300)
@given(st.binary(max_size=300))
def test_no_bytes_crash_reading_or_validation(data: bytes) -> None:
    for outcome in validate_records(read_alert_records(data)):
        assert outcome.number >= 0


@settings(BASE, max_examples=100)
@given(
    st.lists(
        st.one_of(
            likely_records.map(lambda obj: ("record", obj)),
            st.binary(max_size=40)
            .filter(lambda b: b"\n" not in b and b.strip(b" \t\r"))
            .map(lambda junk: ("junk", junk)),
        ),
        max_size=12,
    )
)
def test_json_lines_keep_every_valid_record_with_its_number(
    lines: list[tuple[str, Any]],
) -> None:
    # The first line is a valid record, so the file reads as JSON lines.
    first: dict[str, Any] = {
        "id": "first",
        "source": "s",
        "client_ref": "c",
        "kind": "other",
        "severity": "low",
        "occurred_at": "2026-11-22T03:14:00Z",
    }
    rows = [json.dumps(first).encode()] + [
        json.dumps(item).encode() if kind == "record" else item for kind, item in lines
    ]
    outcomes = list(validate_records(read_alert_records(b"\n".join(rows))))
    assert [o.number for o in outcomes] == list(range(1, len(rows) + 1))
    for (kind, item), got in zip([("record", first), *lines], outcomes, strict=True):
        # Through JSON: a "\ud800\udc80" pair of escapes reads back as one character.
        expected = parse_or_none(json.loads(json.dumps(item))) if kind == "record" else None
        if kind == "record" and not _standard_json(item):
            expected = None  # NaN or Infinity is not JSON: the record is refused
        if expected is None:  # junk, or a record that is refused on its own too
            assert not isinstance(got, Accepted)
        else:
            assert isinstance(got, Accepted) and got.record == expected
