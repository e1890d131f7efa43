"""Managing staff accounts: add, list, rename, change role, deactivate, reactivate, unlock."""

from __future__ import annotations

import re
import sqlite3

from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import people, staff_work
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


class WorkToHandOver(Refused):
    """Deactivation refused: the person holds work someone else must take first."""

    def __init__(self, login: str, work: staff_work.Work) -> None:
        count = len(work.all())
        super().__init__(
            f"{login} still holds {count} thing{'s' if count != 1 else ''} that would go "
            "unattended; hand them to someone with --reassign-to LOGIN."
        )
        self.work = work


def deactivate_staff(ctx: ServiceContext, login: str, reassign_to: str | None = None) -> Staff:
    """Deactivate an account so it gets no console (admins only; audited).

    Their pending follow-ups, open episodes and shifts not yet ended go to `reassign_to`
    in the same transaction; without it, any such work refuses the change (nothing may
    silently go overdue).
    """
    require_role(ctx, ADMINS, "deactivate staff")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if not staff.active:
            raise Refused(f"{login} is already deactivated.")
        if staff.role is Role.ADMIN and accounts.count_active_admins(conn) <= 1:
            raise Refused(f"{login} is the last active admin; add another admin first.")
        now = ctx.now_iso()
        work = staff_work.work_of(conn, staff.id, now)
        detail: dict[str, object] = {"login": login}
        if reassign_to is not None:
            taker = _staff(conn, reassign_to)
            if not taker.active or taker.id == staff.id:
                raise Refused(
                    f"Work can go only to another active staff member, not {reassign_to}."
                )
            staff_work.hand_over(conn, work, taker.id, now)
            detail |= {
                "reassigned_to": taker.login,
                "follow_ups": [h.id for h in work.follow_ups],
                "episodes": [h.id for h in work.episodes],
                "shifts": [h.id for h in work.shifts],
            }
        elif work.all():
            raise WorkToHandOver(login, work)
        accounts.set_active(conn, staff.id, False)
        ctx.audit(conn, "staff.deactivated", "staff", staff.id, detail=detail)
        return _staff(conn, login)


def rename_staff(ctx: ServiceContext, login: str, display_name: str) -> Staff:
    """Change the name the console shows (admins only; audited with both names)."""
    require_role(ctx, ADMINS, "rename staff")
    name = " ".join(display_name.split())
    if not name or len(name) > 100 or not name.isprintable():
        raise ValidationFailed("The name is required (at most 100 printable characters).")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if staff.display_name == name:
            raise Refused(f"{login} is already named {name}.")
        staff_work.set_display_name(conn, staff.id, name)
        detail = {"login": login, "from": staff.display_name, "to": name}
        ctx.audit(conn, "staff.renamed", "staff", staff.id, detail=detail)
        return _staff(conn, login)


def set_staff_role(ctx: ServiceContext, login: str, role: Role) -> Staff:
    """Change someone's role (admins only; audited); the last active admin stays an admin."""
    require_role(ctx, ADMINS, "change a staff role")
    with ctx.store.write() as conn:
        staff = _staff(conn, login)
        if staff.role is role:
            raise Refused(f"{login} is already {role.value}.")
        if staff.role is Role.ADMIN and staff.active and accounts.count_active_admins(conn) <= 1:
            raise Refused(f"{login} is the last active admin; make someone else admin first.")
        staff_work.set_role(conn, staff.id, role.value)
        detail = {"login": login, "from": staff.role.value, "to": role.value}
        ctx.audit(conn, "staff.role_changed", "staff", staff.id, detail=detail)
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
