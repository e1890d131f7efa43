"""Who is at the console: the process's operating-system account, mapped to a staff row.

The account comes from the real user id (`os.getuid()`), never from an environment
variable such as USER or LOGNAME, which anyone can set. The account that opens a
database with no staff at all becomes its first admin, so a new clinic can start.
"""

from __future__ import annotations

import logging
import os
import pwd

from oncall.clock import Clock, SystemClock
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.errors import Refused
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.audit import append_audit
from oncall.store.db import Store

log = logging.getLogger(__name__)


class AccountRefused(Refused):
    """The account is not (or no longer) on this database's staff list."""


def os_account() -> str:
    """The login name of the process's real user id."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise AccountRefused(
            f"The operating-system user id {uid} has no account name, so it cannot be "
            "matched to a staff member."
        ) from None


def _display_name(login: str) -> str:
    """The full name from the account's GECOS field, else the login."""
    try:
        gecos = pwd.getpwnam(login).pw_gecos
    except KeyError:
        return login
    return gecos.split(",")[0].strip() or login


def resolve_staff(store: Store, login: str) -> Staff:
    """The active staff member with this login; refused, naming the account, otherwise."""
    with store.read() as conn:
        staff = people.staff_by_login(conn, login)
    if staff is None:
        raise AccountRefused(
            f"The account '{login}' is not on the staff list of the database {store.path}. "
            f'An admin can add it with: oncall staff add {login} --name "…" --role clinician'
        )
    if not staff.active:
        raise AccountRefused(
            f"The account '{login}' has been deactivated in the database {store.path}; "
            "ask an admin to reactivate it."
        )
    return staff


def resolve_console_user(store: Store, *, clock: Clock | None = None) -> Staff:
    """The staff member this process acts as (OS account → active staff row).

    When the database has no staff yet, the account becomes its first admin (audited).
    """
    login = os_account()
    now = to_iso((clock or SystemClock()).now())
    with store.read() as conn:
        staffed = accounts.count_staff(conn) > 0
    if staffed:  # the usual case: no write lock taken just to start
        return resolve_staff(store, login)
    # BEGIN IMMEDIATE, and count again: two first starts at once make one first admin.
    with store.write() as conn:
        if accounts.count_staff(conn) == 0:
            staff_id = people.insert_staff(
                conn,
                login=login,
                display_name=_display_name(login),
                role=Role.ADMIN.value,
                phone=None,
                active=True,
                created_at=now,
            )
            append_audit(
                conn,
                at=now,
                actor=login,
                action="staff.first_admin",
                object_type="staff",
                object_id=staff_id,
                detail={"login": login, "role": Role.ADMIN.value},
            )
            log.warning("empty staff list: staff %d is the database's first admin", staff_id)
    return resolve_staff(store, login)
