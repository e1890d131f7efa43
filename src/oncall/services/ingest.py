"""Bringing alerts in: validate, deduplicate, store, quarantine and audit, in batches."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from oncall.domain.alert_record import AlertRecord, RecordError, parse_alert_record
from oncall.domain.escalation import ack_deadline
from oncall.domain.models import Location
from oncall.domain.record_stream import Accepted, RawRecord, Rejection, validate_records
from oncall.domain.timefmt import to_iso
from oncall.domain.types import AlertKind, Severity
from oncall.services.context import ServiceContext
from oncall.store import alerts as alert_rows
from oncall.store import people
from oncall.store.audit import append_audit_many
from oncall.store.quarantine import quarantine_record
from oncall.store.rows import handoff_json, location_json

BATCH_SIZE = 1000
"""Records per transaction: a kill or a full disk loses at most one uncommitted batch."""
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


def _validate(item: IngestItem) -> tuple[Accepted | Rejection, object]:
    """Validate one item, keeping the raw value for the quarantine."""
    if isinstance(item, Accepted):
        return item, None
    if isinstance(item, AlertRecord):
        return Accepted(0, 0, item), None
    raw = item if isinstance(item, RawRecord) else RawRecord(item[0], 0, item[1])
    if isinstance(raw.value, AlertRecord):
        return Accepted(raw.number, raw.line, raw.value), None
    (outcome,) = validate_records([raw])
    return outcome, raw.value


def ingest_records(
    ctx: ServiceContext,
    items: Iterable[IngestItem],
    *,
    origin: str,
    report: IngestReport | None = None,
) -> IngestReport:
    """Validate and store alert records; every valid one kept, every invalid one quarantined.

    `items` are records as read from a file or feed (RawRecord, or (number, JSON value)),
    or records already validated. Records are written in transactions of BATCH_SIZE; a
    record is never half-written, and the same input again adds nothing (source + id).
    Pass `report` to keep what was committed when a StoreError (full disk) stops it.
    """
    report = report if report is not None else IngestReport()
    accepted: list[Accepted] = []
    bad: list[tuple[Rejection, object]] = []
    last = 0
    for item in items:
        outcome, raw = _validate(item)
        last = max(last, outcome.number)
        if isinstance(outcome, Accepted):
            accepted.append(outcome)
        else:
            bad.append((outcome, raw))
        if len(accepted) + len(bad) >= BATCH_SIZE:
            _write_batch(ctx, accepted, bad, origin, report)
            report.last_record = last
            accepted, bad = [], []
    if accepted or bad:
        _write_batch(ctx, accepted, bad, origin, report)
        report.last_record = last
    return report


# Escaped to ASCII: a feed's raw text may hold lone surrogates ("\\ud800"), which SQLite
# cannot store as UTF-8; escaped, the original is kept exactly and never fails the batch.
_RAW_ENCODER = json.JSONEncoder(ensure_ascii=True, default=str)
_encode_str = json.encoder.encode_basestring  # a str as JSON, as the encoder writes it


def _raw_json(record: AlertRecord) -> str:
    return _RAW_ENCODER.encode(record.raw)


# Enum properties cost a function call each; a bulk import reads them 100,000 times.
_KIND_VALUE = {kind: kind.value for kind in AlertKind}
_SEVERITY_VALUE = {severity: (severity.value, severity.rank) for severity in Severity}


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


def _alert_row(
    record: AlertRecord, client_id: int | None, received: str, deadline: str
) -> tuple[object, ...]:
    """The alerts row for a record, in ALERT_COLUMNS order."""
    severity, rank = _SEVERITY_VALUE[record.severity]
    return (
        record.source,
        record.external_id,
        record.client_ref,
        client_id,
        _KIND_VALUE[record.kind],
        severity,
        rank,
        record.summary,
        _utc_iso(record.occurred_at),
        received,
        deadline,
        "new",
        location_column(record.location),
        handoff_json(record.handoff),
        _raw_json(record),
        int(client_id is None),
    )


def _write_batch(
    ctx: ServiceContext,
    accepted: list[Accepted],
    bad: list[tuple[Rejection, object]],
    origin: str,
    report: IngestReport,
) -> None:
    """Write one batch in one transaction; `report` is updated only once it committed."""
    now = ctx.clock.now()
    received = to_iso(now)
    policy = ctx.settings.escalation_policy
    deadlines = {sev: to_iso(ack_deadline(sev, now, policy)) for sev in Severity}
    new_ids: list[int] = []
    duplicates = 0
    unknown = 0
    changed: list[ChangedDuplicate] = []
    with ctx.store.write() as conn:
        for rejection, raw in bad:
            quarantine_record(
                conn,
                source=origin,
                received_at=received,
                record_number=rejection.number,
                external_id=rejection.external_id,
                field=rejection.field,
                message=rejection.message,
                raw=None if raw is None else _RAW_ENCODER.encode(raw)[:MAX_QUARANTINED_RAW],
            )
        if bad:
            ctx.audit(
                conn,
                "alerts.rejected",
                "quarantine",
                None,
                detail={"origin": origin, "count": len(bad)},
            )
        clients = people.client_ids_for_refs(conn, {a.record.client_ref for a in accepted})
        rows = [
            _alert_row(
                a.record, clients.get(a.record.client_ref), received, deadlines[a.record.severity]
            )
            for a in accepted
        ]
        inserted = alert_rows.insert_alerts(conn, rows)
        # Every stored alert gets its own hash-chained audit row, written in bulk.
        entries: list[tuple[str, str, str, str, str | None, int | None, str]] = []
        repeated: list[tuple[Accepted, str]] = []
        origin_json = _encode_str(origin)
        for item, row in zip(accepted, rows, strict=True):
            record = item.record
            alert_id = inserted.pop(record.dedup_key, None)  # the first of a key wins
            if alert_id is None:
                duplicates += 1
                repeated.append((item, str(row[14])))
                continue
            client_id = clients.get(record.client_ref)
            new_ids.append(alert_id)
            unknown += client_id is None
            detail = created_detail(origin_json, record, unknown_client=client_id is None)
            entries.append(
                (
                    received,
                    ctx.actor.login,
                    "alert.created",
                    "alert",
                    str(alert_id),
                    client_id,
                    detail,
                )
            )
        append_audit_many(conn, entries)
        if repeated:
            changed = _changed_duplicates(conn, repeated)
    report.rejected.extend(rejection for rejection, _raw in bad)
    report.accepted += len(new_ids)
    report.accepted_ids.extend(new_ids)
    report.duplicates += duplicates
    report.unknown_clients += unknown
    report.changed_duplicates.extend(changed)


def created_detail(origin_json: str, record: AlertRecord, *, unknown_client: bool) -> str:
    """The audit detail of a stored alert as JSON text, origin already JSON-encoded.

    Character for character `json.dumps(detail, ensure_ascii=False, sort_keys=True)` of
    {origin, source, external_id, severity, unknown_client} (a test compares them),
    without building and encoding a dict per alert.
    """
    return (
        f'{{"external_id": {_encode_str(record.external_id)}, "origin": {origin_json}, '
        f'"severity": "{_SEVERITY_VALUE[record.severity][0]}", '
        f'"source": {_encode_str(record.source)}, '
        f'"unknown_client": {"true" if unknown_client else "false"}}}'
    )


def _changed_duplicates(conn: Any, repeated: list[tuple[Accepted, str]]) -> list[ChangedDuplicate]:
    """The duplicates whose content differs from the alert already stored under their key."""
    stored = alert_rows.raw_by_keys(conn, list({a.record.dedup_key for a, _raw in repeated}))
    changed: list[ChangedDuplicate] = []
    for item, raw_json in repeated:
        kept = stored.get(item.record.dedup_key)
        if kept is None or kept == raw_json:  # byte-identical resend: the common case
            continue
        fields = _differing_fields(item.record, kept)
        if fields:
            changed.append(
                ChangedDuplicate(item.number, item.line, item.record.external_id, fields)
            )
    return changed


def _differing_fields(record: AlertRecord, kept_raw: str) -> tuple[str, ...]:
    """Feed fields whose normalised values differ between a record and a stored raw one."""
    try:
        kept = parse_alert_record(json.loads(kept_raw)).as_feed_object()
    except (RecordError, ValueError):
        return ("content",)
    new = record.as_feed_object()
    return tuple(name for name in sorted(set(new) | set(kept)) if new.get(name) != kept.get(name))
