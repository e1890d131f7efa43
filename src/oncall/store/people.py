"""Staff, the on-call rota, clients, emergency contacts and safety plans."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oncall.domain.models import Client, EmergencyContact, SafetyPlan, Shift, Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ShiftRole
from oncall.store.rows import (
    client_from_row,
    contact_from_row,
    dumps,
    plan_from_row,
    shift_from_row,
    staff_from_row,
)


def staff_by_login(conn: sqlite3.Connection, login: str) -> Staff | None:
    """The staff member with this login, active or not."""
    row = conn.execute("SELECT * FROM staff WHERE login = ?", (login,)).fetchone()
    return staff_from_row(row) if row else None


def staff_by_id(conn: sqlite3.Connection, staff_id: int) -> Staff | None:
    """The staff member with this id."""
    row = conn.execute("SELECT * FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return staff_from_row(row) if row else None


def list_staff(conn: sqlite3.Connection, *, active_only: bool = False) -> list[Staff]:
    """Every staff member, by display name."""
    where = "WHERE active = 1" if active_only else ""
    rows = conn.execute(f"SELECT * FROM staff {where} ORDER BY display_name, id").fetchall()
    return [staff_from_row(r) for r in rows]


def insert_staff(
    conn: sqlite3.Connection,
    *,
    login: str,
    display_name: str,
    role: str,
    phone: str | None,
    active: bool,
    created_at: str,
) -> int:
    """Add a staff member; returns the new id."""
    cursor = conn.execute(
        "INSERT INTO staff (login, display_name, role, phone, active, created_at)"
        " VALUES (?,?,?,?,?,?)",
        (login, display_name, role, phone, int(active), created_at),
    )
    return int(cursor.lastrowid or 0)


def insert_shift(
    conn: sqlite3.Connection,
    *,
    staff_id: int,
    role: ShiftRole,
    starts_at: datetime,
    ends_at: datetime,
) -> int:
    """Add a shift to the rota."""
    cursor = conn.execute(
        "INSERT INTO on_call_shifts (staff_id, role, starts_at, ends_at) VALUES (?,?,?,?)",
        (staff_id, role.value, to_iso(starts_at), to_iso(ends_at)),
    )
    return int(cursor.lastrowid or 0)


def has_shift(
    conn: sqlite3.Connection,
    *,
    staff_id: int,
    role: ShiftRole,
    starts_at: datetime,
    ends_at: datetime,
) -> bool:
    """Whether the rota already holds exactly this shift."""
    row = conn.execute(
        "SELECT 1 FROM on_call_shifts WHERE staff_id = ? AND role = ? AND starts_at = ?"
        " AND ends_at = ? LIMIT 1",
        (staff_id, role.value, to_iso(starts_at), to_iso(ends_at)),
    ).fetchone()
    return row is not None


def shifts_at(conn: sqlite3.Connection, moment: datetime) -> list[Shift]:
    """The shifts that cover `moment`, primary first."""
    at = to_iso(moment)
    rows = conn.execute(
        "SELECT * FROM on_call_shifts WHERE starts_at <= ? AND ends_at > ?"
        " ORDER BY CASE role WHEN 'primary' THEN 0 WHEN 'backup' THEN 1 ELSE 2 END, starts_at",
        (at, at),
    ).fetchall()
    return [shift_from_row(r) for r in rows]


def shifts_between(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[Shift]:
    """The shifts that overlap [start, end), in time order."""
    rows = conn.execute(
        "SELECT * FROM on_call_shifts WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id",
        (to_iso(end), to_iso(start)),
    ).fetchall()
    return [shift_from_row(r) for r in rows]


def client_by_id(conn: sqlite3.Connection, client_id: int) -> Client | None:
    """The client with this id."""
    row = conn.execute("SELECT * FROM clients WHERE id = ?", (client_id,)).fetchone()
    return client_from_row(row) if row else None


def client_by_ref(conn: sqlite3.Connection, external_ref: str) -> Client | None:
    """The client with this external reference."""
    row = conn.execute("SELECT * FROM clients WHERE external_ref = ?", (external_ref,)).fetchone()
    return client_from_row(row) if row else None


def client_ids_for_refs(conn: sqlite3.Connection, refs: set[str]) -> dict[str, int]:
    """The ids of the clients with these references or aliases (unknown ones left out)."""
    found: dict[str, int] = {}
    ref_list = sorted(refs)
    for start in range(0, len(ref_list), 500):
        chunk = ref_list[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT external_ref, id FROM clients WHERE external_ref IN ({marks})", chunk
        ):
            found[row[0]] = row[1]
    # A reference another system uses, learnt when one of its alerts was matched by hand.
    missing = sorted(set(ref_list) - set(found))
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT ref, client_id FROM client_aliases WHERE ref IN ({marks})", chunk
        ):
            found[row[0]] = row[1]
    return found


def insert_client(conn: sqlite3.Connection, values: dict[str, object]) -> int:
    """Add a client from column values; returns the new id."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = conn.execute(
        f"INSERT INTO clients ({columns}) VALUES ({marks})", tuple(values.values())
    )
    return int(cursor.lastrowid or 0)


