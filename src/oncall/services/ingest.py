"""Bringing alerts in: validate, deduplicate, store, quarantine and audit, in batches.

An import has two stages that meet at `PreparedBatch`, a batch of plain tuples:

- *preparing* (`prepare_batches`) reads and validates records and builds each
  alert's column values; it needs no database and no clock;
- *writing* (`write_batches`) resolves client refs, inserts, chains one audit row
  per new alert and commits, one transaction per batch.

`ingest_records` runs both in turn. `oncall ingest` prepares a large file in a
second process while this one writes (services/ingest_worker.py): on two cores
neither stage waits for the other's CPU.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from oncall.domain.alert_record import (
    MAX_ID,
    MAX_NAME,
    MAX_SUMMARY,
    YEARS,
    AlertRecord,
    RecordError,
    parse_alert_record,
)
from oncall.domain.escalation import ack_deadline
from oncall.domain.models import Location
from oncall.domain.record_stream import Accepted, RawRecord, Rejection, validate_records
from oncall.domain.timefmt import to_iso
from oncall.domain.types import AlertKind, Severity
from oncall.services.context import ServiceContext
from oncall.store import alerts as alert_rows
from oncall.store import people
from oncall.store.audit import append_audit_series
from oncall.store.quarantine import quarantine_record
from oncall.store.rows import handoff_json, location_json

BATCH_SIZE = 1000
"""Records in an import's first transaction (batch); each next one is twice as large, up
to MAX_BATCH_SIZE. A kill or a full disk loses at most one uncommitted batch."""
MAX_BATCH_SIZE = 4000
"""Records per transaction once an import is under way. Each commit rewrites every index
page the batch touched, and client and audit index entries land on pages all over the
index: into a 10,000-client database, 4,000-record batches took a quarter less CPU than
1,000-record ones. A batch holds the write lock for about 0.1 s."""
MAX_QUARANTINED_RAW = 100_000
"""Characters of a rejected record kept in the quarantine."""


@dataclass(frozen=True, slots=True)
class ChangedDuplicate:
    """A record whose source and id were already stored, but with different content."""

    number: int
    line: int
    external_id: str
    fields: tuple[str, ...]
    """The feed fields that differ from the stored alert ("severity", "summary")."""

    def __str__(self) -> str:
        where = f"record {self.number}" + (f", line {self.line}" if self.line else "")
        return (
            f"{where} ({self.external_id}): already stored with a different "
            f"{', '.join(self.fields)}; the first one was kept"
        )


@dataclass
class IngestReport:
    """What an import did: counts, and a reason for every rejected record.

    Counts cover committed batches only: after an error the report says exactly
    what is in the database.
    """

    accepted: int = 0
    duplicates: int = 0
    unknown_clients: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    accepted_ids: list[int] = field(default_factory=list)
    changed_duplicates: list[ChangedDuplicate] = field(default_factory=list)
    last_record: int = 0
    """Number of the last record in a committed batch (0 when none was committed)."""

    @property
    def rejected_count(self) -> int:
        """How many records were rejected."""
        return len(self.rejected)


IngestItem = RawRecord | Accepted | AlertRecord | tuple[int, object]

PreparedAlert = tuple[str, str, str, str, str, int, str, str, str | None, str | None, str]
"""A valid record's first eleven values in `alert_rows.ALERT_COLUMNS` order (source,
external_id, client_ref, kind, severity, severity_rank, summary, occurred_at, location,
handoff, raw); the writer adds the five that depend on the database and the clock."""


class PreparedBatch(NamedTuple):
    """One transaction's worth of records, validated, as plain values (cheap to pickle)."""

    alerts: list[PreparedAlert]
    places: list[tuple[int, int]]
    """(record number, line) of each alert, in the same order."""
    rejected: list[tuple[Rejection, str | None]]
    """Each refused record with its raw text for the quarantine (None when unreadable)."""
    last: int
    """The largest record number in the batch."""


