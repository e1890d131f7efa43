"""Reading one feed response: its records, where the next page is, and whether it is whole."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from oncall.domain.alert_record import RecordError
from oncall.domain.record_stream import (
    CONTAINER_KEYS,
    MAX_RECORD,
    RawRecord,
    read_alert_records,
    records_from_json_value,
)
from oncall.domain.strict_json import StrictJson

_NEXT_KEYS = ("next", "next_url", "next_page_url", "nextPage")


@dataclass(frozen=True)
class FeedPage:
    """What one response held."""

    records: list[RawRecord]
    """Every record, readable or not (an unreadable one carries its RecordError)."""
    next_url: str | None = None
    """The next page to fetch, absolute; None on the last page."""
    problem: str | None = None
    """Why the response cannot be trusted whole (garbage, cut short); None when it can."""
    garbage: bool = False
    """True when nothing in the response could be read as JSON: no record is kept."""


def read_feed_page(
    body: bytes,
    *,
    url: str,
    content_type: str = "",
    link_next: str | None = None,
    default_source: str | None = None,
    max_record: int = MAX_RECORD,
) -> FeedPage:
    """Split a response body into records and find the next page (Link header or body)."""
    if "html" in content_type.lower():
        return FeedPage([], None, "the feed answered with an HTML page, not JSON alerts", True)
    if not body.strip():
        return FeedPage([])  # an empty body is a feed with nothing new
    strict = StrictJson()  # a duplicate key or a NaN rejects its record, not the page
    try:
        value: object = strict.loads(body)
    except (ValueError, RecursionError):
        return _damaged_or_lines(body, default_source, max_record)
    limit = max_record if len(body) > max_record else None  # only then can a record be longer
    records = [
        _with_source(r, default_source) for r in records_from_json_value(value, strict, limit)
    ]
    next_url = _absolute(url, link_next) if link_next else None
    if next_url is None and isinstance(value, Mapping) and "id" not in value:
        next_url = _next_from_body(value, url)
    return FeedPage(records, next_url)


def _damaged_or_lines(body: bytes, default_source: str | None, max_record: int) -> FeedPage:
    """A body that is not one JSON value: JSON lines, or something broken or cut short."""
    records = [_with_source(r, default_source) for r in read_alert_records(body, max_record)]
    readable = [r for r in records if not isinstance(r.value, RecordError)]
    if not readable:
        first = next((r.value for r in records if isinstance(r.value, RecordError)), None)
        reason = f": {first.message}" if isinstance(first, RecordError) else ""
        return FeedPage([], None, f"the feed's answer is not JSON alerts{reason}", True)
    head = body.lstrip()[:1]
    if head == b"[" or (head == b"{" and not _first_line_is_json(body)):
        # A broken array or object: what came before the break is kept (and deduplicated
        # when it comes again), but the answer as a whole is not to be trusted.
        last = records[-1].value
        why = last.message if isinstance(last, RecordError) else "it could not be read whole"
        return FeedPage(records, None, f"the answer was incomplete: {why}")
    return FeedPage(records)  # JSON lines: a bad line is one bad record


def _first_line_is_json(body: bytes) -> bool:
    first, _, rest = body.lstrip().partition(b"\n")
    if not rest.strip():
        return False
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def _with_source(raw: RawRecord, source: str | None) -> RawRecord:
    """Fill in the feed's source for a record that names none."""
    value = raw.value
    if source and isinstance(value, dict) and value.get("source") in (None, ""):
        return raw._replace(value={**value, "source": source})
    return raw


def _next_from_body(value: Mapping[str, object], url: str) -> str | None:
    """A next link in the body (next, links.next, _links.next.href) or the next page number."""
    if not any(key in value for key in CONTAINER_KEYS):
        return None
    candidates: list[object] = [value.get(key) for key in _NEXT_KEYS]
    for holder in ("links", "_links"):
        links = value.get(holder)
        if isinstance(links, Mapping):
            link = links.get("next")
            candidates.append(link.get("href") if isinstance(link, Mapping) else link)
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return _absolute(url, candidate.strip())
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return _with_page(url, candidate)
    if value.get("last_page") is True:
        return None
    page, total = _number(value, "page", "page_number"), _number(value, "total_pages")
    if page is not None and total is not None and page < total:
        return _with_page(url, page + 1)
    return None


def _number(value: Mapping[str, object], *keys: str) -> int | None:
    for key in keys:
        number = value.get(key)
        if isinstance(number, int) and not isinstance(number, bool):
            return number
        if isinstance(number, str) and number.isdigit():
            return int(number)
    return None


def _absolute(base: str, link: str) -> str:
    return urljoin(base, link)


def _with_page(url: str, page: int) -> str:
    """`url` with its `page` query parameter set."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def same_origin(first: str, second: str) -> bool:
    """Whether two URLs share scheme, host and port (the auth header may go to both)."""
    a, b = urlsplit(first), urlsplit(second)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False
