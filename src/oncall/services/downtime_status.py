"""Who has a downtime pack and how old it is (`oncall downtime status`, supervisors)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from oncall.domain.escalation import EscalationTarget
from oncall.domain.timefmt import from_iso, to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.escalation_steps import outbox_target
from oncall.services.reassignment import PAGE_KIND
from oncall.services.rota import recipient
from oncall.store import downtime as downtime_rows
from oncall.store import outbox, people

LOOK_BACK = timedelta(days=7)
"""Packs made longer ago than this are not looked for (the audit log is read by time)."""
SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class PackStatus:
    """One staff member's newest pack, and whether they are on call now."""

    login: str
    name: str
    made_at: datetime | None
    clients: int | None
    on_call_now: bool
    stale: bool
    """On call now with no pack, or one older than the setting."""
    shift_id: int | None = None
    """Their shift now, if they are on call."""


def pack_status(ctx: ServiceContext) -> list[PackStatus]:
    """Everyone on call now or with a pack in the last week, on-call and stale first."""
    require_role(ctx, SUPERVISING, "see who has a downtime pack")
    now = ctx.clock.now()
    limit = timedelta(minutes=ctx.settings.downtime_stale_minutes)
    with ctx.store.read() as conn:
        staff = {s.login: s for s in people.list_staff(conn, active_only=True)}
        on_call = {s.staff_id: s.id for s in people.shifts_at(conn, now)}
        packs = {
            row["actor"]: row for row in downtime_rows.latest_packs(conn, to_iso(now - LOOK_BACK))
        }
    found: list[PackStatus] = []
    for login, person in staff.items():
        row = packs.get(login)
        if row is None and person.id not in on_call:
            continue
        made = from_iso(row["at"]) if row else None
        clients = json.loads(row["detail"]).get("clients") if row else None
        on_now = person.id in on_call
        stale = on_now and (made is None or now - made > limit)
        found.append(
            PackStatus(
                login, person.display_name, made, clients, on_now, stale, on_call.get(person.id)
            )
        )
    found.sort(key=lambda s: (not s.stale, not s.on_call_now, s.login))
    return found


def page_stale_packs(ctx: ServiceContext, rows: list[PackStatus]) -> list[str]:
    """Page the supervisor about each person on call without a fresh pack; their names.

    Once per shift and pack: the idempotency key names both, so a check every 15 minutes
    pages again only when a newer pack has gone stale too, or at the next shift.
    """
    require_role(ctx, SUPERVISING, "page about downtime packs")
    now = ctx.clock.now()
    paged: list[str] = []
    with ctx.store.write() as conn:
        supervisor = recipient(conn, EscalationTarget.SUPERVISOR, now)
        for row in rows:
            if not row.stale or (supervisor.staff and row.login == supervisor.staff.login):
                continue  # the supervisor sees their own state in `downtime status`
            if row.made_at is None:
                state = "has no downtime pack from the last 7 days"
            else:
                minutes = int((now - row.made_at).total_seconds() // 60)
                state = f"has a downtime pack {minutes} min old"
            message = (
                f"{row.name} is on call and {state}: if the host or their internet fails,"
                " they have no current copy of their clients' safety plans and contacts."
            )
            made = to_iso(row.made_at) if row.made_at else "none"
            queued = outbox.enqueue(
                conn,
                kind=PAGE_KIND,
                target=outbox_target(ctx.settings, supervisor.staff, EscalationTarget.SUPERVISOR),
                payload={
                    "summary": message,
                    "message": message,
                    "recipient_login": supervisor.staff.login if supervisor.staff else None,
                    "about": row.login,
                    "fired_at": ctx.now_iso(),
                },
                idempotency_key=f"downtime-stale-{row.login}-{row.shift_id}-{made}",
                created_at=ctx.now_iso(),
            )
            if queued:
                paged.append(row.name)
                ctx.audit(
                    conn,
                    "downtime.stale_paged",
                    "staff",
                    row.login,
                    detail={"to": supervisor.staff.login if supervisor.staff else None},
                )
    return paged
