"""Resource directory sync: upsert every service by id, never delete, inactivate with care.

A service whose status is not `active` is stored with that status (the directory
hides it). A service that disappeared is marked inactive only after a sync that saw
the whole directory: if any page failed, or fewer services arrived than the first
page announced (the directory changed while it was paged), nothing is inactivated
for being missing, because a partial view cannot tell "gone" from "not seen".
And only a service this same directory added can go for being missing: entries of
another directory, imported from a file by hand, or stored before sources were
recorded are not this sync's to retire.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from oncall.domain.resource_record import ResourceError, ResourceRecord
from oncall.feeds.client import new_client, unique_holder
from oncall.feeds.directory_source import DirectorySource, SourcePage
from oncall.feeds.fetch import USER_AGENT, RetryPolicy, SecretMissing, expand_secret, redact_url
from oncall.services.context import ServiceContext
from oncall.services.resources import ResourceImportReport, import_resource_records
from oncall.store import feeds as feed_rows
from oncall.store import resources as resource_rows

STATE_NAME = feed_rows.DIRECTORY
"""The directory's row in feed_state."""


class DirectorySyncBusy(Exception):
    """Another process is syncing the directory right now."""


@dataclass
class DirectorySyncReport:
    """What a sync did: counts, rejected services with reasons, failed pages."""

    source: str
    """The URL synced from, fit to show."""
    resources: ResourceImportReport = field(default_factory=ResourceImportReport)
    pages_read: int = 0
    failed_pages: list[tuple[str, str]] = field(default_factory=list)
    """(page, reason) for every page that did not arrive."""
    inactivated_by_status: int = 0
    inactivated_missing: int = 0
    left_to_others: int = 0
    """Active entries this sync did not list and did not add (another source's): untouched."""
    missing_not_checked: str | None = None
    """Why services missing from this sync were not marked inactive (None when they were)."""

    @property
    def inactivated(self) -> int:
        """Services that were active before and are not now."""
        return self.inactivated_by_status + self.inactivated_missing

    @property
    def complete(self) -> bool:
        """True when every page arrived."""
        return not self.failed_pages and self.pages_read > 0


async def sync_directory(
    ctx: ServiceContext,
    url: str | None = None,
    *,
    client: httpx.AsyncClient | None = None,
    retry: RetryPolicy | None = None,
    auth_header: str | None = None,
    per_page: int | None = None,
    environ: dict[str, str] | None = None,
    rng: random.Random | None = None,
) -> DirectorySyncReport:
    """Sync the directory once from `url` (default: settings.resource_directory_url)."""
    source_url = url or ctx.settings.resource_directory_url
    if not source_url:
        raise ValueError("no directory URL given and resource_directory_url is not set")
    retry = retry or RetryPolicy()
    report = DirectorySyncReport(redact_url(source_url))
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if auth_header:
        headers["Authorization"] = expand_secret(auth_header, "the directory auth header", environ)
    now = ctx.clock.now()
    holder = unique_holder("directory")
    with ctx.store.write() as conn:
        until = now + timedelta(hours=1)
        if not feed_rows.claim_feed(
            conn, STATE_NAME, now=now, until=until, holder=holder, kind=feed_rows.DIRECTORY
        ):
            raise DirectorySyncBusy("another process is syncing the directory right now")
    owned = client is None
    http = client or new_client(retry.timeout_s)
    try:
        source = DirectorySource(
            http,
            source_url,
            headers=headers,
            retry=retry,
            rng=rng or random.Random(),
            per_page=per_page,
            max_bytes=ctx.settings.max_feed_response_bytes,
        )
        await _read_all(ctx, source, report)
    finally:
        if owned:
            await http.aclose()
        _record_state(ctx, report)
    return report


async def sync_directory_if_due(
    ctx: ServiceContext, now: datetime, **options: Any
) -> DirectorySyncReport | None:
    """For the dispatcher: sync when resource_directory_url is set and the day is up.

    Returns None when there is nothing to do (no URL, not due, or another process is
    syncing). A complete sync is next due a day later, a partial one an hour later.
    """
    if not ctx.settings.resource_directory_url:
        return None
    with ctx.store.read() as conn:
        state = feed_rows.feed_state(conn, STATE_NAME, kind=feed_rows.DIRECTORY)
    if state is not None and state.next_attempt_at is not None and state.next_attempt_at > now:
        return None
    try:
        return await sync_directory(ctx, **options)
    except DirectorySyncBusy:
        return None


