"""Bringing resource records into the directory (import and sync share this)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from oncall.domain.resource_record import ResourceError, ResourceRecord
from oncall.services.context import ServiceContext
from oncall.store import resources as resource_rows

BATCH_SIZE = 500


@dataclass
class ResourceImportReport:
    """What an import or sync did to the directory."""

    added: int = 0
    updated: int = 0
    inactivated: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    """(record number or id, field, message) for every rejected record."""


def keep_existing(
    ctx: ServiceContext, items: list[tuple[str, ResourceRecord | ResourceError]], unread: list[str]
) -> list[tuple[str, ResourceRecord | ResourceError]]:
    """Refuse updates built without a table the package lists: they would drop its details.

    An entry already in the directory becomes a rejection naming the tables not read; a
    new one is kept (it has nothing to lose).
    """
    tables = ", ".join(unread)
    kept: list[tuple[str, ResourceRecord | ResourceError]] = []
    with ctx.store.read() as conn:
        for label, item in items:
            if isinstance(item, ResourceRecord) and resource_rows.resource_by_id(conn, item.id):
                item = ResourceError(
                    "package",
                    f"not updated: {tables} could not be read, and updating this entry "
                    "without it would drop those details",
                    record_id=item.id,
                )
            kept.append((label, item))
    return kept


def import_resource_records(
    ctx: ServiceContext,
    items: Iterable[tuple[str, ResourceRecord | ResourceError]],
    *,
    origin: str,
    report: ResourceImportReport | None = None,
) -> ResourceImportReport:
    """Upsert every valid record by id, in batches; report each rejected one.

    `origin` is kept as the source of each entry it adds (a sync retires only its own).
    """
    report = report or ResourceImportReport()
    batch: list[ResourceRecord] = []
    for label, item in items:
        if isinstance(item, ResourceError):
            report.rejected.append((label, item.field, item.message))
            continue
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            _write(ctx, batch, origin, report)
            batch = []
    if batch:
        _write(ctx, batch, origin, report)
    return report


def _write(
    ctx: ServiceContext, batch: list[ResourceRecord], origin: str, report: ResourceImportReport
) -> None:
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        added = 0
        for record in batch:
            if resource_rows.upsert_resource(conn, record, at, origin):
                added += 1
        report.added += added
        report.updated += len(batch) - added
        ctx.audit(
            conn,
            "resources.imported",
            "resources",
            None,
            detail={"origin": origin, "added": added, "updated": len(batch) - added},
        )
