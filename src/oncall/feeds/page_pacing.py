"""Pages to one target at a steady rate, and a backlog announced by one summary page first.

After downtime a starting dispatcher once sent 78 pages in one second. Pages (messages
addressed to a person or a chain role) are now paced per configured target: at most
one every `spacing` seconds, measured from the last one the target received, most
urgent first. When more than `backlog_pages` are due for one target at once and it has
had no backlog summary in the last hour, one summary page goes first ("N pages waited
..."), and the per-alert pages follow at that rate. A page that is not yet due is given
back to the outbox with its slot as its next try; its count of attempts is unchanged.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oncall.config import TargetSettings
from oncall.domain.timefmt import maybe_from_iso, to_iso
from oncall.feeds.outbound import DISCLOSING_KINDS, OutboxMessage
from oncall.routing import TargetUnknown, is_person_address, route
from oncall.store import outbox

BACKLOG_KIND = "page_backlog"
"""The summary page sent before a backlog's per-alert pages."""
SEVERITY_ORDER = {"imminent": 0, "high": 1, "moderate": 2, "low": 3}
BACKLOG_COUNT_LIMIT = 2000
"""Most pending messages read to count a backlog for its summary page."""
BACKLOG_QUIET = timedelta(hours=1)
"""After a backlog summary to a target, another backlog within this time gets none."""


@dataclass
class SendPlan:
    """Which claimed messages go now, and which wait for their slot (message id → when)."""

    now: list[OutboxMessage] = field(default_factory=list)
    later: dict[int, datetime] = field(default_factory=dict)


def is_page(message: OutboxMessage) -> bool:
    """A page that rings someone: to a person or role, not an acknowledge or resolve."""
    if message.kind in DISCLOSING_KINDS or not is_person_address(message.target):
        return False
    return str(message.payload.get("event_action") or "trigger") == "trigger"


def _urgency(message: OutboxMessage) -> tuple[int, str, int]:
    rank = SEVERITY_ORDER.get(str(message.payload.get("severity") or "").lower(), 4)
    return rank, message.created_at, message.id


def _also_waiting(
    conn: sqlite3.Connection,
    target: str,
    claimed: list[OutboxMessage],
    now: datetime,
    targets: Sequence[TargetSettings],
) -> list[OutboxMessage]:
    """Pages due for `target` beyond this tick's claim (a backlog larger than one batch)."""
    ids = {m.id for m in claimed}
    at = to_iso(now)
    found = []
    for row in outbox.pending_messages(conn, limit=BACKLOG_COUNT_LIMIT):
        if row["id"] in ids or row["next_attempt_at"] > at:
            continue
        message = OutboxMessage.from_row(row)
        try:
            if is_page(message) and route(message.target, targets).target.name == target:
                found.append(message)
        except TargetUnknown:
            continue
    return found


def _backlog_message(
    conn: sqlite3.Connection,
    target: str,
    pages: list[OutboxMessage],
    targets: Sequence[TargetSettings],
    now: datetime,
    spacing_s: float,
    holder: str,
    until: datetime,
) -> OutboxMessage | None:
    """Queue and claim the summary page for a backlog to `target`, or None (one was recent)."""
    # Keys are "backlog-<target>-<ISO time>": a range of the unique key index finds a
    # recent one without reading the whole outbox.
    prefix = f"backlog-{target}-"
    recent = conn.execute(
        "SELECT 1 FROM outbox WHERE idempotency_key > ? AND idempotency_key < ? LIMIT 1",
        (prefix + to_iso(now - BACKLOG_QUIET), prefix + "~"),
    ).fetchone()
    if recent is not None:
        return None
    waiting = [*pages, *_also_waiting(conn, target, pages, now, targets)]
    severities = Counter(str(m.payload.get("severity") or "other").lower() for m in waiting)
    by_severity = ", ".join(
        f"{severities[name]} {name}"
        for name in sorted(severities, key=lambda s: SEVERITY_ORDER.get(s, 4))
    )
    worst = min(pages, key=_urgency).payload.get("severity")
    at = to_iso(now)
    key = f"backlog-{target}-{at}"
    outbox.enqueue(
        conn,
        kind=BACKLOG_KIND,
        target=target,
        payload={
            "severity": worst,
            "backlog": {
                "pages": len(waiting),
                "by_severity": by_severity,
                "spacing_s": spacing_s,
            },
            "alert_ids": [m.payload["alert_id"] for m in waiting if "alert_id" in m.payload],
        },
        idempotency_key=key,
        created_at=at,
    )
    row = conn.execute(
        "UPDATE outbox SET sending_until = ?, sending_by = ?, attempts = 1"
        " WHERE idempotency_key = ? RETURNING *",
        (to_iso(until), holder, key),
    ).fetchone()
    return OutboxMessage.from_row(row)


def plan_sends(
    conn: sqlite3.Connection,
    messages: Sequence[OutboxMessage],
    targets: Sequence[TargetSettings],
    *,
    now: datetime,
    spacing_s: float,
    backlog_pages: int,
    holder: str,
    until: datetime,
) -> SendPlan:
    """Pace the claimed pages per target; give back those not due yet (inside Store.write())."""
    plan = SendPlan()
    groups: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        try:
            name = route(message.target, targets).target.name if is_page(message) else None
        except TargetUnknown:
            name = None  # the deliverer says why it cannot be sent
        if name is None:
            plan.now.append(message)
        else:
            groups.setdefault(name, []).append(message)
    spacing = timedelta(seconds=spacing_s)
    for name, pages in groups.items():
        pages.sort(key=_urgency)
        last = maybe_from_iso(outbox.last_sent_at(conn, name))
        slot = now if last is None else max(now, last + spacing)
        if len(pages) > backlog_pages and slot == now:
            summary = _backlog_message(conn, name, pages, targets, now, spacing_s, holder, until)
            if summary is not None:
                plan.now.append(summary)
                slot += spacing
        for message in pages:
            if slot <= now:
                plan.now.append(message)
            else:
                outbox.postpone(conn, message.id, holder=holder, next_attempt_at=to_iso(slot))
                plan.later[message.id] = slot
            slot += spacing
    return plan
