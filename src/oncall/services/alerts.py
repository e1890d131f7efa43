"""Alerts: bringing them in (deduplicated, audited) and claiming them."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.alert_record import AlertRecord
from oncall.domain.escalation import handoff_deadline
from oncall.domain.models import Alert, Episode
from oncall.domain.timefmt import to_iso
from oncall.domain.types import EpisodeStatus, EventKind
from oncall.services.context import ServiceContext
from oncall.services.errors import AlreadyAcknowledged, NotFound, Refused

# The bulk import lives in services/ingest.py; these names stay importable from here.
from oncall.services.ingest import (
    BATCH_SIZE,
    ChangedDuplicate,
    IngestItem,
    IngestReport,
    ingest_records,
)
from oncall.services.page_updates import ACKNOWLEDGE, follow_alert_pages
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store.rows import handoff_json, location_json

__all__ = [
    "BATCH_SIZE",
    "Acknowledgement",
    "ChangedDuplicate",
    "IngestItem",
    "IngestReport",
    "acknowledge_alert",
    "create_alert",
    "ingest_records",
    "link_alert_to_client",
    "open_or_attach",
]


def create_alert(ctx: ServiceContext, record: AlertRecord, *, origin: str = "console") -> Alert:
    """Store one alert (typed by hand or from a feed); a duplicate returns the stored one."""
    ingest_records(ctx, [record], origin=origin)
    with ctx.store.read() as conn:
        alert = alert_rows.alert_by_key(conn, record.source, record.external_id)
    if alert is None:  # pragma: no cover - the insert above guarantees it
        raise NotFound(f"Alert {record.source}/{record.external_id} was not stored.")
    return alert


@dataclass(frozen=True)
class Acknowledgement:
    """The result of claiming an alert: the alert and the episode it now belongs to."""

    alert: Alert
    episode: Episode | None
    attached_to_existing: bool


def acknowledge_alert(ctx: ServiceContext, alert_id: int) -> Acknowledgement:
    """Claim an alert for the acting user; exactly one claimant wins.

    The winner's alert opens an episode for the client, or is attached to the
    client's episode that is already open. A loser gets AlreadyAcknowledged
    naming who won.
    """
    now = ctx.clock.now()
    at = to_iso(now)
    with ctx.store.write() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
        if alert is None:
            raise NotFound(f"There is no alert {alert_id}.")
        if not alert_rows.claim_acknowledgement(conn, alert_id, ctx.actor.id, at):
            winner = people.staff_by_id(conn, alert.acknowledged_by or 0)
            name = winner.display_name if winner else "someone else"
            if alert.status.value == "closed":
                raise Refused(f"Alert {alert_id} is already closed.")
            raise AlreadyAcknowledged(alert_id, name, alert.acknowledged_at, ctx.settings.zone)
        ctx.audit(conn, "alert.acknowledged", "alert", alert_id, client_id=alert.client_id)
        follow_alert_pages(ctx, conn, [alert_id], ACKNOWLEDGE, now)  # PagerDuty follows
        episode, attached = (None, False)
        if alert.client_id is not None:
            episode, attached = open_or_attach(ctx, conn, alert, now)
        fresh = alert_rows.alert_by_id(conn, alert_id)
        assert fresh is not None
        return Acknowledgement(fresh, episode, attached)


def open_or_attach(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    alert: Alert,
    now: datetime,
    *,
    opened_by: int | None = None,
) -> tuple[Episode, bool]:
    """Attach the alert to the client's open episode, or open one in `opened_by`'s name."""
    # opened_by: whoever claimed the alert, when someone else links it later (the actor
    # otherwise); the episode is theirs to work, and their record access follows it.
    assert alert.client_id is not None
    at = to_iso(now)
    existing = episode_rows.open_episode_for_client(conn, alert.client_id)
    if existing is not None:
        episode_id = existing.id
        attached = True
        if alert.handoff is not None and existing.handoff is None:
            episode_rows.update_episode(
                conn,
                episode_id,
                status=EpisodeStatus.HANDOFF_PENDING.value,
                handoff=handoff_json(alert.handoff),
                handoff_deadline_at=to_iso(handoff_deadline(now, ctx.settings.handoff_policy)),
            )
    else:
        attached = False
        status = EpisodeStatus.HANDOFF_PENDING if alert.handoff else EpisodeStatus.OPEN
        handoff_due = (
            to_iso(handoff_deadline(now, ctx.settings.handoff_policy)) if alert.handoff else None
        )
        episode_id = episode_rows.insert_episode(
            conn,
            client_id=alert.client_id,
            opened_at=at,
            opened_by=opened_by or ctx.actor.id,
            status=status.value,
            handoff=handoff_json(alert.handoff),
            handoff_deadline_at=handoff_due,
            location=location_json(alert.location),
        )
        ctx.audit(
            conn,
            "episode.opened",
            "episode",
            episode_id,
            client_id=alert.client_id,
            detail={"from_alert": alert.id},
        )
    alert_rows.attach_to_episode(conn, alert.id, episode_id)
    episode_rows.insert_event(
        conn,
        episode_id=episode_id,
        at=at,
        actor_id=ctx.actor.id,
        kind=EventKind.ALERT_ATTACHED,
        body={
            "alert_id": alert.id,
            "source": alert.source,
            "external_id": alert.external_id,
            "kind": alert.kind.value,
            "severity": alert.severity.value,
            "summary": alert.summary,
            "handoff": json.loads(handoff_json(alert.handoff) or "null"),
        },
    )
    episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None
    return episode, attached


def link_alert_to_client(ctx: ServiceContext, alert_id: int, client_id: int) -> Acknowledgement:
    """Resolve an alert from an unknown client reference to a known client."""
    now = ctx.clock.now()
    with ctx.store.write() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
        if alert is None:
            raise NotFound(f"There is no alert {alert_id}.")
        if alert.client_id is not None:
            raise Refused(f"Alert {alert_id} already belongs to a client.")
        if people.client_by_id(conn, client_id) is None:
            raise NotFound(f"There is no client {client_id}.")
        alert_rows.set_client(conn, alert_id, client_id)
        ctx.audit(
            conn,
            "alert.linked",
            "alert",
            alert_id,
            client_id=client_id,
            detail={"client_ref": alert.client_ref},
        )
        fresh = alert_rows.alert_by_id(conn, alert_id)
        assert fresh is not None
        episode, attached = (None, False)
        if fresh.status.value == "acknowledged":
            opener = fresh.acknowledged_by
            episode, attached = open_or_attach(ctx, conn, fresh, now, opened_by=opener)
            fresh = alert_rows.alert_by_id(conn, alert_id)
            assert fresh is not None
        return Acknowledgement(fresh, episode, attached)
