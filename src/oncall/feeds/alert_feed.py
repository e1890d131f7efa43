"""The alert feed poller: each configured feed on its interval, state kept in the database.

The dispatcher (one elected process) calls `FeedPoller.poll_due(now)` on each tick.
Each poll reads the feed from its first page and follows `next` links (or page
numbers) to the end; records go through the same validation and deduplication as
`oncall ingest`, and each page is stored as it arrives, so the first alerts are in
the queue while later pages are still on the way.

A feed that changes while it is being paged (offset pagination) can show a record
twice or skip one: twice is harmless, because (source, id) deduplicates; a skipped
record is still in the feed at the next poll, which starts again from the first
page. Only a record that leaves the feed between two polls can be missed, so the
feed's window must be longer than the poll interval.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from oncall.config import FeedSettings
from oncall.feeds.client import new_client, unique_holder
from oncall.feeds.feed_intake import FeedIntake, IntakeCounts
from oncall.feeds.feed_pages import read_feed_page, same_origin
from oncall.feeds.fetch import (
    USER_AGENT,
    FetchFailed,
    RetryPolicy,
    SecretMissing,
    backoff_delay,
    describe_status,
    expand_secret,
    redact_url,
    send_with_retries,
)
from oncall.services.context import ServiceContext
from oncall.store import feeds as feed_rows

log = logging.getLogger(__name__)
ACCEPT = "application/json, application/x-ndjson;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    feed: str
    ok: bool
    next_attempt_at: datetime
    not_modified: bool = False
    pages: int = 0
    counts: IntakeCounts = field(default_factory=IntakeCounts)
    error: str | None = None


@dataclass
class _Outcome:
    pages: int = 0
    counts: IntakeCounts = field(default_factory=IntakeCounts)
    not_modified: bool = False
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class FeedPoller:
    """Polls the configured alert feeds; no Textual, no scheduler: call it each tick."""

    def __init__(
        self,
        ctx: ServiceContext,
        feeds: Sequence[FeedSettings] | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        max_backoff_s: float = 300.0,
        max_pages: int = 1000,
        environ: dict[str, str] | None = None,
        rng: random.Random | None = None,
        holder: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.feeds = tuple(ctx.settings.feeds if feeds is None else feeds)
        self.retry = retry or RetryPolicy()
        self.max_backoff_s = max_backoff_s
        self.max_pages = max_pages
        self.environ = environ
        self.rng = rng or random.Random()
        self.holder = holder or unique_holder("feeds")
        self._client = client
        self._owns_client = client is None
        self._intake = {feed.name: FeedIntake(ctx, feed.name) for feed in self.feeds}

    async def __aenter__(self) -> FeedPoller:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this poller made it."""
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def next_due(self, now: datetime) -> datetime | None:
        """When the next feed falls due (`now` for one never polled; None without feeds)."""
        with self.ctx.store.read() as conn:
            states = feed_rows.feed_states(conn)
        times = [_due_at(states.get(f.name), now) for f in self.feeds]
        return min(times) if times else None

    async def poll_due(self, now: datetime) -> list[PollResult]:
        """Poll every feed whose next try has come, side by side; returns what each did."""
        states = await asyncio.to_thread(self._states)
        due = [f for f in self.feeds if _due_at(states.get(f.name), now) <= now]
        results = await asyncio.gather(*(self.poll(feed, now) for feed in due))
        return [result for result in results if result is not None]

    async def poll(self, feed: FeedSettings, now: datetime) -> PollResult | None:
        """Poll one feed now; None when another poller is polling it."""
        lease = now + timedelta(seconds=self._lease_s())
        claimed = await asyncio.to_thread(self._claim, feed.name, now, lease)
        if claimed is None:
            return None
        try:
            outcome = await self._read_feed(feed, claimed)
        except Exception as error:  # a bug must cost one poll, never the dispatcher
            log.exception("feed %s: poll failed unexpectedly", feed.name)
            outcome = _Outcome(error=f"the poll failed unexpectedly ({type(error).__name__})")
        return await asyncio.to_thread(self._record, feed, claimed, outcome)

    def _lease_s(self) -> float:
        policy = self.retry
        return max(60.0, 3 * policy.attempts * (policy.timeout_s + policy.max_delay_s))

    def _states(self) -> dict[str, feed_rows.FeedState]:
        with self.ctx.store.read() as conn:
            return feed_rows.feed_states(conn)

    def _claim(self, name: str, now: datetime, until: datetime) -> feed_rows.FeedState | None:
        with self.ctx.store.write() as conn:
            if not feed_rows.claim_feed(conn, name, now=now, until=until, holder=self.holder):
                return None
            state = feed_rows.feed_state(conn, name)
        return state

    def _extend(self, name: str) -> None:
        until = self.ctx.clock.now() + timedelta(seconds=self._lease_s())
        with self.ctx.store.write() as conn:
            feed_rows.extend_claim(conn, name, until=until, holder=self.holder)

    def _client_for_use(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = new_client(self.retry.timeout_s)
        return self._client

    async def _read_feed(self, feed: FeedSettings, state: feed_rows.FeedState) -> _Outcome:
        """Fetch every page of the feed and store its records, page by page."""
        outcome = _Outcome()
        headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT}
        try:
            if feed.auth_header:
                what = f"feed {feed.name}'s auth_header"
                headers["Authorization"] = expand_secret(feed.auth_header, what, self.environ)
        except SecretMissing as error:
            outcome.error = str(error)
            return outcome
        client = self._client_for_use()
        intake = self._intake[feed.name]
        url: str | None = feed.url
        seen: set[str] = set()
        while url is not None and url not in seen:
            if outcome.pages >= self.max_pages:
                outcome.error = f"stopped after {self.max_pages} pages; the rest was not read"
                break
            seen.add(url)
            first = outcome.pages == 0
            try:
                response = await send_with_retries(
                    client,
                    "GET",
                    url,
                    headers={**headers, **(_validators(state) if first else {})},
                    policy=self.retry,
                    rng=self.rng,
                )
            except FetchFailed as error:
                outcome.error = _on_page(outcome.pages, str(error))
                break
            if response.status_code == 304 and first:
                outcome.not_modified = True
                outcome.etag, outcome.last_modified = state.etag, state.last_modified
                break
            if response.status_code != 200:
                outcome.error = _on_page(outcome.pages, _refusal(response))
                break
            page = read_feed_page(
                response.content,
                url=url,
                content_type=response.headers.get("content-type", ""),
                link_next=response.links.get("next", {}).get("url"),
                default_source=feed.source,
            )
            if page.garbage:
                outcome.error = _on_page(outcome.pages, page.problem or "unreadable")
                break
            outcome.counts += await asyncio.to_thread(intake.take, page.records)
            outcome.pages += 1
            if first:
                outcome.etag = response.headers.get("etag")
                outcome.last_modified = response.headers.get("last-modified")
            if page.problem is not None:
                outcome.error = _on_page(outcome.pages - 1, page.problem)
                break
            url = page.next_url
            if url is not None:
                await asyncio.to_thread(self._extend, feed.name)
            if url is not None and not same_origin(feed.url, url):
                outcome.error = (
                    f"the next page is on another server ({redact_url(url)}); it was not "
                    "followed, so the feed's credentials stay with the feed"
                )
                break
        return outcome

    def _record(
        self, feed: FeedSettings, state: feed_rows.FeedState, outcome: _Outcome
    ) -> PollResult:
        """Store how the poll went and when the next one is due."""
        finished = self.ctx.clock.now()
        counts = None if outcome.not_modified else outcome.counts.as_tuple()
        with self.ctx.store.write() as conn:
            if outcome.error is None:
                next_at = finished + timedelta(seconds=feed.interval_s)
                feed_rows.record_success(
                    conn,
                    feed.name,
                    at=finished,
                    next_attempt_at=next_at,
                    etag=outcome.etag,
                    last_modified=outcome.last_modified,
                    counts=counts,
                )
            else:
                failures = state.consecutive_failures + 1
                cap = max(self.max_backoff_s, feed.interval_s)
                delay = backoff_delay(failures, feed.interval_s, cap, self.rng)
                next_at = finished + timedelta(seconds=delay)
                feed_rows.record_failure(
                    conn,
                    feed.name,
                    at=finished,
                    next_attempt_at=next_at,
                    error=outcome.error,
                    counts=counts if outcome.pages else None,
                )
                # The message names the feed and the problem, never a header or query string.
                log.warning("feed %s: %s (next try in %.0f s)", feed.name, outcome.error, delay)
        return PollResult(
            feed=feed.name,
            ok=outcome.error is None,
            next_attempt_at=next_at,
            not_modified=outcome.not_modified,
            pages=outcome.pages,
            counts=outcome.counts,
            error=outcome.error,
        )


def _due_at(state: feed_rows.FeedState | None, now: datetime) -> datetime:
    if state is None or state.next_attempt_at is None:
        return now
    return state.next_attempt_at


def _validators(state: feed_rows.FeedState) -> dict[str, str]:
    """Conditional-request headers from the last complete poll."""
    headers: dict[str, str] = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _refusal(response: httpx.Response) -> str:
    status = describe_status(response)
    if response.status_code in (401, 403):
        return f"the feed refused the request ({status}): check the feed's auth_header"
    if 300 <= response.status_code < 400:
        return f"the feed answered {status}: set the feed's url to where it redirects"
    return f"the feed answered {status}"


def _on_page(pages_read: int, problem: str) -> str:
    if pages_read == 0:
        return problem
    kept = "the page before it was" if pages_read == 1 else f"the {pages_read} pages before it were"
    return f"page {pages_read + 1}: {problem}; {kept} kept"
