"""Validation of one alert feed record (docs/design.md section 5): types, ranges, text hygiene.

Pure: takes a parsed JSON value, returns an `AlertRecord` or raises `RecordError`
for the first problem found. There is no clock here: whether `occurred_at` is in
the future is the caller's business. Messages name the field and echo only short
vocabulary values (severity, kind, timestamps), never a summary, client ref or
name, so they can be logged and shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from oncall.domain.models import Handoff, Location
from oncall.domain.terminal_text import safe_text
from oncall.domain.types import AlertKind, Severity

MAX_ID = 200
"""Longest id, source, client ref, zip, counselor, reference or callback."""
MAX_NAME = 500
"""Longest organisation name or location text."""
MAX_SUMMARY = 4000
"""Longest summary, in characters after cleaning."""
MAX_URL = 2000
"""Longest handoff endpoint."""
YEARS = range(1900, 3000)
"""Years accepted in `occurred_at`: keeps later date arithmetic from overflowing."""

# Removed from every string: C0/C1 controls, bidi embeddings/overrides/isolates (they
# can reorder what a reader sees), invisible zero-width and tag characters.
_INVISIBLE = (
    "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\u180e\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# Also removed from identifiers, but kept in free text, where they are real spelling
# (ZWNJ/ZWJ in Persian, Indic scripts and emoji; LRM/RLM/ALM in mixed-direction text).
_ID_INVISIBLE_RE = re.compile(
    f"[{_INVISIBLE}\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u200c-\u200f\u3164\uffa0]"
)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")  # "\ud800" escapes: not encodable as UTF-8

_SEVERITIES = {s.value: s for s in Severity}
_KINDS = {k.value: k for k in AlertKind}
_TYPE_NAMES = {
    dict: "an object",
    list: "a list",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
    str: "text",
}
_LONGEST_INT_ID = 10**MAX_ID
_T = TypeVar("_T")


class RecordError(Exception):
    """One problem with a record: the dotted field it concerns and what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        """Dotted path of the field ("location.lat"); "" for the record as a whole."""
        self.message = message
        """What was wrong, in words that name the field."""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A validated feed record; `raw` is the original object, extra fields included."""

    source: str
    external_id: str
    client_ref: str
    kind: AlertKind
    severity: Severity
    summary: str
    occurred_at: datetime
    location: Location | None = None
    handoff: Handoff | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dedup_key(self) -> tuple[str, str]:
        """(source, id): the same alert sent twice is one alert."""
        return (self.source, self.external_id)

    def as_feed_object(self) -> dict[str, Any]:
        """The record in feed format, normalised; parsing it again gives an equal record."""
        obj: dict[str, Any] = {
            "id": self.external_id,
            "source": self.source,
            "client_ref": self.client_ref,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "summary": self.summary,
            "occurred_at": self.occurred_at.isoformat(),
        }
        if self.location is not None:
            obj["location"] = _given_fields(self.location)
        if self.handoff is not None:
            obj["handoff"] = _given_fields(self.handoff)
        return obj


def parse_alert_record(obj: object) -> AlertRecord:
    """Validate one parsed JSON value as a feed record; raise `RecordError` if it is not one."""
    if not isinstance(obj, dict):
        raise RecordError("", f"the record is {json_type_name(obj)}, not a JSON object")
    raw_id = obj.get("id")
    # An integer id is taken as its decimal form: numeric ids are common in feeds, and
    # 17 and "17" from one source are the same alert. Floats and booleans are refused.
    if type(raw_id) is int and abs(raw_id) < _LONGEST_INT_ID:
        raw_id = str(raw_id)
    return AlertRecord(
        external_id=_identifier(raw_id, "id", True),
        source=_identifier(obj.get("source"), "source", True),
        client_ref=_identifier(obj.get("client_ref"), "client_ref", True),
        kind=_choice(obj.get("kind"), "kind", _KINDS),
        severity=_choice(obj.get("severity"), "severity", _SEVERITIES),
        summary=_free_text(obj.get("summary"), "summary", MAX_SUMMARY),
        occurred_at=_timestamp(obj.get("occurred_at"), "occurred_at"),
        location=_location(obj.get("location")),
        handoff=_handoff(obj.get("handoff")),
        raw=obj,
    )


def clean_identifier(text: str) -> str:
    """An id-like string without controls or invisible characters, NFC, trimmed."""
    if text.isascii() and text.isprintable():
        return text.strip()
    # Stricter than `safe_text`: line breaks are removed, not made spaces ("ab\ncd" is
    # one id), so the pattern holds every character safe_text removes and more.
    text = _ID_INVISIBLE_RE.sub("", _SURROGATE_RE.sub("\ufffd", text))
    return unicodedata.normalize("NFC", text).strip()


def clean_text(text: str) -> str:
    """Free text with line breaks and tabs as spaces, controls and bidi overrides removed."""
    if text.isascii() and text.isprintable():
        return text.strip()
    text = safe_text(_SURROGATE_RE.sub("\ufffd", text))  # the shared terminal rule
    text = _INVISIBLE_RE.sub("", text)  # and zero-width and tag characters besides
    return unicodedata.normalize("NFC", text).strip()


def shown(value: str, limit: int = 40) -> str:
    """A value quoted for an error message: shortened, invisible characters escaped."""
    short = value if len(value) <= limit else value[:limit] + "…"
    if not short.isprintable():
        short = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in short)
    return f"'{short}'"


def _given_fields(obj: Location | Handoff) -> dict[str, Any]:
    values = ((name, getattr(obj, name)) for name in obj.__dataclass_fields__)
    return {name: value for name, value in values if value is not None}


def json_type_name(value: object) -> str:
    """What kind of JSON value this is, in words: "a list", "a number", "null"."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _string(value: object, name: str, required: bool) -> str | None:
    if isinstance(value, str):
        return str.__str__(value)  # a plain str, also from a StrEnum a caller put in
    if value is None:
        if required:
            raise RecordError(name, f"{name} is required")
        return None
    raise RecordError(name, f"{name} must be text, not {json_type_name(value)}")


