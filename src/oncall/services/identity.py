"""Who is acting: the process's operating-system account, or the gate's staff login.

Locally the account comes from the real user id (`os.getuid()`), never from an
environment variable such as USER or LOGNAME, which anyone can set. Behind the SSH
gate (`oncall gate LOGIN`, the forced command of a staff key) the login named by the
forced command is the only identity: `act_as_gate_login` fixes it for the process.
A database gets its first admin from `oncall init` only; no command makes one by
being run first.
"""

from __future__ import annotations

import logging
import os
import pwd

from oncall.clock import Clock, SystemClock
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.errors import Refused, ValidationFailed
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.audit import append_audit
from oncall.store.db import Store

log = logging.getLogger(__name__)

_gate_login: str | None = None
"""The staff login the SSH gate acts as; None in local mode."""


class AccountRefused(Refused):
    """The account is not (or no longer) on this database's staff list."""


def act_as_gate_login(login: str | None) -> None:
    """Act as this staff login for the rest of the process (the gate's forced command).

    None goes back to local mode (tests only: the gate never does).
    """
    global _gate_login
    _gate_login = login


def gate_login() -> str | None:
    """The login the gate fixed, or None when the process runs in local mode."""
    return _gate_login


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


def acting_login() -> str:
    """The login this process acts as: the gate's, else the OS account's."""
    return _gate_login if _gate_login is not None else os_account()


def display_name_of(login: str) -> str:
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
        staffed = staff is not None or accounts.count_staff(conn) > 0
    if not staffed:
        raise AccountRefused(
            f"The database {store.path} has no staff yet. Name its first admin with: "
            f"oncall init --db {store.path} --admin LOGIN"
        )
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
    """The staff member this process acts as (gate login or OS account → active staff)."""
    return resolve_staff(store, acting_login())


def name_first_admin(
    store: Store, login: str, *, display_name: str | None = None, clock: Clock | None = None
) -> Staff:
    """Make `login` the first admin of a database with no staff (audited); refused otherwise."""
    from oncall.services.staff_admin import LOGIN_PATTERN

    login = login.strip()
    if not LOGIN_PATTERN.match(login):
        raise ValidationFailed(
            f"The login {login!r} is not an account name "
            "(lowercase letters, digits, '_', '-', '.'; at most 32)."
        )
    now = to_iso((clock or SystemClock()).now())
    # BEGIN IMMEDIATE, and count inside it: two inits at once make one first admin.
    with store.write() as conn:
        if accounts.count_staff(conn) > 0:
            raise Refused(
                f"The database {store.path} already has staff; `oncall init` only starts "
                "a new one (an admin adds people with `oncall staff add`)."
            )
        staff_id = people.insert_staff(
            conn,
            login=login,
            display_name=display_name or display_name_of(login),
            role=Role.ADMIN.value,
            phone=None,
            active=True,
            created_at=now,
        )
        append_audit(
            conn,
            at=now,
            actor=os_account(),
            action="staff.first_admin",
            object_type="staff",
            object_id=staff_id,
            detail={"login": login, "role": Role.ADMIN.value},
        )
    log.info("staff %d is the database's first admin", staff_id)
    return resolve_staff(store, login)
