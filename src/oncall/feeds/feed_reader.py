"""Reading one feed from its first page to its last, storing each page as it arrives."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from oncall.config import FeedSettings
from oncall.domain.record_stream import MAX_RECORD
from oncall.feeds.feed_intake import FeedIntake, IntakeCounts
from oncall.feeds.feed_pages import read_feed_page, same_origin
from oncall.feeds.fetch import (
    USER_AGENT,
    FetchFailed,
    RetryPolicy,
    SecretMissing,
    describe_status,
    expand_secret,
    redact_url,
    send_with_retries,
)
from oncall.store.feeds import PageMemo

ACCEPT = "application/json, application/x-ndjson;q=0.9, */*;q=0.1"


@dataclass
class ReadOutcome:
    """What reading the feed came to; `error` is None when every page arrived whole."""

    pages: int = 0
    counts: IntakeCounts = field(default_factory=IntakeCounts)
    not_modified: bool = False
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen: list[PageMemo] = field(default_factory=list)
    """Every page read whole, in order, with its validators and next link."""
    unchanged: int = 0
    """Pages that answered 304 Not Modified."""


class FeedReader:
    """One read of one feed: every page asked again, each with its own validators.

    A page that answers 304 is followed to the next page it named when it last changed,
    so a record added to page 2 (or a new page 3) arrives while page 1 stays the same.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        feed: FeedSettings,
        pages: Mapping[str, PageMemo],
        *,
        retry: RetryPolicy,
        rng: random.Random,
        environ: Mapping[str, str] | None,
        max_pages: int,
        max_bytes: int | None = None,
        max_record: int = MAX_RECORD,
    ) -> None:
        self.client = client
        self.feed = feed
        self.pages = dict(pages)
        """The pages the last complete poll read, by URL (their validators and next links)."""
        self.retry = retry
        self.rng = rng
        self.environ = environ
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        """Most read of one answer (None: no limit); see Settings.max_feed_response_bytes."""
        self.max_record = max_record

    async def read(
        self, intake: FeedIntake, keep_claim: Callable[[], Awaitable[None]]
    ) -> ReadOutcome:
        """Fetch every page, hand each page's records to `intake` before the next request."""
        feed = self.feed
        outcome = ReadOutcome()
        headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT}
        try:
            if feed.auth_header:
                what = f"feed {feed.name}'s auth_header"
                headers["Authorization"] = expand_secret(feed.auth_header, what, self.environ)
        except SecretMissing as error:
            outcome.error = str(error)
            return outcome
        url: str | None = feed.url
        seen: set[str] = set()
        while url is not None and url not in seen:
            if outcome.pages >= self.max_pages:
                outcome.error = f"stopped after {self.max_pages} pages; the rest was not read"
                break
            if url != feed.url and not same_origin(feed.url, url):
                outcome.error = (
                    f"the next page is on another server ({redact_url(url)}); it was not "
                    "followed, so the feed's credentials stay with the feed"
                )
                break
            seen.add(url)
            first = outcome.pages == 0
            memo = self.pages.get(url)
            try:
                response = await send_with_retries(
                    self.client,
                    "GET",
                    url,
                    headers={**headers, **_validators(memo)},
                    policy=self.retry,
                    rng=self.rng,
                    max_bytes=self.max_bytes,
                )
            except FetchFailed as error:
                outcome.error = _on_page(outcome.pages, str(error))
                break
            if response.status_code == 304 and memo is not None:
                outcome.pages += 1
                outcome.unchanged += 1
                unchanged = _unchanged_page(memo, response, outcome.pages)
                outcome.seen.append(unchanged)
                if first:
                    outcome.etag, outcome.last_modified = unchanged.etag, unchanged.last_modified
                url = unchanged.next_url
                if url is not None:
                    await keep_claim()
                continue
            if response.status_code != 200:
                outcome.error = _on_page(outcome.pages, _refusal(response))
                break
            page = read_feed_page(
                response.content,
                url=url,
                content_type=response.headers.get("content-type", ""),
                link_next=response.links.get("next", {}).get("url"),
                default_source=feed.source,
                max_record=self.max_record,
            )
            if page.garbage:
                outcome.error = _on_page(outcome.pages, page.problem or "unreadable")
                break
            outcome.counts += await asyncio.to_thread(intake.take, page.records)
            outcome.pages += 1
            if page.problem is not None:
                outcome.error = _on_page(outcome.pages - 1, page.problem)
                break
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
            outcome.seen.append(PageMemo(url, outcome.pages, etag, modified, page.next_url))
            if first:
                outcome.etag, outcome.last_modified = etag, modified
            url = page.next_url
            if url is not None:
                await keep_claim()
        else:
            outcome.not_modified = outcome.pages > 0 and outcome.unchanged == outcome.pages
        return outcome


def _validators(memo: PageMemo | None) -> dict[str, str]:
    """Conditional-request headers for one page, from the last complete poll that read it."""
    headers: dict[str, str] = {}
    if memo is not None and memo.etag:
        headers["If-None-Match"] = memo.etag
    if memo is not None and memo.last_modified:
        headers["If-Modified-Since"] = memo.last_modified
    return headers


def _unchanged_page(memo: PageMemo, response: httpx.Response, position: int) -> PageMemo:
    """A page that answered 304: as it was, with any validator or next link the answer updates."""
    link = response.links.get("next", {}).get("url")
    return PageMemo(
        memo.url,
        position,
        response.headers.get("etag") or memo.etag,
        response.headers.get("last-modified") or memo.last_modified,
        urljoin(memo.url, link) if link else memo.next_url,
    )


def _refusal(response: httpx.Response) -> str:
    status = describe_status(response)
    if response.status_code == 304:
        return f"the feed answered {status} to a request that named no earlier version"
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