# Escaped to ASCII: a feed's raw text may hold lone surrogates ("\\ud800"), which SQLite
# cannot store as UTF-8; escaped, the original is kept exactly and never fails the batch.
_RAW_ENCODER = json.JSONEncoder(ensure_ascii=True, default=str)
_encode_raw = _RAW_ENCODER.encode
try:  # the same text as _encode_raw, without the encoder's per-call set-up
    from _json import make_encoder as _make_encoder
except ImportError:  # pragma: no cover - a Python without the json accelerator
    _encode_parsed: Callable[[dict[str, Any]], str] = _encode_raw
else:
    # Without the circular-reference check: a value parsed from JSON text has no cycles.
    _iterencode_raw = _make_encoder(
        None, str, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True
    )

    def _encode_parsed(obj: dict[str, Any]) -> str:
        return "".join(_iterencode_raw(obj, 0))


_encode_str = json.encoder.encode_basestring  # a str as JSON, as the encoder writes it

# Enum properties cost a function call each; a bulk import reads them 100,000 times.
_KIND_VALUE = {kind: kind.value for kind in AlertKind}
_SEVERITY_VALUE = {severity: (severity.value, severity.rank) for severity in Severity}
_KIND_NAMES = frozenset(_KIND_VALUE.values())
_SEVERITY_RANK = dict(_SEVERITY_VALUE.values())
_LONGEST_INT_ID = 10**MAX_ID  # an integer id below this is taken as its decimal text


def _utc_iso(moment: datetime) -> str:
    """`to_iso` without its conversion when the moment is already UTC (as validated ones are)."""
    return moment.isoformat(timespec="microseconds") if moment.tzinfo is UTC else to_iso(moment)


def location_column(location: Location | None) -> str | None:
    """`rows.location_json`, character for character (a test compares them), built by hand.

    The JSON encoder's per-call set-up was a tenth of a bulk import's time per row.
    Coordinates that are not finite floats (never so after validation) go the slow way.
    """
    if location is None:
        return None
    lat, lon = location.lat, location.lon
    if not (lat is None or (type(lat) is float and math.isfinite(lat))) or not (
        lon is None or (type(lon) is float and math.isfinite(lon))
    ):
        return location_json(location)
    text = f'{{"text":{_encode_str(location.text)}'
    if location.zip is not None:
        text += f',"zip":{_encode_str(location.zip)}'
    if lat is not None:
        text += f',"lat":{float.__repr__(lat)}'
    if lon is not None:
        text += f',"lon":{float.__repr__(lon)}'
    return text + "}"


def prepared_alert(record: AlertRecord) -> PreparedAlert:
    """A validated record's column values (see `PreparedAlert`)."""
    severity, rank = _SEVERITY_VALUE[record.severity]
    return (
        record.source,
        record.external_id,
        record.client_ref,
        _KIND_VALUE[record.kind],
        severity,
        rank,
        record.summary,
        _utc_iso(record.occurred_at),
        location_column(record.location),
        handoff_json(record.handoff),
        _encode_raw(record.raw),
    )


class _Moments(dict[str, str]):
    """`occurred_at` texts already converted to stored UTC form (feeds repeat them)."""

    def __missing__(self, text: str) -> str:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None or moment.year not in YEARS:
            return ""  # the full validation explains what is wrong
        if len(self) >= 4096:
            self.clear()
        stored = self[text] = moment.astimezone(UTC).isoformat(timespec="microseconds")
        return stored


_moments = _Moments()


def _plain(value: object, limit: int) -> bool:
    """True for a str the validator would only strip: ASCII, printable, within `limit`."""
    return type(value) is str and value.isascii() and value.isprintable() and len(value) <= limit


