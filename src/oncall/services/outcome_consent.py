"""The outcome report to a referring hotline goes out only while the client's consent holds.

It is checked when the report is queued (services/closing.py) and again when it is sent:
a report queued while consent held is cancelled, never sent, if the client revoked the
consent since (services/client_care.py cancels it then) or the consent has lapsed. Each
cancellation keeps its reason on the outbox row (shown where messages are) and is audited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from oncall.services.context import ServiceContext
from oncall.store import client_records, outbox, people
from oncall.store import episodes as episode_rows

KIND = "hotline_outcome"
KEY_PREFIX = "hotline-outcome-episode-"
"""An outcome report's idempotency key: this and the episode id (services/closing.py)."""


def cancel_reports(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    client_id: int,
    reports: Sequence[tuple[int, int]],
    reason: str,
) -> list[int]:
    """Cancel each (message id, episode id) report not yet delivered; returns the ids cancelled."""
    cancelled = []
    for message_id, episode_id in reports:
        if outbox.cancel(conn, message_id, at=ctx.now_iso(), by=ctx.actor.login, reason=reason):
            cancelled.append(message_id)
            ctx.audit(
                conn,
                "outbox.cancelled",
                "outbox",
                message_id,
                client_id=client_id,
                detail={"kind": KIND, "episode_id": episode_id, "reason": reason},
            )
    return cancelled


def cancel_queued_reports(
    ctx: ServiceContext, conn: sqlite3.Connection, client_id: int, reason: str
) -> list[int]:
    """Consent revoked: cancel the client's outcome reports still queued."""
    queued = client_records.queued_outcome_reports(conn, client_id)
    return cancel_reports(ctx, conn, client_id, queued, reason)


def withhold_unconsented(
    ctx: ServiceContext, conn: sqlite3.Connection, claimed: Sequence[tuple[int, str, str]]
) -> set[int]:
    """Of the claimed (id, kind, idempotency key) messages, cancel the outcome reports whose
    client's consent no longer holds; returns their ids (the caller does not send them)."""
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    withheld: set[int] = set()
    for message_id, kind, key in claimed:
        if kind != KIND or not key.startswith(KEY_PREFIX):
            continue
        number = key.removeprefix(KEY_PREFIX)
        episode = episode_rows.episode_by_id(conn, int(number)) if number.isdigit() else None
        if episode is None:
            continue  # not one this version queued: the notifier's own rules apply
        client = people.client_by_id(conn, episode.client_id)
        if client is None or client.hotline_consent(today):
            continue
        ended = client.consent_hotline_report_until if client.consent_hotline_report else None
        reason = "Cancelled before sending: " + (
            f"the client's consent to the outcome report ended on {ended}."
            if ended
            else "no consent to the outcome report is on file."
        )
        if cancel_reports(ctx, conn, client.id, [(message_id, episode.id)], reason):
            withheld.add(message_id)
    return withheld
