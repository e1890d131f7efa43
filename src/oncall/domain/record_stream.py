"""Splitting an alert file or feed response into records, keeping every readable one.

Accepted layouts: a JSON array (a truncated one keeps the records before the cut),
JSON lines, a single record, a paged response ({"alerts": [...], "next": ...}), or
pretty-printed objects one after another (what `jq '.[]'` writes). Each record
comes back as a `RawRecord` whose value is the parsed JSON or a `RecordError`
saying why it could not be read; `RecordError`s with number 0 concern the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from oncall.domain.alert_record import (
    MAX_ID,
    AlertRecord,
    RecordError,
    clean_identifier,
    json_type_name,
    parse_alert_record,
)
from oncall.domain.strict_json import StrictJson

MAX_RECORD = 262_144
"""Longest record, in characters of its JSON text, unless the caller says otherwise
(`Settings.max_record_bytes`): a 9.3 MB alert was stored whole."""
CONTAINER_KEYS = ("alerts", "data", "items", "records", "results")
"""Keys under which a paged response object holds its list of records."""

_BOM = b"\xef\xbb\xbf"
_NULS = re.compile(b"\x00*")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)
_CUT_TOKEN = re.compile(r"[-+.\w]*[ \t\n\r]*")  # what is left when a file ends mid-token
# Deep nesting raises RecursionError, huge integers plain ValueError: neither is a crash.
_UNREADABLE = (ValueError, RecursionError)


class RawRecord(NamedTuple):
    """One record as read, before validation."""

    number: int
    """Position among the records, from 1; 0 for a problem with the whole file."""
    line: int
    """Line of the file where the record starts; 0 when not known."""
    value: object
    """The parsed JSON value, or a `RecordError` saying why it could not be read."""


def read_alert_records(data: bytes, max_record: int = MAX_RECORD) -> Iterator[RawRecord]:
    """Split the bytes of an alert file into records, in file order.

    A record longer than `max_record` characters is refused unread (a line) or once read
    (in an array), and the next one is read as usual.
    """
    bom = len(_BOM) if data.startswith(_BOM) else 0
    nuls = _NULS.match(data, bom).end() - bom  # type: ignore[union-attr]
    # UTF-16/32 puts a NUL beside every ASCII character; a run of NULs before plain text
    # is damage (a preallocated or zero-filled file), not an encoding.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[bom + nuls :][:4]:
        yield _file_error("the file is UTF-16 or UTF-32, not UTF-8: save it as UTF-8")
        return
    if nuls:
        yield _file_error(f"the file starts with {nuls:,} NUL bytes; they were skipped")
    body = data[bom + nuls :] if bom or nuls else data
    try:
        text, clean = body.decode("utf-8"), True
    except UnicodeDecodeError:
        text, clean = body.decode("utf-8", "surrogateescape"), False
    if "\r" in text and "\n" not in text:
        # CR-only line ends (classic Mac, some exporters) read as one line lost every
        # record after the first; CRLF needs nothing (CR is JSON whitespace).
        text = text.replace("\r", "\n")
    reader = _Reader(text, clean, bom + nuls, max_record)
    start = _skip_space(text, 0)
    if start == len(text):
        yield _file_error("the file is empty")
    elif text[start] == "[":
        yield from reader.walk(start + 1, in_array=True)
    elif text[start] == "{":
        yield from reader.object_or_lines(start)
    else:
        yield from reader.lines()


def records_from_json_value(
    value: object, strict: StrictJson | None = None, max_record: int | None = None
) -> Iterator[RawRecord]:
    """The records in a parsed JSON value: a list, a paged response object or one record.

    `strict`, the decoder that read the value, turns each record that held a duplicate
    key or a non-finite number into the `RecordError` saying so; `max_record` (given
    when the whole text was longer) refuses a record whose JSON text is longer.
    """
    if (strict is not None and strict.take() is not None) or max_record is not None:
        for raw in records_from_json_value(value):
            problem = strict.problem_in(raw.value) if strict and raw.number else None
            if problem is None and max_record is not None and raw.number:
                size = len(_COMPACT.encode(raw.value))
                if size > max_record:
                    problem = RecordError(
                        "", f"the record is {size:,} characters long; the limit is {max_record:,}"
                    )
            yield raw._replace(value=problem) if problem else raw
        return
    items: object = value
    if isinstance(value, dict) and "id" not in value:
        key = next((k for k in CONTAINER_KEYS if k in value), None)
        if key is not None:
            items = value[key]
            if items is None:  # an empty page
                return
            if not isinstance(items, list):
                yield _file_error(
                    f"'{key}' should hold a list of alerts, not {json_type_name(items)}", key
                )
                return
    if not isinstance(items, list):
        yield RawRecord(1, 0, items)
        return
    for number, item in enumerate(items, start=1):
        yield RawRecord(number, 0, item)


def _file_error(message: str, field: str = "") -> RawRecord:
    return RawRecord(0, 0, RecordError(field, message))


def _detail(err: Exception) -> str:
    """Why `json` refused a value that was not a syntax error."""
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return "a number has too many digits" if "digits" in str(err) else str(err)


def _skip_space(text: str, pos: int, end: int | None = None) -> int:
    match = _WHITESPACE.match(text, pos, len(text) if end is None else end)
    return match.end() if match else pos


class _Reader:
    """Walks decoded file text; knows line numbers and byte offsets of positions."""

    def __init__(self, text: str, clean: bool, bom: int, max_record: int = MAX_RECORD) -> None:
        self.text = text
        self.max_record = max_record
        self.clean = clean
        self.json = StrictJson()  # its own: it notes problems per value read
        self._line = (0, 1)  # (position, its line): positions are asked in order
        self._byte = (0, bom)  # (position, its byte offset in the file)

    def line_at(self, pos: int) -> int:
        """The 1-based line of a position at or after the last one asked."""
        last, line = self._line
        line += self.text.count("\n", last, pos)
        self._line = (pos, line)
        return line

    def undecoded(self, start: int, end: int, what: str = "the record") -> RecordError | None:
        """An error naming the byte offset of the first non-UTF-8 byte in a span, if any."""
        found = None if self.clean else _UNDECODED.search(self.text, start, end)
        if found is None:
            return None
        last, offset = self._byte
        offset += len(self.text[last : found.start()].encode("utf-8", "surrogateescape"))
        self._byte = (found.start(), offset)
        return RecordError("", f"{what} has bytes that are not UTF-8 at byte offset {offset:,}")

    def lines(self) -> Iterator[RawRecord]:
        """JSON lines: one record per non-blank line; a bad line spoils only itself.

        A line that holds one object and nothing else (the usual case) is scanned in
        place, without copying it out of the file's text; anything else (a problem, a
        value running on past the line, trailing text) is read again by `_one_line`,
        which says exactly what is wrong with it.
        """
        text, pos, line, number = self.text, 0, 0, 0
        size = len(text)
        scan = self.json.scan
        fast = self.clean
        while pos < size:
            end = text.find("\n", pos)
            end = size if end < 0 else end
            line += 1
            start = pos if text[pos] == "{" else _skip_space(text, pos, end)
            if start < end:  # blank lines are skipped
                number += 1
                value: object = None
                if end - start > self.max_record:
                    value = self._too_long(end - start)
                elif fast and text[start] == "{":
                    try:
                        value, stop = scan(text, start)
                    except (StopIteration, *_UNREADABLE):
                        value = self.json.take() and None  # `_one_line` says what is wrong
                    else:
                        if stop != end and (stop > end or _skip_space(text, stop, end) != end):
                            value = self.json.take() and None
                        else:
                            value = self.json.checked(value)
                if value is None:
                    value = self._one_line(pos, end)
                yield RawRecord(number, line, value)
            pos = end + 1

    def _one_line(self, start: int, end: int) -> object:
        problem = self.undecoded(start, end, "the line")
        if problem is not None:
            return problem
        try:
            value = self.json.decoder.decode(self.text[start:end])
        except json.JSONDecodeError as err:
            self.json.take()
            # "Unterminated string starting at" already ends in "at".
            at = "" if err.msg.endswith(" at") else " at"
            return RecordError("", f"not valid JSON: {err.msg}{at} column {err.colno}")
        except _UNREADABLE as err:
            self.json.take()
            return RecordError("", f"not valid JSON: {_detail(err)}")
        if not isinstance(value, dict):
            self.json.take()
            return RecordError("", f"the line holds {json_type_name(value)}, not a JSON object")
        return self.json.checked(value)

    def object_or_lines(self, start: int) -> Iterator[RawRecord]:
        """A file opening with "{": JSON lines, one object, or objects one after another."""
        text = self.text
        try:
            value, end = self.json.decoder.raw_decode(text, start)
        except _UNREADABLE as err:
            self.json.take()
            where = getattr(err, "pos", start)
            if text.find("\n", start, where) < 0:  # broken on its first line: JSON lines
                yield from self.lines()
            else:
                yield self._unreadable(1, start, err)
            return
        if _skip_space(text, end) == len(text):
            problem = self.undecoded(start, end, "the file")
            if problem is not None:
                yield RawRecord(0, 0, RecordError("", f"{problem.message}; nothing was read"))
                return
            longer = end - start > self.max_record
            yield from records_from_json_value(
                value, self.json, self.max_record if longer else None
            )
        elif text.find("\n", start, end) < 0:
            self.json.take()
            yield from self.lines()
        else:
            self.json.take()  # noted again, record by record
            yield from self.walk(start, in_array=False)

    def walk(self, pos: int, *, in_array: bool) -> Iterator[RawRecord]:
        """Values of an array (after its "[") or values one after another, until one breaks."""
        text, number = self.text, 0
        pos = _skip_space(text, pos)
        while pos < len(text):
            if in_array and text[pos] == "]":
                pos = _skip_space(text, pos + 1)
                if pos < len(text):
                    yield RawRecord(
                        0,
                        self.line_at(pos),
                        RecordError(
                            "", "unexpected text after the end of the array; it was not read"
                        ),
                    )
                return
            number += 1
            try:
                value, end = self.json.decoder.raw_decode(text, pos)
            except _UNREADABLE as err:
                yield self._unreadable(number, pos, err)
                return
            value = self.json.checked(value)
            if end - pos > self.max_record:
                value = self._too_long(end - pos)
            yield RawRecord(number, self.line_at(pos), self.undecoded(pos, end) or value)
            pos = _skip_space(text, end)
            if in_array and pos < len(text):
                if text[pos] not in ",]":
                    yield self._unreadable(
                        number + 1,
                        pos,
                        json.JSONDecodeError(f"expected , or ] after record {number}", text, pos),
                    )
                    return
                if text[pos] == ",":  # a trailing comma before "]" is forgiven
                    pos = _skip_space(text, pos + 1)
        if in_array:
            after = f"after record {number}" if number else "just after the opening ["
            yield RawRecord(
                number + 1,
                0,
                RecordError(
                    "",
                    f"the file ends {after}, before the array's closing ]: "
                    "it may have been cut short",
                ),
            )

    def _too_long(self, size: int) -> RecordError:
        return RecordError(
            "", f"the record is {size:,} characters long; the limit is {self.max_record:,}"
        )

    def _unreadable(self, number: int, pos: int, err: Exception) -> RawRecord:
        """Why record `number`, starting at `pos`, cannot be read; reading stops there."""
        text = self.text
        line = self.line_at(pos)
        where = getattr(err, "pos", pos)
        kept = {1: "no record was read", 2: "record 1 was read"}.get(
            number, f"records 1 to {number - 1} were read"
        )
        if isinstance(err, json.JSONDecodeError) and (
            err.msg.startswith("Unterminated string") or _CUT_TOKEN.fullmatch(text, where)
        ):
            message = f"the file ends in the middle of record {number}; {kept}"
        elif (problem := self.undecoded(pos, where + 1)) is not None:
            message = f"{problem.message}; {kept}, the rest was not"
        elif isinstance(err, json.JSONDecodeError):
            message = (
                f"not valid JSON: {err.msg} at line {self.line_at(where)}, "
                f"column {err.colno}; {kept}, the rest was not"
            )
        else:
            message = f"not valid JSON: {_detail(err)}; {kept}, the rest was not"
        return RawRecord(number, line, RecordError("", message))


class Accepted(NamedTuple):
    """A record that passed validation, with where it was in the file."""

    number: int
    line: int
    record: AlertRecord


class Rejection(NamedTuple):
    """A record (or the file, number 0) that was refused, and why."""

    number: int
    line: int
    external_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.number == 0:
            return self.message if not self.line else f"line {self.line}: {self.message}"
        where = f"record {self.number}" + (f", line {self.line}" if self.line else "")
        named = f" ({self.external_id})" if self.external_id else ""
        return f"{where}{named}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything valid in a file, in order, and every rejection with its reason."""

    accepted: list[Accepted]
    rejected: list[Rejection]


