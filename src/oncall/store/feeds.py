"""Feed state: when each alert feed and the directory sync last ran, and how it went."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import maybe_from_iso, to_iso

ALERTS = "alerts"
"""`kind` of a row for an alert feed."""
DIRECTORY = "directory"
"""`kind` of the row for the resource directory sync."""

MIGRATION_SQL = """
CREATE TABLE feed_state (
    kind TEXT NOT NULL CHECK (kind IN ('alerts','directory')),
    name TEXT NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    next_attempt_at TEXT,
    etag TEXT,
    last_modified TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_accepted INTEGER NOT NULL DEFAULT 0,
    last_duplicates INTEGER NOT NULL DEFAULT 0,
    last_rejected INTEGER NOT NULL DEFAULT 0,
    polling_until TEXT,
    polling_by TEXT,
    PRIMARY KEY (kind, name)
);
-- A claim on a message while it is being sent, so two dispatchers never send it at once.
ALTER TABLE outbox ADD COLUMN sending_until TEXT;
ALTER TABLE outbox ADD COLUMN sending_by TEXT;
"""
"""The schema change behind these functions and the outbox lease (run by store/schema.py)."""


@dataclass(frozen=True)
class FeedState:
    """What is known about one feed's polling."""

    kind: str
    name: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    next_attempt_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    last_accepted: int = 0
    last_duplicates: int = 0
    last_rejected: int = 0
    last_pages: int = 0
    """Pages the last complete poll checked (each revalidated, changed or not)."""
    last_pages_unchanged: int = 0
    """Of those, the pages that answered 304 Not Modified."""


@dataclass(frozen=True)
class PageMemo:
    """One page of a feed as the last complete poll left it: its validators and its next link.

    Every page is asked again on every poll with its own validators; a page that answers
    304 is followed to the next page it named when it last changed.
    """

    url: str
    position: int
    """1 for the feed's first page."""
    etag: str | None = None
    last_modified: str | None = None
    next_url: str | None = None


