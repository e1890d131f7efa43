"""Reading the audit log: who looked at whom, and proof the chain was not altered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.audit_anchors import AnchorFileError, anchors_path, check_anchors
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused
from oncall.store import access as access_rows
from oncall.store import people
from oncall.store.access import AccessLogRow
from oncall.store.audit import verify_chain
from oncall.store.audit_checks import keyed_rows, missing_triggers
from oncall.store.audit_key import AuditKeyError, create_key, key_path, read_key

__all__ = [
    "AUDITORS",
    "MAX_ROWS",
    "AccessLogRow",
    "AccessReport",
    "AuditVerification",
    "access_report",
    "create_audit_key",
    "verify_audit_log",
]

AUDITORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
MAX_ROWS = 10_000


@dataclass(frozen=True)
class AccessReport:
    """The audit entries asked for, and whether the answer was cut at MAX_ROWS."""

    rows: list[AccessLogRow]
    truncated: bool


def access_report(
    ctx: ServiceContext,
    *,
    since: datetime,
    client_ref: str | None = None,
    actor: str | None = None,
) -> AccessReport:
    """Audit entries since a time for a client and/or an actor (supervisors and admins).

    Reading the audit log about a client is itself a look at that client, so the
    query is audited too (after the rows are read, so it is not in its own answer).
    """
    require_role(ctx, AUDITORS, "read the audit log")
    with ctx.store.read() as conn:
        client_id = None
        if client_ref is not None:
            client = people.client_by_ref(conn, client_ref)
            if client is None:
                raise NotFound(f"There is no client with the reference {client_ref}.")
            client_id = client.id
        rows = access_rows.access_log(
            conn, since=to_iso(since), client_id=client_id, actor=actor, limit=MAX_ROWS + 1
        )
    ctx.audit_alone(
        "audit.queried",
        "audit_log",
        client_id=client_id,
        detail={"since": to_iso(since), "client_ref": client_ref, "actor": actor},
    )
    return AccessReport(rows[:MAX_ROWS], len(rows) > MAX_ROWS)


@dataclass(frozen=True)
class AuditVerification:
    """What `--verify` found: problems (the log was altered) and notices (to act on)."""

    problems: list[str]
    notices: list[str]
    rows: int
    anchors: int


def verify_audit_log(ctx: ServiceContext) -> AuditVerification:
    """Check the chain (keyed), the ids, the append-only triggers and the anchors."""
    db_path = ctx.store.path
    problems: list[str] = []
    notices: list[str] = []
    try:
        key = read_key(db_path)
    except AuditKeyError as error:
        key = None
        problems.append(str(error))
    with ctx.store.read() as conn:
        problems += verify_chain(conn, key)
        keyed = keyed_rows(conn)
        rows = int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])
        for name in missing_triggers(conn):
            problems.append(
                f"the append-only trigger {name} is missing: the log could be changed unseen"
            )
    if key is not None and rows and not keyed:
        problems.append(
            f"no audit row is keyed, though the key {key_path(db_path)} exists: the log was "
            "written, or rewritten, without it"
        )
    elif key is None and not keyed and not problems:
        notices.append(
            f"This database has no audit key ({key_path(db_path)}): its rows carry the plain "
            "hash, which anyone who can write the database can recompute. Create one with: "
            f"oncall audit key --db {db_path}"
        )
    try:
        anchor_problems, anchors = check_anchors(ctx)
    except AnchorFileError as error:
        anchor_problems, anchors = [str(error)], 0
    problems += anchor_problems
    if not anchors:
        notices.append(
            f"No anchors yet ({anchors_path(db_path)}): rows deleted at the end of the log "
            "cannot be noticed. The worker anchors the log every few minutes; or run: "
            f"oncall audit anchor --db {db_path}"
        )
    return AuditVerification(problems, notices, rows, anchors)


def create_audit_key(ctx: ServiceContext) -> Path:
    """Create the key of the database's chain (admins); refused when it has one."""
    require_role(ctx, frozenset({Role.ADMIN}), "create the audit key")
    try:
        path = create_key(ctx.store.path)
    except FileExistsError:
        raise Refused(
            f"The database already has an audit key: {key_path(ctx.store.path)}."
        ) from None
    except OSError as error:
        raise Refused(
            f"Cannot create the audit key {key_path(ctx.store.path)}: {error.strerror}."
        ) from None
    ctx.audit_alone("audit.key_created", "audit_log", detail={"key": str(path)})
    return path