def _identifier(value: object, name: str, required: bool = False, limit: int = MAX_ID) -> str:
    """The cleaned id-like string; "" when an optional one is absent or blank."""
    if type(value) is str and value.isascii() and value.isprintable() and len(value) <= limit:
        text = value.strip()  # the usual case: nothing to clean
        if text or not required:
            return text
    raw = _string(value, name, required)
    if raw is None:
        return ""
    text = clean_identifier(raw)
    if not text and required:
        raise RecordError(name, f"{name} is empty")
    if len(text) > limit:
        raise RecordError(name, f"{name} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def _free_text(value: object, name: str, limit: int) -> str:
    if type(value) is str and value.isascii() and value.isprintable() and len(value) <= limit:
        return value.strip()  # the usual case
    raw = _string(value, name, False)
    if raw is None:
        return ""
    text = clean_text(raw)
    if len(text) > limit:
        raise RecordError(name, f"{name} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def _choice(value: object, name: str, choices: dict[str, _T]) -> _T:
    raw = _string(value, name, True) or ""
    found = choices.get(raw)
    if found is None:
        # "High" or " high " is unambiguous; refusing it would drop a real alert.
        found = choices.get(raw.strip().lower())
        if found is None:
            raise RecordError(name, f"{name} {shown(raw)} is not one of {', '.join(choices)}")
    return found


def _timestamp(value: object, name: str) -> datetime:
    if type(value) is str and value.isascii():  # the usual case, without the explanations
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None and moment.year in YEARS:
                return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    raw = _string(value, name, True) or ""
    text = raw.strip()
    try:
        if not text.isascii():  # fromisoformat would not say "Arabic digits" clearly
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise RecordError(
            name,
            f"{name} {shown(raw)} is not an ISO 8601 date and time like 2026-11-22T03:14:00-08:00",
        ) from None
    if moment.utcoffset() is None:
        raise RecordError(
            name, f"{name} {shown(raw)} has no time zone (add Z or an offset such as -08:00)"
        )
    if moment.year in YEARS:  # also keeps astimezone away from year 1 and 9999
        return moment.astimezone(UTC)
    raise RecordError(
        name, f"{name} {shown(raw)} is not between the years {YEARS.start} and {YEARS.stop - 1}"
    )


def _location(value: object) -> Location | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError("location", f"location must be an object, not {json_type_name(value)}")
    text = _free_text(value.get("text"), "location.text", MAX_NAME)
    zip_code = value.get("zip")
    if type(zip_code) is int:
        raise RecordError(
            "location.zip", "location.zip must be text: as a number it loses leading zeros"
        )
    zip_code = _identifier(zip_code, "location.zip") or None
    lat = _coordinate(value.get("lat"), "location.lat", 90)
    lon = _coordinate(value.get("lon"), "location.lon", 180)
    if (lat is None) != (lon is None):
        given, missing = (
            ("location.lat", "location.lon") if lon is None else ("location.lon", "location.lat")
        )
        raise RecordError(missing, f"{missing} is required when {given} is given")
    if not text and zip_code is None and lat is None:
        return None  # {} or only blanks: nothing known about where the client is
    return Location(text=text, zip=zip_code, lat=lat, lon=lon)


def _coordinate(value: object, name: str, limit: int) -> float | None:
    if value is None:
        return None
    if type(value) is not float and type(value) is not int:  # bool is not a coordinate
        raise RecordError(name, f"{name} must be a number, not {json_type_name(value)}")
    if type(value) is float and not math.isfinite(value):  # NaN, Infinity
        raise RecordError(name, f"{name} is not a finite number")
    if not -limit <= value <= limit:
        number = repr(value) if abs(value) < 1e9 else "(a very large number)"
        raise RecordError(name, f"{name} {number} is outside -{limit}..{limit}")
    return float(value)


def _handoff(value: object) -> Handoff | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError("handoff", f"handoff must be an object, not {json_type_name(value)}")
    org = _free_text(value.get("org"), "handoff.org", MAX_NAME)
    if not org:
        raise RecordError("handoff.org", "handoff.org is required when handoff is given")
    return Handoff(
        org=org,
        counselor=_free_text(value.get("counselor"), "handoff.counselor", MAX_ID) or None,
        reference=_identifier(value.get("reference"), "handoff.reference") or None,
        callback=_identifier(value.get("callback"), "handoff.callback") or None,
        endpoint=_endpoint(value.get("endpoint"), "handoff.endpoint"),
    )


def _endpoint(value: object, name: str) -> str | None:
    """An http(s) URL where outcome reports go; never echoed, it may carry a token."""
    url = _identifier(value, name, False, MAX_URL)
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise RecordError(name, f"{name} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise RecordError(name, f"{name} must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise RecordError(name, f"{name} must not contain a user name or password")
    return url
