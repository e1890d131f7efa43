"""The bulk import's shortcuts give exactly what the general code gives.

`quick_alert` validates the usual record without `parse_alert_record`, and the audit
series hashes without `append_audit_many`: each is compared here with the general
path on generated input, so a shortcut can only ever be faster, never different.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.domain.alert_record import MAX_ID, MAX_NAME, MAX_SUMMARY, RecordError
from oncall.domain.alert_record import parse_alert_record as parse
from oncall.domain.record_stream import RawRecord
from oncall.domain.types import AlertKind, Severity
from oncall.services.ingest import (
    prepare_batches,
    prepared_alert,
    quick_alert,
)
from oncall.store.audit import GENESIS, append_audit_many, append_audit_series, verify_chain

BASE = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Printable ASCII (padded with blanks) is what the shortcut takes; the odd values are what
# it must leave to the full validation: controls, non-ASCII, lengths at and over the limits.
ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
names = ascii_text.filter(str.strip)
odd_text = st.sampled_from(
    ["", " ", "  x  ", "\t", "a\nb", "é", "\u202eab", "\x00", "a" * MAX_ID, "a" * (MAX_ID + 1)]
)
moments = st.builds(
    lambda moment, offset: moment.isoformat() + offset,
    st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(3010, 1, 1)),
    st.sampled_from(["Z", "+00:00", "-08:00", "+05:30", "+14:00", "-14:00"]),
)
points = st.fixed_dictionaries({"lat": st.floats(-90, 90), "lon": st.floats(-180, 180)})
valid_records = st.fixed_dictionaries(
    {
        "id": names | st.integers(-(10**12), 10**12),
        "source": names,
        "client_ref": names,
        "kind": st.sampled_from([k.value for k in AlertKind]),
        "severity": st.sampled_from([s.value for s in Severity]),
        "occurred_at": moments,
    },
    optional={
        "summary": ascii_text,
        "location": st.builds(
            lambda named, point: named | point,
            st.fixed_dictionaries({}, optional={"text": ascii_text, "zip": ascii_text}),
            st.just({}) | points,
        ),
        "handoff": st.fixed_dictionaries(
            {"org": names},
            optional={"counselor": ascii_text, "reference": ascii_text, "callback": ascii_text},
        ),
        "extra": ascii_text | st.none() | st.lists(st.integers(), max_size=2),
    },
)
odd_values = st.one_of(
    odd_text,
    st.sampled_from(
        [
            None,
            1.5,
            True,
            7,
            10**MAX_ID,
            -(10**MAX_ID) + 1,
            "s" * (MAX_SUMMARY + 1),
            "High",
            " low",
            "Overdose",
            "urgent",
            "2026-11-22",
            "2026-11-22T03:14:00",
            "1899-12-31T23:00:00-14:00",
            "3000-01-01T00:30:00+01:00",
            "2026-11-22T03:14:00٫5Z",
            float("nan"),
            float("inf"),
            90.0000001,
            -180,
            "33.7",
            92701,
            "https://h.example/o",
            "",
            [],
            {},
        ]
    ),
)
PATHS = [
    *[(name,) for name in ("id", "source", "client_ref", "kind", "severity", "occurred_at")],
    *[(name,) for name in ("summary", "location", "handoff")],
    *[("location", name) for name in ("text", "zip", "lat", "lon")],
    *[("handoff", name) for name in ("org", "counselor", "reference", "callback", "endpoint")],
]


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record; half of them with one to three values made odd or removed."""
    obj = draw(valid_records)
    if draw(st.booleans()):
        for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3)):
            parent = obj if len(path) == 1 else obj.get(path[0])
            if isinstance(parent, dict):
                if draw(st.booleans()):
                    parent[path[-1]] = draw(odd_values)
                else:
                    parent.pop(path[-1], None)
    return obj


def full(obj: dict[str, Any]) -> tuple[object, ...] | None:
    """The general path: full validation, then the column values; None when refused."""
    try:
        return prepared_alert(parse(obj))
    except RecordError:
        return None


@settings(BASE, max_examples=1500)
@given(records())
def test_the_shortcut_gives_the_full_validations_values_or_steps_aside(obj: dict[str, Any]) -> None:
    quick = quick_alert(obj)
    if quick is not None:
        assert quick == full(obj)


