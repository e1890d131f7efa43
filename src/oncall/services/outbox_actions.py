"""What a supervisor does with a queued page: see it cannot go, re-address it, cancel it.

A page keeps its logical recipient ("staff:<login>", "role:<role>") and is routed when
it is sent (oncall/routing.py), so a message with no target shows here as
undeliverable at once, from the settings alone, before any dispatcher has tried it.
For the supervisor board and the outbox screen; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oncall.domain.timefmt import maybe_from_iso
from oncall.domain.types import Role
from oncall.routing import STAFF_PREFIX, TargetUnknown, route, undeliverable_reason
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import outbox, people

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})
ROTA_AHEAD = timedelta(days=7)
"""`oncall feeds` checks everyone on the rota from now to this far ahead."""


@dataclass(frozen=True)
class UndeliverableMessage:
    """A queued message no configured target takes, and why."""

    id: int
    kind: str
    recipient: str
    """The logical recipient it keeps, e.g. staff:dkim."""
    created_at: datetime
    reason: str


@dataclass(frozen=True)
class PageReach:
    """Whether a page to one person on the rota can be delivered, and where it would go."""

    login: str
    name: str
    roles: tuple[str, ...]
    """Their rota roles from now to ROTA_AHEAD (primary, backup, supervisor)."""
    target: str | None
    """The configured target a page to them goes to (None: it cannot be delivered)."""
    how: str
    """"their own target", "the program default", or why it cannot be delivered."""


def undeliverable_messages(ctx: ServiceContext, *, limit: int = 500) -> list[UndeliverableMessage]:
    """Queued messages whose recipient no configured target takes, oldest first."""
    with ctx.store.read() as conn:
        rows = outbox.pending_messages(conn, limit=limit)
    found = []
    for row in rows:
        reason = undeliverable_reason(row["target"], ctx.settings.targets)
        if reason is not None:
            created = maybe_from_iso(row["created_at"]) or ctx.clock.now()
            found.append(
                UndeliverableMessage(row["id"], row["kind"], row["target"], created, reason)
            )
    return found


def readdress_message(ctx: ServiceContext, message_id: int, to: str) -> str:
    """Send a queued or failed message to a colleague ("staff:<login>" or a login) or a
    configured target instead, now; returns the new address. Supervisors and admins."""
    require_role(ctx, SUPERVISING, "re-address a notification")
    to = to.strip()
    with ctx.store.write() as conn:
        row = outbox.message_by_id(conn, message_id)
        if row is None:
            raise NotFound(f"There is no outbox message {message_id}.")
        configured = {t.name for t in ctx.settings.targets}
        if to in configured:
            address = to
        else:
            login = to.removeprefix(STAFF_PREFIX)
            person = people.staff_by_login(conn, login)
            if person is None or not person.active:
                raise ValidationFailed(
                    f"{to!r} is neither active staff nor a configured target"
                    f" ({', '.join(sorted(configured)) or 'none configured'})."
                )
            address = STAFF_PREFIX + person.login
        if row["kind"] == "hotline_outcome":
            raise Refused("A hotline outcome report goes only to its hotline's target.")
        before = row["target"]
        if not outbox.readdress(conn, message_id, target=address, at=ctx.now_iso()):
            raise Refused(
                f"Message {message_id} is {row['status']}: only a queued or failed"
                " message can be re-addressed."
            )
        ctx.audit(
            conn,
            "outbox.readdressed",
            "outbox",
            message_id,
            detail={"kind": row["kind"], "from": before, "to": address},
        )
    return address


def cancel_message(ctx: ServiceContext, message_id: int, reason: str) -> None:
    """Cancel a queued or failed message so it is never sent (supervisors, admins; audited)."""
    require_role(ctx, SUPERVISING, "cancel a notification")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed("Say why the message is cancelled.")
    with ctx.store.write() as conn:
        row = outbox.message_by_id(conn, message_id)
        if row is None:
            raise NotFound(f"There is no outbox message {message_id}.")
        said = f"cancelled by {ctx.actor.login}: {reason}"
        if not outbox.cancel(conn, message_id, at=ctx.now_iso(), by=ctx.actor.login, reason=said):
            raise Refused(
                f"Message {message_id} is {row['status']}: only a queued or failed"
                " message can be cancelled."
            )
        ctx.audit(
            conn,
            "outbox.cancelled",
            "outbox",
            message_id,
            detail={"kind": row["kind"], "target": row["target"], "reason": reason},
        )


def page_reach(ctx: ServiceContext, now: datetime | None = None) -> list[PageReach]:
    """For each person on the rota from now to a week ahead: can a page to them go out?"""
    now = now or ctx.clock.now()
    with ctx.store.read() as conn:
        shifts = people.shifts_between(conn, now, now + ROTA_AHEAD)
        roles: dict[int, list[str]] = {}
        for shift in shifts:
            held = roles.setdefault(shift.staff_id, [])
            if shift.role.value not in held:
                held.append(shift.role.value)
        staff = [(people.staff_by_id(conn, staff_id), held) for staff_id, held in roles.items()]
    reach = []
    for person, held in staff:
        if person is None:
            continue
        try:
            found = route(STAFF_PREFIX + person.login, ctx.settings.targets)
            target, how = found.target.name, found.how
        except TargetUnknown as error:
            target, how = None, str(error)
        reach.append(PageReach(person.login, person.display_name, tuple(held), target, how))
    reach.sort(key=lambda r: r.login)
    return reach
