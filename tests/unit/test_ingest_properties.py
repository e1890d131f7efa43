"""Property: 10,000 generated feed records through the ingest path into a real database.

The generator knows which records it made valid and which it broke (and which
field it broke), so the expectations do not come from the code under test: every
valid record is kept once (the first of a source + id), every broken one is
reported by its record number and field and kept in the quarantine.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Clinic, alert_record
from oncall.domain.models import Location
from oncall.domain.record_stream import read_alert_records
from oncall.domain.types import AlertKind, Severity
from oncall.services.alerts import ingest_records
from oncall.services.ingest import created_detail, location_column
from oncall.store.audit import chain_material
from oncall.store.rows import location_json

RECORDS_PER_EXAMPLE = 100
EXAMPLES = 100  # 100 x 100 = 10,000 records

SEVERITIES = {s.value: s.value for s in Severity} | {" High ": "high", "LOW": "low"}
KINDS = {k.value: k.value for k in AlertKind} | {"Overdose": "overdose"}
OFFSETS = [UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
texts = st.text(max_size=40)  # any Unicode: controls, bidi marks, combining marks


@dataclass(frozen=True)
class Line:
    """One generated line and what the import must make of it."""

    text: bytes
    key: tuple[str, str] | None
    """(source, id) of a valid record; None for a broken one."""
    field: str
    """For a broken record, the field whose problem must be reported ("" for the line)."""
    severity: str = ""
    """For a valid record, the severity it must be stored with."""


@dataclass(frozen=True)
class Pools:
    """What Hypothesis chooses for an example: awkward texts and moments, and a seed."""

    texts: list[str]
    moments: list[datetime]
    rng: random.Random
    """Picks among the pools for each of the example's records: drawing every field of
    100 records through Hypothesis took seconds per example."""


pools = st.builds(
    Pools,
    st.lists(texts, min_size=6, max_size=6),
    st.lists(moments, min_size=4, max_size=4),
    st.randoms(use_true_random=True),
)


def _valid(pool: Pools, source: str) -> tuple[dict[str, Any], tuple[str, str], str]:
    rng = pool.rng
    number = rng.randint(0, 40)  # a small pool: many records share an id
    ident: str | int = number if rng.random() < 0.5 else f"r{number}"
    severity = rng.choice(sorted(SEVERITIES))
    obj: dict[str, Any] = {
        "id": ident,
        "source": source,
        "client_ref": rng.choice(["C-1", "C-2", "C-404"]),
        "kind": rng.choice(sorted(KINDS)),
        "severity": severity,
        "summary": rng.choice(pool.texts),
        "occurred_at": rng.choice(pool.moments).replace(tzinfo=rng.choice(OFFSETS)).isoformat(),
    }
    if rng.random() < 0.5:
        obj["location"] = {
            "text": rng.choice(pool.texts),
            "lat": rng.uniform(-90, 90),
            "lon": rng.choice([-180, 180, rng.uniform(-180, 180)]),
        }
    if rng.random() < 0.2:
        obj["handoff"] = {
            "org": rng.choice(["988 Orange County", "מוקד 988"]),
            "counselor": rng.choice(pool.texts),
        }
    if rng.random() < 0.2:
        obj["extra"] = rng.choice(pool.texts)  # unknown fields are kept in the raw record
    return obj, (source, str(ident)), SEVERITIES[severity]


def _drop(name: str) -> Callable[[dict[str, Any]], object]:
    return lambda obj: {k: v for k, v in obj.items() if k != name}


def _set(name: str, value: object) -> Callable[[dict[str, Any]], object]:
    return lambda obj: obj | {name: value}


# (field named in the error, how to break a valid record). Each one is certainly invalid.
BREAKS: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
    *[(name, _drop(name)) for name in ("id", "source", "client_ref", "kind", "severity")],
    ("occurred_at", _drop("occurred_at")),
    ("id", _set("id", 1.5)),
    ("id", _set("id", True)),
    ("id", _set("id", " ")),
    ("id", _set("id", "\u202e\u200b")),
    ("source", _set("source", None)),
    ("kind", _set("kind", "sadness")),
    ("kind", _set("kind", 7)),
    ("severity", _set("severity", "urgent")),
    ("severity", _set("severity", ["high"])),
    ("severity", _set("severity", "")),
    ("occurred_at", _set("occurred_at", "2026-11-22T03:14:00")),
    ("occurred_at", _set("occurred_at", "yesterday at 3")),
    ("occurred_at", _set("occurred_at", "2026-13-01T00:00:00Z")),
    ("occurred_at", _set("occurred_at", 1_700_000_000)),
    ("location.lat", _set("location", {"lat": 90.5, "lon": 0})),
    ("location.lon", _set("location", {"lat": 0, "lon": -180.01})),
    ("location.lat", _set("location", {"lat": "33.7", "lon": -117.8})),
    ("location.lat", _set("location", {"lat": float("nan"), "lon": 1})),
    ("location", _set("location", "home")),
    ("summary", _set("summary", "x" * 4001)),
    ("summary", _set("summary", 42)),
    ("handoff.org", _set("handoff", {"counselor": "K-17"})),
    ("handoff", _set("handoff", "988")),
    ("", lambda obj: [obj]),
    ("", lambda obj: "a string"),
    ("", lambda obj: None),
]


def feed_lines(pool: Pools, source: str) -> list[Line]:
    """A first valid line (it decides the file is JSON lines), then valid and broken ones."""
    rng = pool.rng
    lines: list[Line] = []
    for n in range(RECORDS_PER_EXAMPLE):
        obj, key, severity = _valid(pool, source)
        if n == 0 or rng.random() < 0.6:
            lines.append(Line(json.dumps(obj, ensure_ascii=False).encode(), key, "", severity))
        elif rng.random() < 0.1:  # a line cut short in the middle
            text = json.dumps(obj).encode()
            lines.append(Line(text[: rng.randint(1, len(text) - 1)], None, ""))
        else:
            field, breaker = rng.choice(BREAKS)
            lines.append(Line(json.dumps(breaker(obj), ensure_ascii=False).encode(), None, field))
    return lines


_example = itertools.count()


# One database for all examples: each example's sources are its own, so keys never meet.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ in the shared working tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
    ],
)
@given(pool=pools)
def test_every_valid_record_is_kept_once_and_every_broken_one_reported(
    clinic: Clinic, pool: Pools
) -> None:
    example = next(_example)
    origin = f"property-{example}"
    lines = feed_lines(pool, f"src-{example}")
    report = ingest_records(
        clinic.ctx(), read_alert_records(b"\n".join(line.text for line in lines)), origin=origin
    )
    first: dict[tuple[str, str], str] = {}
    for line in lines:
        if line.key is not None:
            first.setdefault(line.key, line.severity)
    valid = sum(line.key is not None for line in lines)
    broken = {n: line.field for n, line in enumerate(lines, 1) if line.key is None}
    assert (report.accepted, report.duplicates) == (len(first), valid - len(first))
    assert {r.number: r.field for r in report.rejected} == broken
    with clinic.store.read() as conn:
        stored = {
            (source, external_id): severity
            for source, external_id, severity in conn.execute(
                "SELECT source, external_id, severity FROM alerts WHERE source = ?",
                (f"src-{example}",),
            )
        }
        quarantined = dict(
            conn.execute(
                "SELECT record_number, field FROM quarantine WHERE source = ?", (origin,)
            ).fetchall()
        )
    assert stored == first  # the first of each source + id, with its severity
    assert quarantined == broken


any_text = st.text(st.characters(codec="utf-8"), max_size=30)
maybe_id = st.none() | any_text
maybe_client = st.none() | st.integers(-(2**63), 2**63 - 1)


@settings(max_examples=300, deadline=None, database=None)
@given(any_text, any_text, any_text, any_text, maybe_id, maybe_client, any_text)
def test_bulk_audit_hashes_exactly_the_text_the_chain_check_hashes(
    at: str, actor: str, action: str, kind: str, oid: str | None, cid: int | None, detail: str
) -> None:
    # The hashed text is built by hand; chains already stored were hashed over json's text.
    fields = ["f" * 64, at, actor, action, kind, oid, cid, detail]
    assert chain_material(*fields) == json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=300, deadline=None, database=None)
@given(any_text, st.text('abcXYZ019-_ "\\\u202e\u00e9', min_size=1), st.booleans())
def test_the_audit_detail_of_an_alert_is_exactly_its_json(
    origin: str, ident: str, unknown: bool
) -> None:
    record = alert_record(id=f"x{ident}", source='hot"line\\')
    expected = json.dumps(
        {
            "origin": origin,
            "source": record.source,
            "external_id": record.external_id,
            "severity": record.severity.value,
            "unknown_client": unknown,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    assert (
        created_detail(json.dumps(origin, ensure_ascii=False), record, unknown_client=unknown)
        == expected
    )


coordinate = st.none() | st.floats(-180, 180) | st.integers(-90, 90) | st.just(float("nan"))


@settings(max_examples=300, deadline=None, database=None)
@given(any_text, st.none() | any_text, coordinate, coordinate)
def test_the_bulk_location_column_is_exactly_the_stores(
    text: str, zip_code: str | None, lat: float | None, lon: float | None
) -> None:
    location = Location(text=text, zip=zip_code, lat=lat, lon=lon)
    assert location_column(location) == location_json(location)
