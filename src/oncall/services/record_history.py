"""What changed on a client's record: every edit with its earlier value, every consent record."""

from __future__ import annotations

from dataclasses import dataclass

from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.store import client_records, people
from oncall.store.client_records import ConsentRecord, FieldChange
from oncall.store.console_reads import staff_names

__all__ = ["ConsentRecord", "FieldChange", "RecordHistory", "record_history"]


@dataclass(frozen=True)
class RecordHistory:
    """A client's record history, oldest first, with the names needed to read it."""

    changes: list[FieldChange]
    consents: list[ConsentRecord]
    care_team: list[int]
    """Staff ids on the care team now."""
    staff_names: dict[int, str]
    contact_names: dict[int, str]


def record_history(ctx: ServiceContext, client_id: int) -> RecordHistory:
    """Read the history of a client's record (audited as a view; refused outside one's care)."""
    with ctx.store.read() as conn:
        if people.client_by_id(conn, client_id) is None:
            raise NotFound(f"There is no client {client_id}.")
        basis = require_client_access(ctx, conn, client_id)
    with ctx.store.write() as conn:
        history = RecordHistory(
            client_records.field_changes(conn, client_id),
            client_records.consent_records(conn, client_id),
            client_records.care_team_ids(conn, client_id),
            staff_names(conn),
            {c.id: c.name for c in people.emergency_contacts(conn, client_id)},
        )
        ctx.audit(
            conn,
            "client.history_viewed",
            "client",
            client_id,
            client_id=client_id,
            detail={"access": basis},
        )
    return history
