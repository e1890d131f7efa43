"""Bringing clients in from the program's own system: add new ones, update known ones in place.

A client is known by its identifier (`external_ref`). A value the file leaves out
never erases what is stored (a clinician may have added it); a value it gives
replaces the stored one through the shared edit path, which keeps the earlier value
in `client_changes`; the audit entry names each field that changed and its change
rows (not the values: the audit log is printed for access reviews). Emergency contacts are
added when no contact of that name and phone is on file, always **without consent to
contact**: consent is recorded by a clinician, with who, when and its scope.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from oncall.domain.client_record import ClientAccepted, ContactAccepted, ContactRecord
from oncall.domain.record_stream import Rejection
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.store import client_records, people

BATCH_SIZE = 500
"""Clients per transaction: a kill loses at most one batch, and the lock is held briefly."""


@dataclass(frozen=True)
class ClientUpdate:
    """A known client whose stored fields the import changed."""

    number: int
    external_ref: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"record {self.number} ({self.external_ref}): {', '.join(self.fields)}"


@dataclass
class ClientImportReport:
    """What an import did (or, dry, would do), and why each refused record was refused."""

    added: int = 0
    updated: list[ClientUpdate] = field(default_factory=list)
    unchanged: int = 0
    contacts_added: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class _DryRun(Exception):
    """Raised inside the transaction so a dry run rolls back everything it did."""


def _normal(name: str, phone: str | None) -> tuple[str, str]:
    return name.casefold(), "".join(ch for ch in phone or "" if ch.isdigit())


def _store_contacts(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    client_id: int,
    contacts: tuple[ContactRecord, ...],
) -> int:
    """Add the contacts not already on file; none with consent to contact."""
    known = {_normal(c.name, c.phone) for c in people.emergency_contacts(conn, client_id)}
    added = 0
    for contact in contacts:
        key = _normal(contact.name, contact.phone)
        if key in known:
            continue
        known.add(key)
        contact_id = people.insert_emergency_contact(
            conn,
            client_id=client_id,
            name=contact.name,
            relation=contact.relation,
            phone=contact.phone,
            consent_to_contact=False,  # never assumed from an import
        )
        ctx.audit(
            conn,
            "emergency_contact.imported",
            "emergency_contact",
            contact_id,
            client_id=client_id,
            detail={"consent_to_contact": False},
        )
        added += 1
    return added


def _store_one(
    ctx: ServiceContext, conn: sqlite3.Connection, item: ClientAccepted, origin: str
) -> tuple[str, tuple[str, ...], int]:
    """Insert or update one client; ("added" | "updated" | "unchanged", fields, contacts)."""
    record = item.record
    given = {k: v for k, v in record.columns().items() if v is not None}
    row = conn.execute(
        "SELECT * FROM clients WHERE external_ref = ?", (record.external_ref,)
    ).fetchone()
    if row is None:
        client_id = people.insert_client(conn, given)
        ctx.audit(
            conn,
            "client.imported",
            "client",
            client_id,
            client_id=client_id,
            detail={"origin": origin, "fields": sorted(given)},
        )
        return "added", (), _store_contacts(ctx, conn, client_id, record.contacts)
    client_id = int(row["id"])
    values = {k: v for k, v in given.items() if k != "external_ref"}
    # The shared edit path keeps every earlier value in client_changes.
    changes = client_records.update_client(
        conn, client_id, values, by=ctx.actor.id, at=ctx.now_iso()
    )
    changed = tuple(c.field for c in changes)
    if changes:
        ctx.audit(
            conn,
            "client.updated_by_import",
            "client",
            client_id,
            client_id=client_id,
            detail={"origin": origin, "fields": list(changed), "changes": [c.id for c in changes]},
        )
    contacts = _store_contacts(ctx, conn, client_id, record.contacts)
    return ("updated" if changed else "unchanged"), changed, contacts


Item = ClientAccepted | ContactAccepted | Rejection


def _contact_of_known_client(
    ctx: ServiceContext, conn: sqlite3.Connection, item: ContactAccepted
) -> Rejection | int:
    """Add a contact to the client on file with its identifier; contacts added, or why not."""
    row = conn.execute(
        "SELECT id FROM clients WHERE external_ref = ?", (item.external_ref,)
    ).fetchone()
    if row is None:
        return Rejection(
            item.number,
            item.line,
            item.external_ref,
            "RelatedPerson.patient",
            f"RelatedPerson.patient names {item.external_ref}, who is no client on file",
        )
    return _store_contacts(ctx, conn, int(row[0]), (item.contact,))


def import_clients(
    ctx: ServiceContext,
    items: Iterable[Item],
    *,
    origin: str,
    dry_run: bool = False,
    report: ClientImportReport | None = None,
) -> ClientImportReport:
    """Store every accepted client (admins only); a dry run reports the same and writes nothing."""
    require_role(ctx, frozenset({Role.ADMIN}), "import clients")
    report = report if report is not None else ClientImportReport()
    batch: list[ClientAccepted] = []
    # Contacts of clients on file go last: their client may come later in the file.
    contacts: list[ContactAccepted] = []
    pending = ClientImportReport()

    def flush(conn: sqlite3.Connection, *, last: bool = False) -> None:
        for item in batch:
            outcome, fields, added = _store_one(ctx, conn, item, origin)
            pending.contacts_added += added
            if outcome == "added":
                pending.added += 1
            elif outcome == "updated":
                pending.updated.append(ClientUpdate(item.number, item.record.external_ref, fields))
            else:
                pending.unchanged += 1
        batch.clear()
        for contact in contacts if last else ():
            result = _contact_of_known_client(ctx, conn, contact)
            if isinstance(result, Rejection):
                pending.rejected.append(result)
            else:
                pending.contacts_added += result

    def commit() -> None:
        # Counted only once committed: after a failure the report says what is stored.
        report.added += pending.added
        report.updated.extend(pending.updated)
        report.unchanged += pending.unchanged
        report.contacts_added += pending.contacts_added
        report.rejected.extend(pending.rejected)
        pending.added = pending.unchanged = pending.contacts_added = 0
        pending.updated, pending.rejected = [], []

    def accepted() -> Iterator[ClientAccepted]:
        for item in items:
            if isinstance(item, ClientAccepted):
                yield item
            elif isinstance(item, ContactAccepted):
                contacts.append(item)
            else:
                report.rejected.append(item)

    if dry_run:
        try:
            with ctx.store.write() as conn:
                batch.extend(accepted())
                flush(conn, last=True)
                commit()
                raise _DryRun
        except _DryRun:
            return report
    for item in accepted():
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            with ctx.store.write() as conn:
                flush(conn)
            commit()
    with ctx.store.write() as conn:
        flush(conn, last=True)
    commit()
    report.rejected.sort(key=lambda rejection: rejection.number)
    return report
