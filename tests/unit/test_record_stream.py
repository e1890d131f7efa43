"""Alert files split into records: arrays, JSON lines, paged responses, and broken files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oncall.domain.alert_record import RecordError
from oncall.domain.record_stream import (
    Accepted,
    RawRecord,
    Rejection,
    read_alert_records,
    records_from_json_value,
    validate_alert_records,
)


def alert(ident: str, **changes: Any) -> dict[str, Any]:
    """A valid feed record with the given id."""
    return {
        "id": ident,
        "source": "app",
        "client_ref": "C-1",
        "kind": "craving",
        "severity": "low",
        "occurred_at": "2026-11-22T03:14:00Z",
        **changes,
    }


def line(ident: str, **changes: Any) -> bytes:
    """A valid record as one JSON line."""
    return json.dumps(alert(ident, **changes)).encode()


def outcome(data: bytes) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """(number, line, id) of each accepted record; (number, line, message) of each rejection."""
    report = validate_alert_records(data)
    return (
        [(a.number, a.line, a.record.external_id) for a in report.accepted],
        [(r.number, r.line, r.message) for r in report.rejected],
    )


def values(data: bytes) -> list[tuple[int, object]]:
    """(number, value or error message) of each record read."""
    return [
        (r.number, str(r.value) if isinstance(r.value, RecordError) else r.value)
        for r in read_alert_records(data)
    ]


ARRAY = json.dumps([alert("a"), alert("b"), alert("c")], indent=2).encode()

FILES: list[tuple[str, bytes, list[tuple[int, int, str]], list[tuple[int, int, str]]]] = [
    # (case, file, accepted (number, line, id), rejected (number, line, message start))
    ("pretty array", ARRAY, [(1, 2, "a"), (2, 10, "b"), (3, 18, "c")], []),
    (
        "array on one line",
        b"[" + line("a") + b"," + line("b") + b"]",
        [(1, 1, "a"), (2, 1, "b")],
        [],
    ),
    ("empty array", b" [ ] \n", [], []),
    (
        "array cut inside record 3",
        ARRAY[:-40],
        [(1, 2, "a"), (2, 10, "b")],
        [(3, 18, "the file ends in the middle of record 3; records 1 to 2 were read")],
    ),
    (
        "array cut inside a number",
        b"[" + line("a") + b', {"id": 12.',
        [(1, 1, "a")],
        [(2, 1, "the file ends in the middle of record 2; record 1 was read")],
    ),
    (
        "array cut after a comma",
        b"[" + line("a") + b",\n",
        [(1, 1, "a")],
        [(2, 0, "the file ends after record 1, before the array's closing ]")],
    ),
    (
        "array cut after its opening",
        b"[",
        [],
        [(1, 0, "the file ends just after the opening [, before the array's closing ]")],
    ),
    (
        "array with a missing comma",
        b"[" + line("a") + b"\n" + line("b") + b"]",
        [(1, 1, "a")],
        [
            (
                2,
                2,
                "not valid JSON: expected , or ] after record 1 at line 2, column 1; "
                "record 1 was read, the rest was not",
            )
        ],
    ),
    ("trailing comma forgiven", b"[" + line("a") + b",]", [(1, 1, "a")], []),
    (
        "text after the array",
        b"[" + line("a") + b"]\nxyz",
        [(1, 1, "a")],
        [(0, 2, "unexpected text after the end of the array; it was not read")],
    ),
    (
        "JSON lines with a bad line between good ones",
        line("a") + b"\n\n  \n[1, 2]\nnot json\n" + line("b") + b"\r\n" + line("c"),
        [(1, 1, "a"), (4, 6, "b"), (5, 7, "c")],
        [
            (2, 4, "the line holds a list, not a JSON object"),
            (3, 5, "not valid JSON: Expecting value at column 1"),
        ],
    ),
    (
        "JSON lines with an invalid record",
        line("a") + b"\n" + line("b", severity="urgent"),
        [(1, 1, "a")],
        [(2, 2, "severity 'urgent' is not one of imminent, high, moderate, low")],
    ),
    (
        "JSON line nested too deeply",
        line("a") + b"\n" + b"[" * 100_000 + b"\n" + line("b"),
        [(1, 1, "a"), (3, 3, "b")],
        [(2, 2, "not valid JSON: nested too deeply")],
    ),
    (
        "JSON line with a 5,000-digit number",
        b'{"id": ' + b"9" * 5000 + b"}\n" + line("b"),
        [(2, 2, "b")],
        [(1, 1, "not valid JSON: a number has too many digits")],
    ),
    ("a scalar file", b'"hello"', [], [(1, 1, "the line holds text, not a JSON object")]),
    ("one record", json.dumps(alert("a"), indent=2).encode(), [(1, 0, "a")], []),
    (
        "objects one after another (jq)",
        (json.dumps(alert("a"), indent=2) + "\n" + json.dumps(alert("b"), indent=2)).encode(),
        [(1, 1, "a"), (2, 9, "b")],
        [],
    ),
    (
        "one record cut short",
        json.dumps(alert("a"), indent=2).encode()[:-15],
        [],
        [(1, 1, "the file ends in the middle of record 1; no record was read")],
    ),
    ("empty file", b"", [], [(0, 0, "the file is empty")]),
    ("blank file", b" \n\r\n\t", [], [(0, 0, "the file is empty")]),
    (
        "BOM then JSON lines",
        b"\xef\xbb\xbf" + line("a") + b"\n" + line("b"),
        [(1, 1, "a"), (2, 2, "b")],
        [],
    ),
    ("BOM then an array", b"\xef\xbb\xbf[" + line("a") + b"]", [(1, 1, "a")], []),
    (
        "UTF-16 with a BOM",
        ("[" + json.dumps(alert("a")) + "]").encode("utf-16"),
        [],
        [(0, 0, "the file is UTF-16 or UTF-32, not UTF-8: save it as UTF-8")],
    ),
    (
        "UTF-16 without a BOM",
        ("[" + json.dumps(alert("a")) + "]").encode("utf-16-le"),
        [],
        [(0, 0, "the file is UTF-16 or UTF-32, not UTF-8")],
    ),
    (
        "paged response",
        json.dumps({"alerts": [alert("a"), alert("b")], "next": "p2"}).encode(),
        [(1, 0, "a"), (2, 0, "b")],
        [],
    ),
    (
        "paged under data",
        json.dumps({"data": [alert("a"), 7]}).encode(),
        [(1, 0, "a")],
        [(2, 0, "the record is a number, not a JSON object")],
    ),
    ("empty page", b'{"data": null, "next": null}', [], []),
    (
        "page holding text",
        b'{"alerts": "none"}',
        [],
        [(0, 0, "'alerts' should hold a list of alerts, not text")],
    ),
]


@pytest.mark.parametrize(
    ("data", "accepted", "rejected"), [case[1:] for case in FILES], ids=[case[0] for case in FILES]
)
def test_every_readable_record_is_kept_in_order(
    data: bytes, accepted: list[tuple[int, int, str]], rejected: list[tuple[int, int, str]]
) -> None:
    got_accepted, got_rejected = outcome(data)
    assert got_accepted == accepted
    assert len(got_rejected) == len(rejected)
    for got, expected in zip(got_rejected, rejected, strict=True):
        assert got[:2] == expected[:2]
        assert got[2].startswith(expected[2]), got[2]


LATIN1 = line("a") + b"\n" + line("José").replace(b"\\u00e9", b"\xe9") + b"\n" + line("c")


@pytest.mark.parametrize(
    "data",
    [LATIN1, b"\xef\xbb\xbf" + LATIN1, b"[" + LATIN1.replace(b"\n", b",\n") + b"]"],
    ids=["JSON lines", "with a BOM", "array"],
)
def test_bytes_that_are_not_utf8_spoil_only_their_record(data: bytes) -> None:
    accepted, rejected = outcome(data)
    assert [a[2] for a in accepted] == ["a", "c"]
    ((number, line_no, message),) = rejected
    assert (number, line_no) == (2, 2)
    offset = data.index(b"\xe9")
    assert message == f"the line has bytes that are not UTF-8 at byte offset {offset:,}" or (
        message == f"the record has bytes that are not UTF-8 at byte offset {offset:,}"
    )


def test_bytes_that_are_not_utf8_between_array_records_stop_the_reading() -> None:
    data = b"[" + line("a") + b",\n\xff" + line("b") + b"]"
    accepted, rejected = outcome(data)
    assert [a[2] for a in accepted] == ["a"]
    offset = data.index(b"\xff")
    assert rejected == [
        (
            2,
            2,
            f"the record has bytes that are not UTF-8 at byte offset "
            f"{offset}; record 1 was read, the rest was not",
        )
    ]


def test_rejections_name_the_record_its_line_and_its_id() -> None:
    report = validate_alert_records(line("a") + b"\n" + line("hl-7", kind="fall") + b"\n{")
    first, second = report.rejected
    assert (first.external_id, first.field) == ("hl-7", "kind")
    assert str(first).startswith("record 2, line 2 (hl-7): kind 'fall' is not one of")
    assert (
        str(second) == "record 3, line 3: not valid JSON: Expecting property name "
        "enclosed in double quotes at column 2"
    )
    assert str(Rejection(0, 0, None, "", "the file is empty")) == "the file is empty"


def test_records_from_a_json_value_for_the_feed_poller() -> None:
    assert list(records_from_json_value([alert("a"), 3])) == [
        RawRecord(1, 0, alert("a")),
        RawRecord(2, 0, 3),
    ]
    assert list(records_from_json_value({"results": [alert("a")], "next": "x"})) == [
        RawRecord(1, 0, alert("a"))
    ]
    assert list(records_from_json_value(alert("a"))) == [RawRecord(1, 0, alert("a"))]
    assert list(records_from_json_value({"items": []})) == []


def test_reading_yields_parsed_values_and_errors() -> None:
    assert values(line("a") + b"\nnope") == [
        (1, alert("a")),
        (2, "not valid JSON: Expecting value at column 1"),
    ]


def test_accepted_records_carry_the_validated_record() -> None:
    (first,) = validate_alert_records(line("a", severity="Imminent")).accepted
    assert isinstance(first, Accepted)
    assert first.record.severity == "imminent"
