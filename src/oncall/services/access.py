"""Roles and the minimum necessary: who may open which client's record.

Policy (42 CFR Part 2 and HIPAA's minimum-necessary standard):

- Supervisors and admins see every client.
- Clinicians, peer specialists and case managers open the record of a client they
  care for: their caseload (the client's primary clinician or care team), an episode they opened,
  an alert they acknowledged, or a follow-up assigned to them. An episode opened, or an
  alert acknowledged, opens the record while the episode is open and for
  `ack_access_hours_after_close` (72) hours after it closed, as a grant would; caseload
  access does not end so.
- Opening any other client's record is "breaking the glass": the person gives a
  reason, is granted that one client for BREAK_GLASS_HOURS, and the grant and every
  view under it are in the audit log.
- The live queue is everybody's work list, so it may show for every alert: severity,
  kind, source, age and acknowledgement deadline, escalation step, who acknowledged
  it, the client's display name (to recognise a repeat caller) and the alert's own
  summary (what triage needs). It shows nothing from the record: no safety plan,
  timeline, risk history, contacts, phone, address or past episodes.
- Acknowledging an alert from the queue needs no prior access: the person who claims
  it is now caring for the client, so the client's record opens to them (and the
  claim is visible to everyone and audited) until the hours above have passed.

The checks live here, in the services, so no screen or command can skip them.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, PermissionDenied, ValidationFailed
from oncall.store import access as access_rows
from oncall.store import people
from oncall.store.access import AccessGrant

SEES_EVERYONE = frozenset({Role.SUPERVISOR, Role.ADMIN})
BREAK_GLASS_HOURS = 8.0
"""How long a break-the-glass grant lasts: about one shift."""
MIN_REASON = 10
MAX_REASON = 500

log = logging.getLogger(__name__)


class OutsideCare(PermissionDenied):
    """The client's record is outside the user's care; breaking the glass can open it."""

    def __init__(self, message: str, client_id: int, client_ref: str) -> None:
        super().__init__(message)
        self.client_id = client_id
        """The client whose record was refused (for the break-the-glass dialog)."""
        self.client_ref = client_ref
        """Their external reference, safe to show."""


def sees_everyone(staff: Staff) -> bool:
    """Supervisors and admins may open every client's record."""
    return staff.role in SEES_EVERYONE


def require_role(ctx: ServiceContext, roles: frozenset[Role], what: str) -> None:
    """Refuse `what` unless the acting user holds one of `roles`."""
    if ctx.actor.role not in roles:
        allowed = " or ".join(sorted(r.value.replace("_", " ") + "s" for r in roles))
        raise PermissionDenied(
            f"Only {allowed} may {what}; {ctx.actor.login} is a "
            f"{ctx.actor.role.value.replace('_', ' ')}."
        )


def _deactivated(conn: sqlite3.Connection, staff: Staff) -> bool:
    """True when the acting account was deactivated after the session began."""
    current = people.staff_by_id(conn, staff.id) if staff.id else None
    return current is not None and not current.active


def care_ended_before(ctx: ServiceContext) -> str:
    """Episodes closed before this time no longer open the record to who worked them.

    Whoever opened an episode or acknowledged one of its alerts keeps the client's record
    for `ack_access_hours_after_close` after it closes (to finish notes and follow-ups), not
    for good: a non-staff account that forged an alert, or anyone who once claimed one, held
    the record a month later.
    """
    hours = ctx.settings.ack_access_hours_after_close
    return to_iso(ctx.clock.now() - timedelta(hours=hours))


def access_basis(ctx: ServiceContext, conn: sqlite3.Connection, client_id: int) -> str | None:
    """Why the acting user may open the client's record ("role", "caseload", …), or None."""
    if _deactivated(conn, ctx.actor):
        return None
    if sees_everyone(ctx.actor):
        return "role"
    return access_rows.access_basis(
        conn, ctx.actor.id, client_id, ctx.now_iso(), closed_after=care_ended_before(ctx)
    )


def require_client_access(ctx: ServiceContext, conn: sqlite3.Connection, client_id: int) -> str:
    """Refuse unless the acting user may open this client's record; returns the basis.

    Called outside a transaction (a view's first read), the refusal is audited in a
    transaction of its own; inside one it would be rolled back with the use case, so
    there the PermissionDenied alone reports it.
    """
    basis = access_basis(ctx, conn, client_id)
    if basis is not None:
        return basis
    client = people.client_by_id(conn, client_id)
    if client is None:
        raise NotFound(f"There is no client {client_id}.")
    if _deactivated(conn, ctx.actor):
        raise PermissionDenied(f"The account {ctx.actor.login} has been deactivated.")
    log.info("access denied: staff %d, client %d", ctx.actor.id, client_id)
    if not conn.in_transaction:
        ctx.audit_alone("access.denied", "client", client_id, client_id=client_id)
    raise OutsideCare(
        f"Client {client.external_ref} is not on your caseload, episodes or follow-ups. "
        "Break the glass to open the record: give a reason, and access is granted for "
        f"{BREAK_GLASS_HOURS:g} hours and recorded in the audit log.",
        client_id,
        client.external_ref,
    )


def can_open_client(ctx: ServiceContext, client_id: int) -> bool:
    """Whether the acting user may open the client's record now (nothing audited)."""
    with ctx.store.read() as conn:
        return access_basis(ctx, conn, client_id) is not None


def accessible_client_ids(ctx: ServiceContext) -> set[int] | None:
    """The clients the acting user may open now; None means every client."""
    if sees_everyone(ctx.actor):
        return None
    with ctx.store.read() as conn:
        return access_rows.accessible_client_ids(
            conn, ctx.actor.id, ctx.now_iso(), closed_after=care_ended_before(ctx)
        )


def break_glass(
    ctx: ServiceContext, client_id: int, reason: str, *, hours: float = BREAK_GLASS_HOURS
) -> AccessGrant:
    """Grant the acting user one client's record for `hours`, for a stated reason (audited)."""
    text = " ".join(reason.split())
    if len(text) < MIN_REASON:
        raise ValidationFailed(
            f"Say why you need this record (at least {MIN_REASON} characters); "
            "the reason is kept in the audit log."
        )
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"The reason is {len(text)} characters; the limit is {MAX_REASON}.")
    if not 0 < hours <= 24:
        raise ValidationFailed("A break-the-glass grant lasts more than 0 and at most 24 hours.")
    now = ctx.clock.now()
    with ctx.store.write() as conn:
        if people.client_by_id(conn, client_id) is None:
            raise NotFound(f"There is no client {client_id}.")
        if _deactivated(conn, ctx.actor):
            raise PermissionDenied(f"The account {ctx.actor.login} has been deactivated.")
        grant = access_rows.insert_grant(
            conn,
            staff_id=ctx.actor.id,
            client_id=client_id,
            reason=text,
            granted_at=to_iso(now),
            expires_at=to_iso(now + timedelta(hours=hours)),
        )
        ctx.audit(
            conn,
            "access.break_glass",
            "client",
            client_id,
            client_id=client_id,
            detail={"grant_id": grant.id, "reason": text, "hours": hours},
        )
    log.warning(
        "break-the-glass grant %d: staff %d, client %d, %g h",
        grant.id,
        ctx.actor.id,
        client_id,
        hours,
    )
    return grant
