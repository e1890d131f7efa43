"""Consent on file (42 CFR Part 2) and who cares for a client (primary clinician, care team).

- Consent is recorded or revoked by clinicians, case managers, supervisors and admins
  who may open the record: dated (the day the client gave or withdrew it), by whom (the
  person recording it), and its scope: disclosure to emergency contacts, the outcome
  report to a referring hotline, and, per contact, consent to contact that person. The
  flags the disclosure checks read change in the same transaction as the record, and
  revoking the outcome report cancels any report still queued for the hotline.
- The primary clinician, the care team and the program are assigned by supervisors and
  admins: they decide whose caseload a client is, and so who may open the record.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date

from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.client_intake import clinic_today, contact_by_id, require_client
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, ValidationFailed
from oncall.services.outcome_consent import cancel_queued_reports
from oncall.store import client_records, people

CONSENT_ROLES = frozenset({Role.CLINICIAN, Role.CASE_MANAGER, Role.SUPERVISOR, Role.ADMIN})
"""Who may record or revoke consent (peer specialists do not take consent)."""
ASSIGN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
"""Who may assign the primary clinician, the care team and the program."""
PRIMARY_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
"""Who may be a client's primary clinician."""

DISCLOSURE = "emergency_contact_disclosure"
HOTLINE = "hotline_outcome_report"
CONTACT = "contact"
COLUMNS = {DISCLOSURE: "consent_emergency_contact", HOTLINE: "consent_hotline_report"}
"""The clients column holding each scope's flag (its end date is the column + "_until")."""


@dataclass(frozen=True)
class ConsentState:
    """What consent should be on file after the form: the two scopes and each contact's."""

    emergency_contact_disclosure: bool
    hotline_outcome_report: bool
    contacts: dict[int, bool]
    """Consent to contact, by emergency contact id."""
    until: dict[str, date | None] = field(default_factory=dict)
    """The last day each consent given holds, by `until_key` (None: until revoked). A scope
    left out keeps the end date on file while its consent is in force."""


def until_key(scope: str, contact_id: int | None = None) -> str:
    """The key of a scope (or one contact's consent) in ConsentState.until."""
    return f"{CONTACT}:{contact_id}" if contact_id is not None else scope


@dataclass(frozen=True)
class _Scope:
    """One consent as on file and as the form wants it."""

    scope: str
    contact_id: int | None
    given: bool
    until: str | None
    in_force: bool
    want: bool


def _new_until(item: _Scope, state: ConsentState, dated: date, today: date) -> str | None:
    key = until_key(item.scope, item.contact_id)
    if key not in state.until:
        return item.until if item.in_force else None
    until = state.until[key]
    if until is None:
        return None
    if until < dated:
        raise ValidationFailed(
            f"The end date {until.isoformat()} comes before the consent date {dated.isoformat()}."
        )
    if until < today:
        raise ValidationFailed(f"The end date {until.isoformat()} has passed.")
    return until.isoformat()


def record_consent(
    ctx: ServiceContext, client_id: int, state: ConsentState, dated: date
) -> list[int]:
    """Record each consent given (until a day, optionally) or revoked; returns the record ids.

    A consent past its end date counts as not given: ticking it again records it anew.
    """
    require_role(ctx, CONSENT_ROLES, "record consent")
    today = clinic_today(ctx)
    if dated > today:
        raise ValidationFailed("The consent date is in the future.")
    at = ctx.now_iso()
    recorded: list[int] = []
    with ctx.store.write() as conn:
        require_client(ctx, conn, client_id)
        client = people.client_by_id(conn, client_id)
        assert client is not None
        scopes = [
            _Scope(
                DISCLOSURE,
                None,
                client.consent_emergency_contact,
                client.consent_emergency_contact_until,
                client.disclosure_consent(today),
                state.emergency_contact_disclosure,
            ),
            _Scope(
                HOTLINE,
                None,
                client.consent_hotline_report,
                client.consent_hotline_report_until,
                client.hotline_consent(today),
                state.hotline_outcome_report,
            ),
        ]
        for contact_id, want in sorted(state.contacts.items()):
            contact = contact_by_id(conn, client_id, contact_id)
            scopes.append(
                _Scope(
                    CONTACT,
                    contact_id,
                    contact.consent_to_contact,
                    contact.consent_until,
                    contact.contact_consent(today),
                    want,
                )
            )
        flags: dict[str, object] = {}
        for item in scopes:
            until = _new_until(item, state, dated, today) if item.want else None
            if item.want == item.in_force and (not item.want or until == item.until):
                continue  # as on file (a lapsed consent left clear stays as it lapsed)
            recorded.append(
                _record(
                    ctx, conn, client_id, item.contact_id, item.scope, item.want, dated, at, until
                )
            )
            if item.contact_id is not None:
                client_records.update_contact(
                    conn,
                    client_id,
                    item.contact_id,
                    {"consent_to_contact": item.want, "consent_until": until},
                    by=ctx.actor.id,
                    at=at,
                )
            else:
                column = COLUMNS[item.scope]
                flags |= {column: item.want, f"{column}_until": until}
        if flags:
            flags["consent_date"] = dated.isoformat()
            client_records.update_client(conn, client_id, flags, by=ctx.actor.id, at=at)
        if client.hotline_consent(today) and not state.hotline_outcome_report:
            _cancel_outcome_reports(ctx, conn, client_id, dated)
    return recorded


