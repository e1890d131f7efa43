"""The alert feed poller: each configured feed on its interval, state kept in the database.

The dispatcher (one elected process) calls `FeedPoller.poll_due(now)` on each tick.
Each poll reads the feed from its first page and follows `next` links (or page
numbers) to the end; records go through the same validation and deduplication as
`oncall ingest`, and each page is stored as it arrives, so the first alerts are in
the queue while later pages are still on the way. Every page is asked again on every
poll with its own validators (store/feeds.py `feed_pages`): a 304 says that page is
unchanged, never that the pages after it are.

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
from oncall.feeds.feed_reader import FeedReader, ReadOutcome
from oncall.feeds.fetch import RetryPolicy, backoff_delay
from oncall.services.context import ServiceContext
from oncall.store import feeds as feed_rows
from oncall.store.errors import StoreError

log = logging.getLogger(__name__)


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
        self._intake: dict[str, FeedIntake] = {}

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
        try:
            claimed = await asyncio.to_thread(self._claim, feed.name, now, lease)
        except StoreError as error:  # locked or full: try again next tick
            log.warning("feed %s: not polled, the database refused the claim: %s", feed.name, error)
            return None
        if claimed is None:
            return None
        try:
            outcome = await self._read_feed(feed, claimed)
        except StoreError as error:  # pages stored so far are kept; the claim lapses
            outcome = ReadOutcome(error=f"the database refused the alerts: {error}")
        except Exception as error:  # a bug must cost one poll, never the dispatcher
            log.exception("feed %s: poll failed unexpectedly", feed.name)
            outcome = ReadOutcome(error=f"the poll failed unexpectedly ({type(error).__name__})")
        try:
            return await asyncio.to_thread(self._record, feed, claimed, outcome)
        except StoreError as error:
            log.warning("feed %s: its state was not saved: %s", feed.name, error)
            return PollResult(
                feed.name,
                False,
                lease,
                pages=outcome.pages,
                counts=outcome.counts,
                error=str(error),
            )

    def _lease_s(self) -> float:
        policy = self.retry
        return max(60.0, 3 * policy.attempts * (policy.timeout_s + policy.max_delay_s))

    def _states(self) -> dict[str, feed_rows.FeedState]:
        with self.ctx.store.read() as conn:
            return feed_rows.feed_states(conn)

    def _claim(self, name: str, now: datetime, until: datetime) -> _Claimed | None:
        with self.ctx.store.write() as conn:
            if not feed_rows.claim_feed(conn, name, now=now, until=until, holder=self.holder):
                return None
            state = feed_rows.feed_state(conn, name)
            pages = feed_rows.page_memos(conn, name)
        return None if state is None else _Claimed(state, pages)

    def _extend(self, name: str) -> None:
        until = self.ctx.clock.now() + timedelta(seconds=self._lease_s())
        with self.ctx.store.write() as conn:
            feed_rows.extend_claim(conn, name, until=until, holder=self.holder)

    def _client_for_use(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = new_client(self.retry.timeout_s)
        return self._client

    async def _read_feed(self, feed: FeedSettings, claimed: _Claimed) -> ReadOutcome:
        """Fetch every page of the feed and store its records, page by page."""
        reader = FeedReader(
            self._client_for_use(),
            feed,
            claimed.pages,
            retry=self.retry,
            rng=self.rng,
            environ=self.environ,
            max_pages=self.max_pages,
            max_bytes=self.ctx.settings.max_feed_response_bytes,
            max_record=self.ctx.settings.max_record_bytes,
        )
        intake = self._intake.setdefault(feed.name, FeedIntake(self.ctx, feed.name))
        return await reader.read(intake, lambda: asyncio.to_thread(self._extend, feed.name))

    def _record(self, feed: FeedSettings, claimed: _Claimed, outcome: ReadOutcome) -> PollResult:
        """Store how the poll went and when the next one is due."""
        finished = self.ctx.clock.now()
        state = claimed.state
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
                    pages=outcome.seen,
                    pages_unchanged=outcome.unchanged,
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


@dataclass(frozen=True)
class _Claimed:
    """A feed claimed for one poll: its state and its pages as the last complete poll left them."""

    state: feed_rows.FeedState
    pages: dict[str, feed_rows.PageMemo]


def _due_at(state: feed_rows.FeedState | None, now: datetime) -> datetime:
    if state is None or state.next_attempt_at is None:
        return now
    return state.next_attempt_at