async def _read_all(
    ctx: ServiceContext, source: DirectorySource, report: DirectorySyncReport
) -> None:
    seen: set[str] = set()
    announced: int | None = None
    origin = sync_source(report.source)
    async for page in source.pages():
        if page.error is not None:
            report.failed_pages.append((page.label, page.error))
            continue
        if announced is None:
            announced = page.total_items
        report.pages_read += 1
        seen |= {
            item.id if isinstance(item, ResourceRecord) else item.record_id or ""
            for item in page.items
        }
        await asyncio.to_thread(_store_page, ctx, page, origin, report)
    seen.discard("")
    if report.failed_pages:
        pages = ", ".join(label for label, _ in report.failed_pages)
        report.missing_not_checked = f"{pages} did not arrive"
    elif not seen:
        report.missing_not_checked = "the directory listed no services"
    elif announced is not None and len(seen) < announced:
        report.missing_not_checked = (
            f"the directory announced {announced} services but {len(seen)} arrived "
            "(it changed while it was read)"
        )
    else:
        gone, others = await asyncio.to_thread(_inactivate_missing, ctx, seen, origin)
        report.inactivated_missing, report.left_to_others = gone, others


def sync_source(shown_url: str) -> str:
    """The source recorded on the entries a sync from this URL adds (one per directory)."""
    return f"sync:{shown_url.rstrip('/')}"


def _store_page(
    ctx: ServiceContext, page: SourcePage, origin: str, report: DirectorySyncReport
) -> None:
    """Upsert one page's services and count the ones whose status made them inactive."""
    records = [item for item in page.items if isinstance(item, ResourceRecord)]
    with ctx.store.read() as conn:
        before = resource_rows.resource_statuses(conn, [r.id for r in records])
    items = [(_label(page, n, item), item) for n, item in enumerate(page.items, start=1)]
    import_resource_records(ctx, items, origin=origin, report=report.resources)
    report.inactivated_by_status += sum(
        1 for r in records if before.get(r.id) == "active" and r.status != "active"
    )


def _label(page: SourcePage, number: int, item: ResourceRecord | ResourceError) -> str:
    named = item.record_id if isinstance(item, ResourceError) else item.id
    return f"{page.label}, service {named}" if named else f"{page.label}, item {number}"


def _inactivate_missing(ctx: ServiceContext, seen: set[str], origin: str) -> tuple[int, int]:
    """Retire this source's entries it no longer lists; (retired, others' left alone)."""
    with ctx.store.write() as conn:
        gone = resource_rows.mark_inactive_except(conn, seen, ctx.now_iso(), source=origin)
        if gone:
            ctx.audit(
                conn,
                "resources.inactivated",
                "resources",
                None,
                detail={"origin": origin, "count": gone, "reason": "no longer listed"},
            )
        others = resource_rows.active_from_elsewhere(conn, seen, origin)
    return gone, others


def _record_state(ctx: ServiceContext, report: DirectorySyncReport) -> None:
    """Keep the sync's outcome where `oncall feeds` and the status panel read it."""
    at = ctx.clock.now()
    counts = (report.resources.added + report.resources.updated, 0, len(report.resources.rejected))
    kind = feed_rows.DIRECTORY
    with ctx.store.write() as conn:
        if report.complete:
            feed_rows.record_success(
                conn,
                STATE_NAME,
                at=at,
                next_attempt_at=at + timedelta(days=1),
                etag=None,
                last_modified=None,
                counts=counts,
                kind=kind,
            )
        else:
            reason = "; ".join(f"{label}: {why}" for label, why in report.failed_pages)
            feed_rows.record_failure(
                conn,
                STATE_NAME,
                at=at,
                next_attempt_at=at + timedelta(hours=1),
                error=reason or "nothing arrived",
                counts=counts,
                kind=kind,
            )


__all__ = [
    "DirectorySyncBusy",
    "DirectorySyncReport",
    "SecretMissing",
    "sync_directory",
    "sync_directory_if_due",
]
