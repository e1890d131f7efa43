"""An alert for an unknown client reference: find the client it means, or add them (W1).

Who may: the person who acknowledged the alert (they are caring for the caller now), or
a supervisor or admin. The search shows only what identifies someone (name, date of
birth, reference, the phone's last four digits), each search is audited (how many were
found, not what was typed), and nothing of a record opens until the alert is linked.

Linking moves every open alert with the same unknown reference to the client (the queue
follows: its groups are kept by triggers on alerts.client_id, store/queue_groups.py); an
acknowledged one then opens the client's episode, or joins the open one, in the name of
whoever acknowledged it, like any other alert. A reference that is not the client's own is
kept as an alias, so later alerts naming it go to the client when they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from oncall.domain.models import Alert
from oncall.domain.types import AlertStatus, Role
from oncall.services.alerts import Acknowledgement, open_or_attach
from oncall.services.client_intake import create_client
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, PermissionDenied, Refused, ValidationFailed
from oncall.store import alerts as alert_rows
from oncall.store import client_search, people

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})
MAX_MATCHES = 20


@dataclass(frozen=True)
class ClientMatch:
    """A client the search found: enough to tell who they are, nothing of their record."""

    id: int
    external_ref: str
    name: str
    date_of_birth: str | None
    phone_end: str | None
    """The phone's last four digits."""
    program: str | None


def may_link(ctx: ServiceContext, alert: Alert) -> bool:
    """Whether the acting user may match this alert to a client now."""
    if alert.client_id is not None or alert.status is AlertStatus.CLOSED:
        return False
    if ctx.actor.role in SUPERVISING or alert.acknowledged_by == ctx.actor.id:
        return True
    # The queue shows a reference's most urgent waiting alert: the claimant of an earlier
    # one with the same reference is the one caring for the caller.
    with ctx.store.read() as conn:
        return client_search.claimed_unknown_ref(conn, alert.client_ref, ctx.actor.id)


def _unknown_alert(ctx: ServiceContext, alert_id: int) -> Alert:
    with ctx.store.read() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}.")
    if alert.client_id is not None:
        raise Refused(f"Alert {alert_id} already belongs to a client.")
    if alert.status is AlertStatus.CLOSED:
        raise Refused(f"Alert {alert_id} is closed.")
    if not may_link(ctx, alert):
        raise PermissionDenied(
            f"Acknowledge alert {alert_id} first: its client is found by whoever claimed it "
            "(or a supervisor)."
        )
    return alert


def find_clients_for_alert(ctx: ServiceContext, alert_id: int, text: str) -> list[ClientMatch]:
    """Clients whose name, phone, date of birth or reference match `text` (audited)."""
    _unknown_alert(ctx, alert_id)
    if len(text.strip()) < 2:
        return []
    with ctx.store.read() as conn:
        found = client_search.search_clients(conn, text, limit=MAX_MATCHES)
    ctx.audit_alone(
        "client.searched", "alert", alert_id, detail={"found": len(found), "for": "alert match"}
    )
    return [
        ClientMatch(
            c.id,
            c.external_ref,
            c.name,
            c.date_of_birth,
            "".join(ch for ch in c.phone if ch.isdigit())[-4:] if c.phone else None,
            c.program,
        )
        for c in found
    ]


def link_unknown_alert(ctx: ServiceContext, alert_id: int, client_id: int) -> Acknowledgement:
    """Give the alert (and every open one with its reference) to a known client."""
    alert = _unknown_alert(ctx, alert_id)
    now = ctx.clock.now()
    with ctx.store.write() as conn:
        client = people.client_by_id(conn, client_id)
        if client is None:
            raise NotFound(f"There is no client {client_id}.")
        if client.external_ref != alert.client_ref:
            # Later alerts naming this reference go to the client at once (ingest reads it).
            client_search.add_alias(
                conn,
                alert.client_ref,
                client_id,
                by=ctx.actor.id,
                at=ctx.now_iso(),
                from_alert=alert_id,
            )
        ids = client_search.open_unknown_alert_ids(conn, alert.client_ref)
        result: Acknowledgement | None = None
        for linked_id in ids:
            alert_rows.set_client(conn, linked_id, client_id)
            ctx.audit(
                conn,
                "alert.linked",
                "alert",
                linked_id,
                client_id=client_id,
                detail={"client_ref": alert.client_ref, "via_alert": alert_id},
            )
            fresh = alert_rows.alert_by_id(conn, linked_id)
            assert fresh is not None
            episode, attached = (None, False)
            if fresh.status is AlertStatus.ACKNOWLEDGED and fresh.episode_id is None:
                opener = fresh.acknowledged_by or ctx.actor.id
                episode, attached = open_or_attach(ctx, conn, fresh, now, opened_by=opener)
                fresh = alert_rows.alert_by_id(conn, linked_id)
                assert fresh is not None
            if linked_id == alert_id:
                result = Acknowledgement(fresh, episode, attached)
    if result is None:  # pragma: no cover - the alert was checked open and unknown above
        raise Refused(f"Alert {alert_id} could not be linked.")
    return result


def create_client_for_alert(
    ctx: ServiceContext, alert_id: int, values: dict[str, str | None]
) -> Acknowledgement:
    """Add the client the alert names (from what it says and the caller) and link it."""
    alert = _unknown_alert(ctx, alert_id)
    if not values.get("external_ref"):
        values = {**values, "external_ref": alert.client_ref}
    if not (values.get("name") or "").strip():
        raise ValidationFailed("The full name is required.")
    with ctx.store.write():  # one transaction: no client without its alert, nor the reverse
        client = create_client(ctx, values, from_alert=alert_id)
        return link_unknown_alert(ctx, alert_id, client.id)
