"""What the feeds and the outbox are doing, for the console, the supervisor and `oncall feeds`.

Reads only the database, never the network: a console shows the state the
dispatcher recorded, and says so when nobody has polled a feed for too long.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from oncall.config import TargetSettings
from oncall.domain.timefmt import maybe_from_iso
from oncall.domain.types import Role
from oncall.routing import undeliverable_reason
from oncall.secrets import mask_secret, redact_url
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused
from oncall.store import feeds as feed_rows
from oncall.store import outbox, people

# A feed's stored state and the directory's kind, for the commands (which never import the store).
from oncall.store.feeds import DIRECTORY, FeedState

__all__ = [
    "DIRECTORY",
    "OVERDUE_GRACE_S",
    "FeedState",
    "FeedStatus",
    "FeedView",
    "MessageView",
    "QuarantinedRecord",
    "TargetView",
    "feed_status",
    "quarantined_records",
    "retry_delivery",
]

OVERDUE_GRACE_S = 60.0
"""How long past its next try a feed may go unpolled before it is shown as overdue."""


@dataclass(frozen=True)
class FeedView:
    """One configured feed and how its polling goes."""

    name: str
    url: str
    """Shown without query string or credentials."""
    interval_s: float
    auth: str
    """`none`, or the variables the auth header names; never its value."""
    state: feed_rows.FeedState
    health: str
    """`ok`, `failing`, `overdue` (nobody is polling), or `waiting` (never polled yet)."""


@dataclass(frozen=True)
class TargetView:
    """One configured notification target."""

    name: str
    kind: str
    url: str
    routing_key: str
    staff: str | None = None
    """The login whose pages it takes (`staff = "LOGIN"`)."""
    default: bool = False
    """It takes pages for anyone without a target of their own."""
    staff_known: bool = True
    """False when `staff` names no active staff member (a typo pages nobody)."""


@dataclass(frozen=True)
class MessageView:
    """One outbox message and its delivery state."""

    id: int
    kind: str
    target: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    sending: bool
    """True while a dispatcher holds a claim on it (a send in progress)."""
    undeliverable: str | None = None
    """Why no configured target takes it (a pending message only), from the settings now."""
    sent_to: str | None = None
    """The configured target a delivered message went to (its `target` is the recipient)."""


@dataclass(frozen=True)
class QuarantinedRecord:
    """A rejected record's reason (its raw text stays in the database)."""

    id: int
    source: str
    received_at: datetime
    record_number: int | None
    external_id: str | None
    field: str | None
    message: str


@dataclass(frozen=True)
class FeedStatus:
    """Everything `oncall feeds` and the status panels show."""

    read_at: datetime
    feeds: list[FeedView]
    directory: feed_rows.FeedState | None
    targets: list[TargetView]
    outbox_counts: dict[str, int]
    messages: list[MessageView]
    quarantined: int


def _health(state: feed_rows.FeedState, interval_s: float, now: datetime) -> str:
    if state.last_attempt_at is None:
        return "waiting"
    due = state.next_attempt_at
    if due is not None and now - due > timedelta(seconds=max(OVERDUE_GRACE_S, 2 * interval_s)):
        return "overdue"
    return "failing" if state.consecutive_failures else "ok"


def _target_label(target: str) -> str:
    return redact_url(target) if target.lower().startswith(("http://", "https://")) else target


def _message(row: sqlite3.Row, now: datetime, targets: Sequence[TargetSettings]) -> MessageView:
    until = maybe_from_iso(row["sending_until"])
    pending = row["status"] == "pending"
    return MessageView(
        id=row["id"],
        kind=row["kind"],
        target=_target_label(row["target"]),
        status=row["status"],
        attempts=row["attempts"],
        created_at=maybe_from_iso(row["created_at"]) or now,
        next_attempt_at=maybe_from_iso(row["next_attempt_at"]),
        delivered_at=maybe_from_iso(row["delivered_at"]),
        last_error=row["last_error"],
        sending=pending and until is not None and until > now,
        undeliverable=undeliverable_reason(row["target"], targets) if pending else None,
        sent_to=row["sent_to"],
    )


def feed_status(ctx: ServiceContext, *, messages: int = 50) -> FeedStatus:
    """Each feed's state, the targets, outbox counts and the latest messages."""
    now = ctx.clock.now()
    with ctx.store.read() as conn:
        states = feed_rows.feed_states(conn)
        directory = feed_rows.feed_state(conn, feed_rows.DIRECTORY, kind=feed_rows.DIRECTORY)
        counts = outbox.status_counts(conn)
        rows = outbox.messages(conn, limit=messages)
        quarantined = feed_rows.quarantine_count(conn)
    feeds = []
    for feed in ctx.settings.feeds:
        state = states.get(feed.name) or feed_rows.FeedState(feed_rows.ALERTS, feed.name)
        feeds.append(
            FeedView(
                name=feed.name,
                url=redact_url(feed.url),
                interval_s=feed.interval_s,
                auth=mask_secret(feed.auth_header),
                state=state,
                health=_health(state, feed.interval_s, now),
            )
        )
    with ctx.store.read() as conn:
        active = {p.login for p in people.list_staff(conn, active_only=True)}
    targets = [
        TargetView(
            t.name,
            t.kind,
            redact_url(t.url),
            mask_secret(t.routing_key),
            t.staff,
            t.default,
            t.staff is None or t.staff in active,
        )
        for t in ctx.settings.targets
    ]
    return FeedStatus(
        now,
        feeds,
        directory,
        targets,
        counts,
        [_message(r, now, ctx.settings.targets) for r in rows],
        quarantined,
    )


def quarantined_records(
    ctx: ServiceContext, *, limit: int = 100, before_id: int | None = None
) -> list[QuarantinedRecord]:
    """A page of rejected records with their reasons, newest first."""
    with ctx.store.read() as conn:
        rows = feed_rows.quarantine_page(conn, limit=limit, before_id=before_id)
    return [
        QuarantinedRecord(
            id=r["id"],
            source=r["source"],
            received_at=maybe_from_iso(r["received_at"]) or ctx.clock.now(),
            record_number=r["record_number"],
            external_id=r["external_id"],
            field=r["field"] or None,
            message=r["message"],
        )
        for r in rows
    ]


def retry_delivery(ctx: ServiceContext, message_id: int) -> None:
    """Put a failed notification back in line (supervisors and admins; audited)."""
    require_role(ctx, frozenset({Role.SUPERVISOR, Role.ADMIN}), "retry a failed notification")
    with ctx.store.write() as conn:
        row = outbox.message_by_id(conn, message_id)
        if row is None:
            raise NotFound(f"There is no outbox message {message_id}.")
        if not outbox.retry_failed(conn, message_id, at=ctx.now_iso()):
            raise Refused(f"Message {message_id} is {row['status']}, not failed: nothing to retry.")
        ctx.audit(
            conn,
            "outbox.retried",
            "outbox",
            message_id,
            detail={"kind": row["kind"], "attempts_before": row["attempts"]},
        )