def _cancel_outcome_reports(
    ctx: ServiceContext, conn: sqlite3.Connection, client_id: int, dated: date
) -> None:
    """Consent withdrawn: an outcome report still queued must not go out (42 CFR 2.31)."""
    reason = (
        f"Cancelled: the client revoked consent to the outcome report (dated {dated.isoformat()},"
        f" recorded by {ctx.actor.display_name})."
    )
    cancel_queued_reports(ctx, conn, client_id, reason)


def _record(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    client_id: int,
    contact_id: int | None,
    scope: str,
    given: bool,
    dated: date,
    at: str,
    until: str | None = None,
) -> int:
    consent_id = client_records.insert_consent(
        conn,
        client_id=client_id,
        contact_id=contact_id,
        scope=scope,
        given=given,
        dated=dated.isoformat(),
        recorded_by=ctx.actor.id,
        recorded_at=at,
        until=until,
    )
    ctx.audit(
        conn,
        "consent.given" if given else "consent.revoked",
        "client",
        client_id,
        client_id=client_id,
        detail={
            "scope": scope,
            "contact_id": contact_id,
            "dated": dated.isoformat(),
            "until": until,
            "consent_id": consent_id,
        },
    )
    return consent_id


def care_team_choices(ctx: ServiceContext, client_id: int) -> tuple[list[Staff], set[int]]:
    """Whom the care-team form offers (active staff) and who is on the client's team now."""
    with ctx.store.read() as conn:
        staff = people.list_staff(conn, active_only=True)
        team = set(client_records.care_team_ids(conn, client_id))
    return staff, team


def assign_care(
    ctx: ServiceContext,
    client_id: int,
    *,
    primary_clinician_id: int | None,
    team: set[int],
    program: str | None,
) -> None:
    """Set whose caseload the client is: primary clinician, care team, program (audited)."""
    require_role(ctx, ASSIGN_ROLES, "assign a client's clinician and care team")
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        require_client(ctx, conn, client_id)
        if primary_clinician_id is not None:
            primary = people.staff_by_id(conn, primary_clinician_id)
            if primary is None or not primary.active:
                raise NotFound("The primary clinician chosen is not active staff.")
            if primary.role not in PRIMARY_ROLES:
                raise ValidationFailed(
                    f"{primary.display_name} is a {primary.role.value.replace('_', ' ')}; "
                    "the primary clinician must be a clinician or a supervisor."
                )
        for staff_id in team:
            member = people.staff_by_id(conn, staff_id)
            if member is None or not member.active:
                raise NotFound(f"Care team member {staff_id} is not active staff.")
        text = " ".join((program or "").split()) or None
        if text is not None and len(text) > 200:
            raise ValidationFailed("The program name is longer than 200 characters.")
        changes = client_records.update_client(
            conn,
            client_id,
            {"primary_clinician_id": primary_clinician_id, "program": text},
            by=ctx.actor.id,
            at=at,
        )
        before = set(client_records.care_team_ids(conn, client_id))
        for staff_id in sorted(team - before):
            client_records.add_to_care_team(conn, client_id, staff_id, by=ctx.actor.id, at=at)
        for staff_id in sorted(before - team):
            client_records.end_care_team(conn, client_id, staff_id, by=ctx.actor.id, at=at)
        if changes or team != before:
            ctx.audit(
                conn,
                "client.care_assigned",
                "client",
                client_id,
                client_id=client_id,
                detail={
                    "fields": [c.field for c in changes],
                    "changes": [c.id for c in changes],
                    "team_added": sorted(team - before),
                    "team_removed": sorted(before - team),
                },
            )
