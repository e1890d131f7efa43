"""Who is acting: the process's operating-system account, or the gate's staff login.

Locally the account comes from the real user id (`os.getuid()`), never from an
environment variable such as USER or LOGNAME, which anyone can set. Behind the SSH
gate (`oncall gate LOGIN`, the forced command of a staff key) the login named by the
forced command is the only identity: `act_as_gate_login` fixes it for the process.
A database gets its first admin from `oncall init` only; no command makes one by
being run first.

Every command needs an identity allowed to run it. Staff commands act as the active
staff member the account is (`resolve_console_user`). Service-side commands (`worker`,
`ingest`, `feeds`, `resources sync|import`, `backup`, `restore`, `audit anchor`) act as
the service: the operating-system account that owns the database file (`oncall init`
made it; the deployment's `oncall` account), or an active admin, and are audited as
"service:ACCOUNT (COMMAND)" (`service_actor`). A forged alert therefore names its account.
"""

from __future__ import annotations

import logging
import os
import pwd
from pathlib import Path

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


def is_service_account(database: Path) -> bool:
    """Whether this process runs as the service account: the owner of the database file.

    The file's owner is the account that ran `oncall init` (the database is 0600, so only
    it reads the data anyway); where the file is gone (a restore), its folder's owner.
    Never behind the gate, where the key's LOGIN is the only identity.
    """
    if _gate_login is not None:
        return False
    place = database if os.path.lexists(database) else database.parent
    try:
        return place.stat().st_uid == os.getuid()
    except OSError:
        return False


def service_account_name(database: Path) -> str:
    """The name of the account that owns the database file (or its folder), for refusals."""
    place = database if os.path.lexists(database) else database.parent
    try:
        uid = place.stat().st_uid
    except OSError:
        return "the account that owns it"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def service_staff(account: str, command: str) -> Staff:
    """The actor of a service-side command run by `account`: "service:ACCOUNT (COMMAND)"."""
    login = f"service:{account} ({command})"
    return Staff(id=0, login=login, display_name=login, role=Role.ADMIN)


def service_actor(store: Store, command: str) -> Staff:
    """Who runs a service-side command: the service account, or an active admin.

    Audited as "service:ACCOUNT (COMMAND)", naming the operating-system account and the
    command, never a bare "ingest". Anyone else is refused, naming the account and who
    may run it.
    """
    if _gate_login is not None:
        raise AccountRefused(f"'{command}' runs only on the host, by the service account.")
    account = os_account()
    if not is_service_account(store.path):
        try:
            staff: Staff | None = resolve_staff(store, account)
        except AccountRefused:
            staff = None
        if staff is None or staff.role is not Role.ADMIN:
            owner = service_account_name(store.path)
            raise AccountRefused(
                f"'{command}' runs only as the service account that owns {store.path} "
                f"({owner}) or as an active admin; the account '{account}' is neither. "
                f"Run it as {owner}."
            )
        log.info("service command %s run by admin %d", command, staff.id)
    return service_staff(account, command)


def service_or_staff(store: Store, command: str) -> Staff:
    """The service account (as `service_actor` names it), else the active staff member.

    For commands both run: the service account's setup and cron jobs (`keys`, `downtime
    status`, reading the rota) and staff through the gate or at the host.
    """
    if is_service_account(store.path):
        return service_staff(os_account(), command)
    return resolve_console_user(store)


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
            actor=service_staff(os_account(), "init").login,  # it owns the new file
            action="staff.first_admin",
            object_type="staff",
            object_id=staff_id,
            detail={"login": login, "role": Role.ADMIN.value},
        )
    log.info("staff %d is the database's first admin", staff_id)
    return resolve_staff(store, login)