def quick_alert(obj: dict[str, Any]) -> PreparedAlert | None:
    """`prepared_alert(parse_alert_record(obj))` for the usual record, or None.

    The usual record has printable ASCII text within the limits, exact vocabulary
    words, an ASCII timestamp with an offset, a location without or with sane
    coordinates, and a handoff without an endpoint. For it, this gives exactly the
    values the full validation would (a property test compares them) at a third of
    the cost; for anything else it returns None, and the caller validates the record
    the full way, which also explains what is wrong.
    """
    ident = obj.get("id")
    if type(ident) is not str:
        if type(ident) is not int or not -_LONGEST_INT_ID < ident < _LONGEST_INT_ID:
            return None
        ident = str(ident)
    source, client_ref, kind = obj.get("source"), obj.get("client_ref"), obj.get("kind")
    severity, summary, occurred = obj.get("severity"), obj.get("summary"), obj.get("occurred_at")
    if summary is None:
        summary = ""
    if not (
        type(source) is str
        and type(client_ref) is str
        and type(summary) is str
        and type(occurred) is str
        and type(kind) is str
        and kind in _KIND_NAMES
        and type(severity) is str
        and severity in _SEVERITY_RANK
    ):
        return None
    texts = ident + source + client_ref + summary + occurred  # all checked at once
    if not (
        texts.isascii()
        and texts.isprintable()
        and len(ident) <= MAX_ID
        and len(source) <= MAX_ID
        and len(client_ref) <= MAX_ID
        and len(summary) <= MAX_SUMMARY
    ):
        return None
    ident, source, client_ref = ident.strip(), source.strip(), client_ref.strip()
    if not (ident and source and client_ref):
        return None
    try:
        occurred_at = _moments[occurred]
    except (ValueError, OverflowError):
        return None
    if not occurred_at:
        return None
    location: str | None = None
    place = obj.get("location")
    if place is not None:
        if type(place) is not dict:
            return None
        location = _quick_location(place)
        if location == "":
            return None
    handoff: str | None = None
    hand = obj.get("handoff")
    if hand is not None:
        if type(hand) is not dict:
            return None
        handoff = _quick_handoff(hand)
        if handoff is None:
            return None
    return (
        source,
        ident,
        client_ref,
        kind,
        severity,
        _SEVERITY_RANK[severity],
        summary.strip(),
        occurred_at,
        location,
        handoff,
        _encode_parsed(obj),
    )


def _quick_location(place: dict[str, Any]) -> str | None:
    """The location column of a usual location; None for an empty one, "" to give up."""
    text, zip_code = place.get("text"), place.get("zip")
    if not (text is None or _plain(text, MAX_NAME)) or not (
        zip_code is None or _plain(zip_code, MAX_ID)
    ):
        return ""
    lat, lon = place.get("lat"), place.get("lon")
    text = "" if text is None else text.strip()
    if zip_code is not None:
        zip_code = zip_code.strip() or None
    if lat is None and lon is None:
        if not text and zip_code is None:
            return None  # {} or only blanks: nothing known about where the client is
        coordinates = ""
    elif (
        (type(lat) is float or type(lat) is int)
        and (type(lon) is float or type(lon) is int)
        and -90 <= lat <= 90  # NaN fails these comparisons, infinities the ranges
        and -180 <= lon <= 180
    ):
        coordinates = f',"lat":{float.__repr__(float(lat))},"lon":{float.__repr__(float(lon))}'
    else:
        return ""
    column = f'{{"text":{_encode_str(text)}'
    if zip_code is not None:
        column += f',"zip":{_encode_str(zip_code)}'
    return column + coordinates + "}"


def _quick_handoff(hand: dict[str, Any]) -> str | None:
    """The handoff column of a usual handoff (an org, no endpoint); None to give up."""
    org = hand.get("org")
    if not _plain(org, MAX_NAME) or hand.get("endpoint") is not None:
        return None
    assert isinstance(org, str)
    org = org.strip()
    if not org:
        return None
    column = f'{{"org":{_encode_str(org)}'
    for name, limit in (("counselor", MAX_ID), ("reference", MAX_ID), ("callback", MAX_ID)):
        value = hand.get(name)
        if value is None:
            continue
        if not _plain(value, limit):
            return None
        value = value.strip()
        if value:
            column += f',"{name}":{_encode_str(value)}'
    return column + "}"


def _quarantine_text(value: object) -> str | None:
    """A refused record's raw text for the quarantine, escaped to ASCII and cut."""
    if value is None or isinstance(value, RecordError):
        return None
    return _RAW_ENCODER.encode(value)[:MAX_QUARANTINED_RAW]


