"""Client intake and edits in the console: a new client, contact details, emergency contacts.

Who may do what (the checks are here, so no screen or command can skip them):

- Add a client: clinicians, case managers, supervisors and admins. A clinician or case
  manager who does the intake joins the client's care team, so the record they just
  made opens to them; assigning the primary clinician is a supervisor's (care_team.py).
- Edit contact details and emergency contacts: anyone who may open the client's record
  (their caseload, care team, an episode, alert or follow-up of theirs, or a grant):
  the person on the phone is the one who learns the new number.
- Every change is audited, and every earlier value is kept in `client_changes`.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from oncall.domain.client_details import DetailProblem, clean_client, clean_contact
from oncall.domain.models import Client, EmergencyContact
from oncall.domain.types import Role
from oncall.services.access import require_client_access, require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, ValidationFailed
from oncall.store import client_records, people

INTAKE_ROLES = frozenset({Role.CLINICIAN, Role.CASE_MANAGER, Role.SUPERVISOR, Role.ADMIN})
"""Who may add a client."""

DETAIL_FIELDS = ("name", "preferred_name", "pronouns", "date_of_birth", "phone", "address")
"""What anyone caring for the client may correct (county and zip too: part of the address)."""


def clinic_today(ctx: ServiceContext) -> date:
    """Today's date in the clinic's time zone."""
    return ctx.clock.now().astimezone(ctx.settings.zone).date()


def _cleaned(ctx: ServiceContext, values: dict[str, str | None]) -> dict[str, str | None]:
    try:
        return clean_client(values, clinic_today(ctx))
    except DetailProblem as problem:
        raise ValidationFailed(str(problem)) from None


def create_client(
    ctx: ServiceContext, values: dict[str, str | None], *, from_alert: int | None = None
) -> Client:
    """Add a client (reference and full name required); audited with the fields given."""
    require_role(ctx, INTAKE_ROLES, "add a client")
    cleaned = _cleaned(ctx, values)
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        ref = str(cleaned["external_ref"])
        if people.client_by_ref(conn, ref) is not None:
            raise ValidationFailed(
                f"A client with the reference {ref} is already on file: find and open them "
                "instead of adding them again."
            )
        client_id = people.insert_client(conn, {k: v for k, v in cleaned.items() if v})
        if ctx.actor.role in (Role.CLINICIAN, Role.CASE_MANAGER):
            client_records.add_to_care_team(conn, client_id, ctx.actor.id, by=ctx.actor.id, at=at)
        detail: dict[str, object] = {"fields": sorted(k for k, v in cleaned.items() if v)}
        if from_alert is not None:
            detail["from_alert"] = from_alert
        ctx.audit(conn, "client.created", "client", client_id, client_id=client_id, detail=detail)
        client = people.client_by_id(conn, client_id)
    assert client is not None
    return client


def edit_client_details(
    ctx: ServiceContext, client_id: int, values: dict[str, str | None]
) -> list[client_records.FieldChange]:
    """Correct a client's contact details; the earlier values are kept. Returns what changed."""
    allowed = {*DETAIL_FIELDS, "county", "zip"}
    if unknown := set(values) - allowed:
        raise ValidationFailed(f"These are not contact details: {', '.join(sorted(unknown))}.")
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationFailed("The full name is required.")
    cleaned = _cleaned(ctx, values)
    with ctx.store.write() as conn:
        require_client(ctx, conn, client_id)
        changes = client_records.update_client(
            conn, client_id, dict(cleaned), by=ctx.actor.id, at=ctx.now_iso()
        )
        if changes:
            ctx.audit(
                conn,
                "client.edited",
                "client",
                client_id,
                client_id=client_id,
                detail=_change_detail(changes),
            )
    return changes


def add_contact(
    ctx: ServiceContext, client_id: int, values: dict[str, str | None]
) -> EmergencyContact:
    """Add an emergency contact; no consent to contact them until it is recorded."""
    cleaned = _contact(values)
    with ctx.store.write() as conn:
        require_client(ctx, conn, client_id)
        contact_id = people.insert_emergency_contact(
            conn,
            client_id=client_id,
            name=str(cleaned["name"]),
            relation=cleaned.get("relation"),
            phone=cleaned.get("phone"),
            consent_to_contact=False,
        )
        ctx.audit(
            conn,
            "contact.added",
            "emergency_contact",
            contact_id,
            client_id=client_id,
            detail={"fields": sorted(k for k, v in cleaned.items() if v)},
        )
        return contact_by_id(conn, client_id, contact_id)


def edit_contact(
    ctx: ServiceContext, client_id: int, contact_id: int, values: dict[str, str | None]
) -> list[client_records.FieldChange]:
    """Correct an emergency contact's name, relation or phone (consent is recorded apart)."""
    cleaned = _contact(values)
    with ctx.store.write() as conn:
        require_client(ctx, conn, client_id)
        contact_by_id(conn, client_id, contact_id)
        changes = client_records.update_contact(
            conn, client_id, contact_id, dict(cleaned), by=ctx.actor.id, at=ctx.now_iso()
        )
        if changes:
            ctx.audit(
                conn,
                "contact.edited",
                "emergency_contact",
                contact_id,
                client_id=client_id,
                detail=_change_detail(changes),
            )
    return changes


def _contact(values: dict[str, str | None]) -> dict[str, str | None]:
    if unknown := set(values) - {"name", "relation", "phone"}:
        raise ValidationFailed(f"These are not contact fields: {', '.join(sorted(unknown))}.")
    try:
        return clean_contact(values)
    except DetailProblem as problem:
        raise ValidationFailed(str(problem)) from None


def require_client(ctx: ServiceContext, conn: sqlite3.Connection, client_id: int) -> None:
    """Refuse unless the client exists and the acting user may open their record."""
    if people.client_by_id(conn, client_id) is None:
        raise NotFound(f"There is no client {client_id}.")
    require_client_access(ctx, conn, client_id)


def contact_by_id(conn: sqlite3.Connection, client_id: int, contact_id: int) -> EmergencyContact:
    """One of the client's emergency contacts, or NotFound."""
    for contact in people.emergency_contacts(conn, client_id):
        if contact.id == contact_id:
            return contact
    raise NotFound(f"The client has no emergency contact {contact_id}.")


def _change_detail(changes: list[client_records.FieldChange]) -> dict[str, object]:
    """What the audit entry says of an edit: the fields and their history rows, not values."""
    return {"fields": [c.field for c in changes], "changes": [c.id for c in changes]}
