"""Keeping synthetic demo data out of a real clinic's database (`oncall demo`, `seed`)."""

from __future__ import annotations

import json

from oncall import paths
from oncall.clock import Clock, SystemClock
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.errors import PermissionDenied, Refused
from oncall.services.identity import resolve_console_user
from oncall.store import people
from oncall.store.audit import append_audit
from oncall.store.db import Store


def demo_logins(*, active: bool = False) -> frozenset[str]:
    """The logins of the synthetic staff in fixtures/staff.json (`active`: only those active)."""
    rows = json.loads((paths.fixtures_dir() / "staff.json").read_text(encoding="utf-8"))
    return frozenset(str(row["login"]) for row in rows if not active or row.get("active", True))


def real_staff(store: Store) -> list[str]:
    """Logins on the database's staff list that are not the demo's own people."""
    demo = demo_logins()
    with store.read() as conn:
        return [s.login for s in people.list_staff(conn) if s.login not in demo]


def allow_demo_data(store: Store, *, force: bool, clock: Clock | None = None) -> None:
    """Refuse demo data on a database with real staff, unless an admin forces it (audited)."""
    real = real_staff(store)
    if not real:
        return
    named = ", ".join(real[:3]) + (", …" if len(real) > 3 else "")
    if not force:
        raise Refused(
            f"The database {store.path} has real staff ({named}); demo data would mix "
            "synthetic clients and alerts into it. An admin may still add it with --force."
        )
    actor = resolve_console_user(store)
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            "Only an admin may add demo data to a database with real staff "
            f"(you are {actor.login}, {actor.role.value})."
        )
    with store.write() as conn:
        append_audit(
            conn,
            at=to_iso((clock or SystemClock()).now()),
            actor=actor.login,
            action="demo.forced_into_real_database",
            object_type="database",
            detail={"real_staff": len(real)},
        )