def usual(n: int) -> dict[str, Any]:
    """A record as feeds and the benchmark send them."""
    obj: dict[str, Any] = {
        "id": f"feed-{n:07d}",
        "source": "hotline",
        "client_ref": f"C-{100_001 + n}",
        "kind": "craving",
        "severity": "moderate",
        "summary": "Caller reports cravings after a family argument; safe at home",
        "occurred_at": "2026-11-22T03:14:00-08:00",
        "location": {"text": "home", "zip": "92701"},
    }
    if n % 2:
        obj["handoff"] = {"org": "988 Orange County", "counselor": "K-17", "reference": "9-1"}
    if n % 3:
        obj["location"] |= {"lat": 33.7, "lon": -117}
    return obj


@pytest.mark.parametrize("n", range(6))
def test_the_usual_record_takes_the_shortcut(n: int) -> None:
    obj = usual(n)
    assert quick_alert(obj) is not None  # else every import is quietly three times slower
    assert quick_alert(obj) == full(obj)


def test_at_the_edges_of_the_limits_the_shortcut_agrees_or_steps_aside() -> None:
    base = usual(0)
    for obj, shortcut in [
        (base | {"id": "a" * MAX_ID}, True),
        (base | {"id": " " + "a" * MAX_ID}, False),  # too long until stripped: the full way
        (base | {"summary": "s" * MAX_SUMMARY}, True),
        (base | {"location": {"text": "t" * MAX_NAME, "zip": " "}}, True),
        (base | {"location": {"lat": 90, "lon": -180}}, True),
        (base | {"location": {"lat": -90.0, "lon": 180.0, "text": None}}, True),
        (base | {"location": {"zip": "", "text": " "}}, True),
        (base | {"id": 10**MAX_ID - 1}, True),  # 200 digits
        (base | {"id": -(10**MAX_ID) + 1}, False),  # 201 characters: the full way says so
        (base | {"id": -17}, True),
        (base | {"occurred_at": "1900-01-01T00:00:00+14:00"}, True),
        (base | {"occurred_at": "2999-12-31T23:59:59.999999-14:00"}, True),
        (base | {"occurred_at": "1899-12-31T23:00:00-14:00"}, False),
    ]:
        quick = quick_alert(obj)
        assert (quick is not None) == shortcut, obj
        assert quick is None or quick == full(obj), obj


def _audit_db() -> sqlite3.Connection:
    """An in-memory audit_log table, as the schema has it minus the constraints."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT,"
        " object_type TEXT, object_id TEXT, client_id INTEGER, detail TEXT, prev_hash TEXT,"
        " hash TEXT)"
    )
    return conn


any_text = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(BASE, max_examples=200)
@given(
    any_text,
    any_text,
    st.lists(
        st.tuples(
            st.none() | any_text,
            st.none() | st.integers(-(2**63), 2**63 - 1),
            any_text,
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_an_audit_series_writes_exactly_the_rows_of_the_general_append(
    at: str, actor: str, items: list[tuple[str | None, int | None, str]], chained: bool
) -> None:
    rows = []
    for write in ("many", "series"):
        conn = _audit_db()
        if chained:  # the series continues a chain that is already there
            append_audit_many(conn, [(at, actor, "first", "x", None, None, "{}")])
        if write == "many":
            append_audit_many(conn, [(at, actor, "alert.created", "alert", *i) for i in items])
        else:
            append_audit_series(
                conn, at=at, actor=actor, action="alert.created", object_type="alert", items=items
            )
        rows.append(conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall())
        assert verify_chain(conn) == []
    assert rows[0] == rows[1]
    assert not rows[0] or rows[0][0][8] == GENESIS


def test_one_batch_mixes_shortcut_and_general_path_values_alike() -> None:
    records = [RawRecord(1, 1, usual(1)), (2, usual(2))]  # the shortcut, then the general path
    (batch,) = prepare_batches(records)
    assert batch.alerts == [full(usual(1)), full(usual(2))]
    assert batch.places == [(1, 1), (2, 0)] and batch.last == 2


def test_occurred_at_is_converted_once_and_remembered_correctly() -> None:
    for offset in ("-08:00", "+05:30", "Z"):
        moment = "2026-11-22T03:14:00" + offset
        expected = datetime.fromisoformat(moment).astimezone(UTC)
        for _ in range(2):  # the second time from the cache
            quick = quick_alert(usual(0) | {"occurred_at": moment})
            assert quick is not None
            assert quick[7] == expected.isoformat(timespec="microseconds")
