"""Reading the audit log: who looked at whom, and proof the chain was not altered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.store import access as access_rows
from oncall.store import people
from oncall.store.access import AccessLogRow
from oncall.store.audit import verify_chain

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


def verify_audit_log(ctx: ServiceContext) -> list[str]:
    """Recompute the hash chain; one line per altered or unlinked row (empty: intact)."""
    with ctx.store.read() as conn:
        return verify_chain(conn)