def _state(row: sqlite3.Row) -> FeedState:
    return FeedState(
        kind=row["kind"],
        name=row["name"],
        last_attempt_at=maybe_from_iso(row["last_attempt_at"]),
        last_success_at=maybe_from_iso(row["last_success_at"]),
        last_error=row["last_error"],
        last_error_at=maybe_from_iso(row["last_error_at"]),
        next_attempt_at=maybe_from_iso(row["next_attempt_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        consecutive_failures=row["consecutive_failures"],
        last_accepted=row["last_accepted"],
        last_duplicates=row["last_duplicates"],
        last_rejected=row["last_rejected"],
        last_pages=row["last_pages"],
        last_pages_unchanged=row["last_pages_unchanged"],
    )


def feed_states(conn: sqlite3.Connection, kind: str = ALERTS) -> dict[str, FeedState]:
    """Every stored state of one kind, by feed name."""
    rows = conn.execute("SELECT * FROM feed_state WHERE kind = ?", (kind,)).fetchall()
    return {row["name"]: _state(row) for row in rows}


def feed_state(conn: sqlite3.Connection, name: str, kind: str = ALERTS) -> FeedState | None:
    """One feed's state, or None before its first poll."""
    row = conn.execute(
        "SELECT * FROM feed_state WHERE kind = ? AND name = ?", (kind, name)
    ).fetchone()
    return _state(row) if row else None


def claim_feed(
    conn: sqlite3.Connection,
    name: str,
    *,
    now: datetime,
    until: datetime,
    holder: str,
    kind: str = ALERTS,
) -> bool:
    """Claim a feed for one poll; False when another poller holds an unexpired claim."""
    at = to_iso(now)
    conn.execute(
        "INSERT INTO feed_state (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING",
        (kind, name),
    )
    cursor = conn.execute(
        "UPDATE feed_state SET polling_until = ?, polling_by = ?, last_attempt_at = ?"
        " WHERE kind = ? AND name = ? AND (polling_until IS NULL OR polling_until <= ?)",
        (to_iso(until), holder, at, kind, name, at),
    )
    return cursor.rowcount == 1


def record_success(
    conn: sqlite3.Connection,
    name: str,
    *,
    at: datetime,
    next_attempt_at: datetime,
    etag: str | None,
    last_modified: str | None,
    counts: tuple[int, int, int] | None,
    kind: str = ALERTS,
    pages: Sequence[PageMemo] = (),
    pages_unchanged: int = 0,
) -> None:
    """A poll that worked: clear the error, keep the validators, release the claim.

    `counts` is (accepted, duplicates, rejected); None for "not modified", which keeps
    the figures of the last poll that brought something. `pages` replaces the feed's
    page memos (a page no longer reached is forgotten); `etag` and `last_modified` are
    the first page's, kept for reference.
    """
    accepted, duplicates, rejected = counts if counts is not None else (None, None, None)
    conn.execute(
        "UPDATE feed_state SET last_success_at = ?, last_error = NULL, last_error_at = NULL,"
        " next_attempt_at = ?, etag = ?, last_modified = ?, consecutive_failures = 0,"
        " last_accepted = COALESCE(?, last_accepted),"
        " last_duplicates = COALESCE(?, last_duplicates),"
        " last_rejected = COALESCE(?, last_rejected),"
        " last_pages = ?, last_pages_unchanged = ?,"
        " polling_until = NULL, polling_by = NULL WHERE kind = ? AND name = ?",
        (
            to_iso(at),
            to_iso(next_attempt_at),
            etag,
            last_modified,
            accepted,
            duplicates,
            rejected,
            len(pages),
            pages_unchanged,
            kind,
            name,
        ),
    )
    if kind == ALERTS:
        _replace_pages(conn, name, pages, at)


def record_failure(
    conn: sqlite3.Connection,
    name: str,
    *,
    at: datetime,
    next_attempt_at: datetime,
    error: str,
    counts: tuple[int, int, int] | None = None,
    kind: str = ALERTS,
) -> int:
    """A poll that failed: keep the reason, count it, schedule the next try; returns the count.

    The validators (ETag, Last-Modified) of every page are dropped so the next poll reads
    everything again.
    """
    accepted, duplicates, rejected = counts if counts is not None else (None, None, None)
    conn.execute(
        "UPDATE feed_state SET last_error = ?, last_error_at = ?, next_attempt_at = ?,"
        " etag = NULL, last_modified = NULL, consecutive_failures = consecutive_failures + 1,"
        " last_accepted = COALESCE(?, last_accepted),"
        " last_duplicates = COALESCE(?, last_duplicates),"
        " last_rejected = COALESCE(?, last_rejected),"
        " polling_until = NULL, polling_by = NULL WHERE kind = ? AND name = ?",
        (error, to_iso(at), to_iso(next_attempt_at), accepted, duplicates, rejected, kind, name),
    )
    if kind == ALERTS:
        conn.execute("DELETE FROM feed_pages WHERE feed = ?", (name,))
    row = conn.execute(
        "SELECT consecutive_failures FROM feed_state WHERE kind = ? AND name = ?", (kind, name)
    ).fetchone()
    return int(row[0]) if row else 0


def page_memos(conn: sqlite3.Connection, name: str) -> dict[str, PageMemo]:
    """Each page of one alert feed the last complete poll read, by URL."""
    rows = conn.execute(
        "SELECT url, position, etag, last_modified, next_url FROM feed_pages WHERE feed = ?",
        (name,),
    ).fetchall()
    return {row["url"]: PageMemo(*row) for row in rows}


def _replace_pages(
    conn: sqlite3.Connection, name: str, pages: Sequence[PageMemo], at: datetime
) -> None:
    conn.execute("DELETE FROM feed_pages WHERE feed = ?", (name,))
    conn.executemany(
        "INSERT OR REPLACE INTO feed_pages"
        " (feed, url, position, etag, last_modified, next_url, checked_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(name, p.url, p.position, p.etag, p.last_modified, p.next_url, to_iso(at)) for p in pages],
    )


def extend_claim(
    conn: sqlite3.Connection, name: str, *, until: datetime, holder: str, kind: str = ALERTS
) -> bool:
    """Keep a claim alive during a long poll; False when it was lost."""
    cursor = conn.execute(
        "UPDATE feed_state SET polling_until = ? WHERE kind = ? AND name = ? AND polling_by = ?",
        (to_iso(until), kind, name, holder),
    )
    return cursor.rowcount == 1


def quarantine_page(
    conn: sqlite3.Connection, *, limit: int, before_id: int | None = None
) -> list[sqlite3.Row]:
    """Quarantined records newest first, one page at a time (keyset on id); no raw text."""
    return conn.execute(
        "SELECT id, source, received_at, record_number, external_id, field, message"
        " FROM quarantine WHERE id < ? ORDER BY id DESC LIMIT ?",
        (before_id if before_id is not None else 2**62, limit),
    ).fetchall()


def quarantine_count(conn: sqlite3.Connection) -> int:
    """How many records are in the quarantine."""
    return int(conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0])
