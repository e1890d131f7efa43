"""Managing staff accounts: add, list, deactivate, reactivate, clear a PIN lockout."""

from __future__ import annotations

import re
import sqlite3

from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.staff_admin import StaffAccount

ADMINS = frozenset({Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
# An operating-system account name, as useradd accepts by default.
LOGIN_PATTERN = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().-]{5,24}$")


def _staff(conn: sqlite3.Connection, login: str) -> Staff:
    staff = people.staff_by_login(conn, login)
    if staff is None:
        raise NotFound(f"There is no staff member with the login {login}.")
    return staff


def add_staff(
    ctx: ServiceContext, login: str, display_name: str, role: Role, phone: str | None = None
) -> Staff:
    """Add a staff member (admins only; audited)."""
    require_role(ctx, ADMINS, "add staff")
    login = login.strip()
    name = " ".join(display_name.split())
    if not LOGIN_PATTERN.match(login):
        raise ValidationFailed(
            f"The login {login!r} is not an operating-system account name "
            "(lowercase letters, digits, '_', '-', '.'; at most 32)."
        )
    if not name or len(name) > 100:
        raise ValidationFailed("The name is required (at most 100 characters).")
    phone = (phone or "").strip() or None
    if phone is not None and not PHONE_PATTERN.match(phone):
        raise ValidationFailed(f"The phone number {phone!r} is not a phone number.")
    with ctx.store.write() as conn:
        if people.staff_by_login(conn, login) is not None:
            raise Refused(f"There is already a staff member with the login {login}.")
        staff_id = people.insert_staff(
            conn,
            login=login,
            display_name=name,
            role=role.value,
            phone=phone,
            active=True,
            created_at=ctx.now_iso(),
        )
        ctx.audit(
            conn, "staff.added", "staff", staff_id, detail={"login": login, "role": role.value}
        )
        return _staff(conn, login)


def list_accounts(ctx: ServiceContext) -> list[StaffAccount]:
    """Every staff account with its PIN state (admins only)."""
    require_role(ctx, ADMINS, "list staff accounts")
    with ctx.store.read() as conn:
        return accounts.accounts(conn)


def deactivate_staff(ctx: ServiceContext, login: str) -> Staff:
    """Deactivate an account so it gets no console (admins only; audited)."""
    require_role(ctx, ADMINS, "deactivate staff")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if not staff.active:
            raise Refused(f"{login} is already deactivated.")
        if staff.role is Role.ADMIN and accounts.count_active_admins(conn) <= 1:
            raise Refused(f"{login} is the last active admin; add another admin first.")
        accounts.set_active(conn, staff.id, False)
        ctx.audit(conn, "staff.deactivated", "staff", staff.id, detail={"login": login})
        return _staff(conn, login)


def reactivate_staff(ctx: ServiceContext, login: str) -> Staff:
    """Reactivate a deactivated account (admins only; audited)."""
    require_role(ctx, ADMINS, "reactivate staff")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if staff.active:
            raise Refused(f"{login} is already active.")
        accounts.set_active(conn, staff.id, True)
        ctx.audit(conn, "staff.reactivated", "staff", staff.id, detail={"login": login})
        return _staff(conn, login)


def unlock_staff(ctx: ServiceContext, login: str) -> bool:
    """Clear a PIN lockout (supervisors and admins; audited); False if none was set."""
    require_role(ctx, SUPERVISORS, "clear a PIN lockout")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if staff.id == ctx.actor.id:
            # The lockout guards an unattended console: someone else must vouch.
            raise Refused("Another supervisor or an admin must clear your own lockout.")
        state = accounts.pin_state(conn, staff.id)
        if state is None or (state.locked_out_at is None and state.pin_failures == 0):
            return False
        accounts.clear_lockout(conn, staff.id)
        ctx.audit(
            conn,
            "pin.lockout_cleared",
            "staff",
            staff.id,
            detail={"login": login, "failures": state.pin_failures},
        )
        return True