def _outcome(item: IngestItem) -> tuple[Accepted | Rejection, object]:
    """Validate one item the full way, keeping the raw value for the quarantine."""
    if isinstance(item, Accepted):
        return item, None
    if isinstance(item, AlertRecord):
        return Accepted(0, 0, item), None
    raw = item if isinstance(item, RawRecord) else RawRecord(item[0], 0, item[1])
    if isinstance(raw.value, AlertRecord):
        return Accepted(raw.number, raw.line, raw.value), None
    (outcome,) = validate_records([raw])
    return outcome, raw.value


def prepare_batches(
    items: Iterable[IngestItem], batch_size: int = BATCH_SIZE, max_size: int = MAX_BATCH_SIZE
) -> Iterator[PreparedBatch]:
    """Validate records and build their column values, in batches of growing size.

    `items` are records as read from a file or feed (RawRecord, or (number, JSON value)),
    or records already validated. Batches hold `batch_size` records, then twice as many
    each time up to `max_size`. Pure: no database, no clock, so it can run anywhere.
    """
    alerts: list[PreparedAlert] = []
    places: list[tuple[int, int]] = []
    rejected: list[tuple[Rejection, str | None]] = []
    last = 0
    for item in items:
        quick = None
        if type(item) is RawRecord and type(item.value) is dict:
            number, line = item.number, item.line
            try:
                quick = quick_alert(item.value)
            except Exception:  # the full validation below says what is wrong
                quick = None
        if quick is not None:
            alerts.append(quick)
            places.append((number, line))
        else:
            outcome, raw = _outcome(item)
            number = outcome.number
            if isinstance(outcome, Accepted):
                alerts.append(prepared_alert(outcome.record))
                places.append((number, outcome.line))
            else:
                rejected.append((outcome, _quarantine_text(raw)))
        if number > last:
            last = number
        if len(alerts) + len(rejected) >= batch_size:
            yield PreparedBatch(alerts, places, rejected, last)
            alerts, places, rejected = [], [], []
            batch_size = min(2 * batch_size, max(max_size, batch_size))
    if alerts or rejected:
        yield PreparedBatch(alerts, places, rejected, last)


def ingest_records(
    ctx: ServiceContext,
    items: Iterable[IngestItem],
    *,
    origin: str,
    report: IngestReport | None = None,
) -> IngestReport:
    """Validate and store alert records; every valid one kept, every invalid one quarantined.

    `items` are records as read from a file or feed (RawRecord, or (number, JSON value)),
    or records already validated. Records are written in transactions of BATCH_SIZE,
    growing to MAX_BATCH_SIZE; a record is never half-written, and the same input again
    adds nothing (source + id). Pass `report` to keep what was committed when a
    StoreError (full disk) stops it.
    """
    return write_batches(ctx, prepare_batches(items), origin=origin, report=report)


def write_batches(
    ctx: ServiceContext,
    batches: Iterable[PreparedBatch],
    *,
    origin: str,
    report: IngestReport | None = None,
) -> IngestReport:
    """Store prepared batches, one transaction each; `report` counts what committed."""
    report = report if report is not None else IngestReport()
    for batch in batches:
        _write_batch(ctx, batch, origin, report)
        report.last_record = batch.last
    return report