def validate_records(records: Iterable[RawRecord]) -> Iterator[Accepted | Rejection]:
    """Validate records one at a time (for the HTTP poller and large files)."""
    for raw in records:
        value = raw.value
        if isinstance(value, RecordError):
            yield Rejection(raw.number, raw.line, None, value.field, value.message)
            continue
        try:
            yield Accepted(raw.number, raw.line, parse_alert_record(value))
        except RecordError as err:
            yield Rejection(raw.number, raw.line, _external_id(value), err.field, err.message)
        except Exception as err:  # a bug here must cost one record, not the whole file
            yield Rejection(
                raw.number,
                raw.line,
                _external_id(value),
                "",
                f"could not be validated ({type(err).__name__}); please report it",
            )


def iter_alert_records(data: bytes) -> Iterator[Accepted | Rejection]:
    """Read and validate an alert file lazily, record by record."""
    return validate_records(read_alert_records(data))


def validate_alert_records(data: bytes) -> ValidationReport:
    """Read and validate a whole alert file: the valid records and the reasons for the rest.

    It holds every record at once; for files of many thousands prefer `iter_alert_records`
    (100,000 held records cost about twice the time, much of it in the cyclic GC).
    """
    report = ValidationReport([], [])
    for outcome in iter_alert_records(data):
        if isinstance(outcome, Accepted):
            report.accepted.append(outcome)
        else:
            report.rejected.append(outcome)
    return report


def _external_id(value: object) -> str | None:
    """The record's id, cleaned and shortened, to help find a rejected record."""
    ident = value.get("id") if isinstance(value, dict) else None
    if type(ident) is int and abs(ident) < 10**MAX_ID:
        ident = str(ident)
    if type(ident) is not str:
        return None
    return clean_identifier(ident[: 2 * MAX_ID])[:MAX_ID] or None
