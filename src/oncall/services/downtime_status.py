"""Who has a downtime pack and how old it is (`oncall downtime status`, supervisors)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from oncall.domain.timefmt import from_iso, to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.store import downtime as downtime_rows
from oncall.store import people

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


def pack_status(ctx: ServiceContext) -> list[PackStatus]:
    """Everyone on call now or with a pack in the last week, on-call and stale first."""
    require_role(ctx, SUPERVISING, "see who has a downtime pack")
    now = ctx.clock.now()
    limit = timedelta(minutes=ctx.settings.downtime_stale_minutes)
    with ctx.store.read() as conn:
        staff = {s.login: s for s in people.list_staff(conn, active_only=True)}
        on_call = {s.staff_id for s in people.shifts_at(conn, now)}
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
        found.append(PackStatus(login, person.display_name, made, clients, on_now, stale))
    found.sort(key=lambda s: (not s.stale, not s.on_call_now, s.login))
    return found