def insert_emergency_contact(
    conn: sqlite3.Connection,
    *,
    client_id: int,
    name: str,
    relation: str | None,
    phone: str | None,
    consent_to_contact: bool,
) -> int:
    """Add an emergency contact for a client."""
    cursor = conn.execute(
        "INSERT INTO emergency_contacts (client_id, name, relation, phone, consent_to_contact)"
        " VALUES (?,?,?,?,?)",
        (client_id, name, relation, phone, int(consent_to_contact)),
    )
    return int(cursor.lastrowid or 0)


def emergency_contacts(conn: sqlite3.Connection, client_id: int) -> list[EmergencyContact]:
    """A client's emergency contacts."""
    rows = conn.execute(
        "SELECT * FROM emergency_contacts WHERE client_id = ? ORDER BY id", (client_id,)
    ).fetchall()
    return [contact_from_row(r) for r in rows]


def insert_safety_plan(
    conn: sqlite3.Connection,
    *,
    client_id: int,
    sections: dict[str, list[str]],
    reasons_for_living: str,
    created_by: int | None,
    created_at: str,
) -> SafetyPlan:
    """Save a new version of a client's safety plan (the next version number)."""
    row = conn.execute(
        "SELECT COALESCE(MAX(version), 0) FROM safety_plans WHERE client_id = ?", (client_id,)
    ).fetchone()
    version = int(row[0]) + 1
    cursor = conn.execute(
        "INSERT INTO safety_plans (client_id, version, sections, reasons_for_living, created_by,"
        " created_at) VALUES (?,?,?,?,?,?)",
        (client_id, version, dumps(sections), reasons_for_living, created_by, created_at),
    )
    plan_row = conn.execute(
        "SELECT * FROM safety_plans WHERE id = ?", (cursor.lastrowid,)
    ).fetchone()
    return plan_from_row(plan_row)


def safety_plan_versions(conn: sqlite3.Connection, client_id: int) -> list[SafetyPlan]:
    """Every saved version of a client's plan, newest first."""
    rows = conn.execute(
        "SELECT * FROM safety_plans WHERE client_id = ? ORDER BY version DESC", (client_id,)
    ).fetchall()
    return [plan_from_row(r) for r in rows]


def latest_safety_plan(conn: sqlite3.Connection, client_id: int) -> SafetyPlan | None:
    """The newest version of a client's plan."""
    row = conn.execute(
        "SELECT * FROM safety_plans WHERE client_id = ? ORDER BY version DESC LIMIT 1",
        (client_id,),
    ).fetchone()
    return plan_from_row(row) if row else None


def safety_plan_version(
    conn: sqlite3.Connection, client_id: int, version: int
) -> SafetyPlan | None:
    """One saved version of a client's plan."""
    row = conn.execute(
        "SELECT * FROM safety_plans WHERE client_id = ? AND version = ?", (client_id, version)
    ).fetchone()
    return plan_from_row(row) if row else None