def _write_batch(
    ctx: ServiceContext, batch: PreparedBatch, origin: str, report: IngestReport
) -> None:
    """Write one batch in one transaction; `report` is updated only once it committed."""
    now = ctx.clock.now()
    received = to_iso(now)
    policy = ctx.settings.escalation_policy
    deadlines = {sev.value: to_iso(ack_deadline(sev, now, policy)) for sev in Severity}
    alerts, rejected = batch.alerts, batch.rejected
    new_ids: list[int] = []
    unknown = 0
    changed: list[ChangedDuplicate] = []
    repeated: list[tuple[tuple[int, int], PreparedAlert]] = []
    with ctx.store.write() as conn:
        for rejection, raw in rejected:
            quarantine_record(
                conn,
                source=origin,
                received_at=received,
                record_number=rejection.number,
                external_id=rejection.external_id,
                field=rejection.field,
                message=rejection.message,
                raw=raw,
            )
        if rejected:
            ctx.audit(
                conn,
                "alerts.rejected",
                "quarantine",
                None,
                detail={"origin": origin, "count": len(rejected)},
            )
        client_of = people.client_ids_for_refs(conn, {a[2] for a in alerts}).get
        rows = [
            (*a, client_id, client_id is None, received, deadlines[a[4]], "new")
            for a in alerts
            for client_id in (client_of(a[2]),)
        ]
        # The rows added, in the order of `rows`: the first row of each key not stored yet.
        added = iter(alert_rows.insert_alerts(conn, rows))
        following = next(added, None)
        # Every stored alert gets its own hash-chained audit row, written in bulk.
        created: list[tuple[str | None, int | None, str]] = []
        origin_json = _encode_str(origin)
        for place, row in zip(batch.places, rows, strict=True):
            if following is None or following[1] != row[1] or following[0] != row[0]:
                repeated.append((place, row[:11]))  # stored already, or earlier in the batch
                continue
            alert_id = following[2]
            following = next(added, None)
            client_id = row[11]
            new_ids.append(alert_id)
            unknown += client_id is None
            detail = _created_detail(origin_json, row[0], row[1], row[4], client_id is None)
            created.append((str(alert_id), client_id, detail))
        append_audit_series(
            conn,
            at=received,
            actor=ctx.actor.login,
            action="alert.created",
            object_type="alert",
            items=created,
        )
        if repeated:
            changed = _changed_duplicates(conn, repeated)
    report.rejected.extend(rejection for rejection, _raw in rejected)
    report.accepted += len(new_ids)
    report.accepted_ids.extend(new_ids)
    report.duplicates += len(repeated)
    report.unknown_clients += unknown
    report.changed_duplicates.extend(changed)


def created_detail(origin_json: str, record: AlertRecord, *, unknown_client: bool) -> str:
    """The audit detail of a stored alert as JSON text, origin already JSON-encoded.

    Character for character `json.dumps(detail, ensure_ascii=False, sort_keys=True)` of
    {origin, source, external_id, severity, unknown_client} (a test compares them),
    without building and encoding a dict per alert.
    """
    severity = _SEVERITY_VALUE[record.severity][0]
    return _created_detail(origin_json, record.source, record.external_id, severity, unknown_client)


def _created_detail(
    origin_json: str, source: str, external_id: str, severity: str, unknown_client: bool
) -> str:
    return (
        f'{{"external_id": {_encode_str(external_id)}, "origin": {origin_json}, '
        f'"severity": "{severity}", "source": {_encode_str(source)}, '
        f'"unknown_client": {"true" if unknown_client else "false"}}}'
    )


def _changed_duplicates(
    conn: Any, repeated: list[tuple[tuple[int, int], PreparedAlert]]
) -> list[ChangedDuplicate]:
    """The duplicates whose content differs from the alert already stored under their key."""
    stored = alert_rows.raw_by_keys(conn, list({(a[0], a[1]) for _place, a in repeated}))
    changed: list[ChangedDuplicate] = []
    for (number, line), alert in repeated:
        kept = stored.get((alert[0], alert[1]))
        raw = alert[10]
        if kept is None or kept == raw:  # byte-identical resend: the common case
            continue
        fields = _differing_fields(raw, kept)
        if fields:
            changed.append(ChangedDuplicate(number, line, alert[1], fields))
    return changed


def _differing_fields(new_raw: str, kept_raw: str) -> tuple[str, ...]:
    """Feed fields whose normalised values differ between two stored raw records."""
    try:
        new = parse_alert_record(json.loads(new_raw)).as_feed_object()
        kept = parse_alert_record(json.loads(kept_raw)).as_feed_object()
    except (RecordError, ValueError):
        return ("content",)
    return tuple(name for name in sorted(set(new) | set(kept)) if new.get(name) != kept.get(name))
