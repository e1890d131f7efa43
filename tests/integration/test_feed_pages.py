"""A paged alert feed on a real local server: every page revalidated on every poll, on its own."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from local_http import Reply, Request, serving

from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import system_actor
from oncall.config import FeedSettings
from oncall.feeds.alert_feed import FeedPoller, PollResult
from oncall.feeds.fetch import RetryPolicy
from oncall.services.context import ServiceContext

FAST = RetryPolicy(attempts=2, base_delay_s=0.01, max_delay_s=0.02, timeout_s=2.0)


def record(n: int, severity: str = "moderate") -> dict[str, Any]:
    """A valid synthetic feed record number n."""
    return {
        "id": f"p-{n}",
        "source": "hotline",
        "client_ref": "C-1",
        "kind": "overdose" if severity == "imminent" else "craving",
        "severity": severity,
        "summary": f"Synthetic paged alert {n}",
        "occurred_at": "2026-11-22T02:00:00-08:00",
    }


class PagedFeed:
    """A feed in pages linked by `next`, each with its own ETag and Last-Modified.

    A page's validators change only when its own body changes (its records or its next
    link), as a real paged API with per-page caching does; `down` pages answer 503.
    """

    def __init__(self, *pages: list[dict[str, Any]]) -> None:
        self.pages = [list(page) for page in pages]
        self.changed = [0] * len(self.pages)
        self.down: set[int] = set()
        self._lock = threading.Lock()

    def add(self, page: int, item: dict[str, Any]) -> None:
        """Put a record on page `page` (1-based); a page past the end is a new last page."""
        with self._lock:
            if page > len(self.pages):
                self.pages.append([])
                self.changed.append(0)
                self.changed[page - 2] += 1  # the page before now links to it
            self.pages[page - 1].append(item)
            self.changed[page - 1] += 1

    def body(self, page: int) -> bytes:
        more = f"/alerts?page={page + 1}" if page < len(self.pages) else None
        return json.dumps({"alerts": self.pages[page - 1], "next": more}).encode()

    def validators(self, page: int) -> tuple[str, str]:
        etag = '"' + hashlib.sha256(self.body(page)).hexdigest()[:16] + '"'
        moment = datetime(2026, 11, 22, 10, page, self.changed[page - 1], tzinfo=UTC)
        return etag, format_datetime(moment, usegmt=True)

    def __call__(self, request: Request) -> Reply:
        page = int(request.query.get("page", ["1"])[0])
        with self._lock:
            if page in self.down:
                return Reply(503, b"busy")
            etag, stamp = self.validators(page)
            if request.headers.get("if-none-match") == etag:
                return Reply(304, headers={"ETag": etag, "Last-Modified": stamp})
            headers = {"Content-Type": "application/json", "ETag": etag, "Last-Modified": stamp}
            return Reply(200, self.body(page), headers)


def poller(clinic: Clinic, url: str) -> FeedPoller:
    ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, clinic.settings)
    return FeedPoller(ctx, [FeedSettings(name="hl", url=url, interval_s=30)], retry=FAST)


async def poll_again(clinic: Clinic, feed: FeedPoller) -> PollResult:
    clinic.clock.advance(timedelta(seconds=31))
    (result,) = await feed.poll_due(clinic.clock.now())
    return result


def alert_ids(clinic: Clinic) -> set[str]:
    return {r[0] for r in clinic.store.query("SELECT external_id FROM alerts")}


def asked(requests: list[Request]) -> list[tuple[str, str | None, str | None]]:
    """(page, If-None-Match, If-Modified-Since) of each request."""
    return [
        (
            r.query.get("page", ["1"])[0],
            r.headers.get("if-none-match"),
            r.headers.get("if-modified-since"),
        )
        for r in requests
    ]


async def test_records_added_to_page_2_and_a_new_page_3_arrive_while_page_1_answers_304(
    clinic: Clinic,
) -> None:
    feed_pages = PagedFeed([record(1), record(2)], [record(3)])
    with serving(feed_pages) as server:
        async with poller(clinic, server.url("/alerts")) as feed:
            (first,) = await feed.poll_due(clinic.clock.now())
            page_1, page_2 = feed_pages.validators(1), feed_pages.validators(2)
            feed_pages.add(2, record(4, "imminent"))
            server.requests.clear()
            second = await poll_again(clinic, feed)
            assert asked(server.requests) == [("1", *page_1), ("2", *page_2)]
            assert "p-4" in alert_ids(clinic)  # the IMMINENT record on page 2, one poll later
            feed_pages.add(3, record(5))
            third = await poll_again(clinic, feed)
            server.requests.clear()
            fourth = await poll_again(clinic, feed)
    assert first.ok and first.pages == 2 and first.counts.accepted == 3
    assert second.ok and second.pages == 2 and second.counts.accepted == 1
    assert not second.not_modified  # page 1 was unchanged, page 2 was not
    assert third.ok and third.pages == 3 and third.counts.accepted == 1
    assert alert_ids(clinic) == {"p-1", "p-2", "p-3", "p-4", "p-5"}
    # Nothing changed: every page asked with its own validators, every one answered 304.
    assert fourth.ok and fourth.not_modified and fourth.pages == 3
    assert asked(server.requests) == [(str(n), *feed_pages.validators(n)) for n in (1, 2, 3)]
    assert len({etag for _, etag, _ in asked(server.requests)}) == 3


async def test_a_page_after_an_unchanged_first_page_that_fails_makes_the_feed_failing(
    clinic: Clinic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_pages = PagedFeed([record(1)], [record(2)])
    clinic.clock.set(datetime.now(UTC))  # `oncall feeds` reads the system clock

    def oncall_feeds() -> tuple[int, str]:
        code = main(["feeds", "--db", str(clinic.store.path)])
        return code, capsys.readouterr().out

    with serving(feed_pages) as server:
        config = tmp_path / "oncall.toml"
        config.write_text(f'[[feeds]]\nname = "hl"\nurl = "{server.url("/alerts")}"\n')
        monkeypatch.setenv("ONCALL_CONFIG", str(config))
        async with poller(clinic, server.url("/alerts")) as feed:
            (first,) = await feed.poll_due(clinic.clock.now())
            feed_pages.add(2, record(3, "imminent"))
            feed_pages.down.add(2)
            unread = await poll_again(clinic, feed)
            while_unread = oncall_feeds()
            feed_pages.down.clear()
            server.requests.clear()
            caught_up = await poll_again(clinic, feed)
            unchanged = await poll_again(clinic, feed)
    assert first.ok
    assert not unread.ok and unread.pages == 1
    assert unread.error == (
        "page 2: the server answered 503 Service Unavailable (tried 2 times); "
        "the page before it was kept"
    )
    code, out = while_unread
    assert code == 1 and "hl  [failing]" in out and "[ok]" not in out
    assert "page 2: the server answered 503" in out
    # After a failed poll nothing is taken as unchanged: every page is read whole again.
    assert [etag for _, etag, _ in asked(server.requests)][:2] == [None, None]
    assert caught_up.ok and caught_up.counts.accepted == 1
    assert "p-3" in alert_ids(clinic)
    assert unchanged.ok and unchanged.not_modified
    code, out = oncall_feeds()
    assert code == 0 and "hl  [ok]" in out
    assert "pages: 2 checked at the last complete poll, 2 unchanged since the poll before" in out


async def test_a_validator_kept_before_the_upgrade_does_not_stop_the_first_poll_at_page_1(
    clinic: Clinic,
) -> None:
    feed_pages = PagedFeed([record(1)], [record(2, "imminent")])
    etag, stamp = feed_pages.validators(1)
    with clinic.store.write() as conn:  # as an older oncall left it: one validator per feed
        conn.execute(
            "INSERT INTO feed_state (kind, name, etag, last_modified)"
            " VALUES ('alerts', 'hl', ?, ?)",
            (etag, stamp),
        )
    with serving(feed_pages) as server:
        async with poller(clinic, server.url("/alerts")) as feed:
            (result,) = await feed.poll_due(clinic.clock.now())
    assert asked(server.requests) == [("1", None, None), ("2", None, None)]
    assert result.ok and result.counts.accepted == 2
    assert alert_ids(clinic) == {"p-1", "p-2"}


async def test_a_feed_url_with_an_invalid_port_is_named_as_such(clinic: Clinic) -> None:
    async with poller(clinic, "http://127.0.0.1:99999/alerts") as feed:
        (result,) = await feed.poll_due(clinic.clock.now())
    assert not result.ok
    assert "port 99999 is not between 1 and 65535" in (result.error or "")
    assert "another server" not in (result.error or "")
