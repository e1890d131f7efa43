"""Client intake and edits: who may, what is kept, what is audited, who may open the record."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from conftest import Clinic
from oncall.services.access import can_open_client
from oncall.services.client_care import ConsentState, assign_care, record_consent
from oncall.services.client_intake import (
    add_contact,
    create_client,
    edit_client_details,
    edit_contact,
)
from oncall.services.episodes import contacts_who_may_be_told
from oncall.services.errors import PermissionDenied, ValidationFailed
from oncall.services.record_history import record_history
from oncall.services.views import view_client
from oncall.store import client_records, people
from oncall.store.access import sensitive_names
from oncall.ui.widgets.client_summary import summary_text

NEW = {"external_ref": "C-900", "name": "Morgan  Newcomer", "date_of_birth": "1991-02-03",
       "phone": "+1 (714) 555-0177", "county": "Orange", "program": "IOP"}  # fmt: skip


def audit_rows(clinic: Clinic, action: str) -> list[sqlite3.Row]:
    with clinic.store.read() as conn:
        return list(conn.execute("SELECT * FROM audit_log WHERE action = ?", (action,)))


def test_a_supervisor_adds_a_client_and_the_fields_are_stored_cleaned(clinic: Clinic) -> None:
    client = create_client(clinic.ctx("sue"), dict(NEW))
    assert (client.external_ref, client.name, client.date_of_birth) == (
        "C-900", "Morgan Newcomer", "1991-02-03",
    )  # fmt: skip
    assert (client.phone, client.county, client.program) == ("+1 (714) 555-0177", "Orange", "IOP")
    assert client.primary_clinician_id is None
    assert not client.consent_emergency_contact and not client.consent_hotline_report
    [row] = audit_rows(clinic, "client.created")
    assert row["actor"] == "sue" and row["client_id"] == client.id


def test_a_clinician_who_does_the_intake_joins_the_care_team_and_may_open_it(
    clinic: Clinic,
) -> None:
    client = create_client(clinic.ctx("bob"), dict(NEW))
    assert can_open_client(clinic.ctx("bob"), client.id)
    assert not can_open_client(clinic.ctx("alice"), client.id)


def test_a_peer_may_not_add_a_client_and_bad_fields_are_named(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied, match="peer"):
        create_client(clinic.ctx("pat"), dict(NEW))
    with pytest.raises(ValidationFailed, match="date of birth"):
        create_client(clinic.ctx("sue"), {**NEW, "date_of_birth": "24/10/1950"})
    with pytest.raises(ValidationFailed, match="already on file"):
        create_client(clinic.ctx("sue"), {**NEW, "external_ref": "C-1"})
    with pytest.raises(ValidationFailed, match="full name is required"):
        create_client(clinic.ctx("sue"), {**NEW, "name": "  "})


def test_an_edit_keeps_the_earlier_value_and_audits_fields_not_values(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    changes = edit_client_details(
        clinic.ctx("alice"), client_id, {"phone": "714-555-0111", "county": "Orange"}
    )
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("phone", "+1-714-555-0142", "714-555-0111")
    ]
    edit_client_details(clinic.ctx("alice"), client_id, {"phone": "714-555-0122"})
    with clinic.store.read() as conn:
        history = client_records.field_changes(conn, client_id)
        assert people.client_by_id(conn, client_id).phone == "714-555-0122"  # type: ignore[union-attr]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM client_changes")
    assert [(c.old_value, c.new_value) for c in history] == [
        ("+1-714-555-0142", "714-555-0111"), ("714-555-0111", "714-555-0122"),
    ]  # fmt: skip
    rows = audit_rows(clinic, "client.edited")
    assert len(rows) == 2
    assert "555" not in rows[0]["detail"]
    assert json.loads(rows[0]["detail"])["fields"] == ["phone"]


def test_editing_someone_outside_ones_care_is_refused(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        edit_client_details(clinic.ctx("bob"), clinic.clients["C-1"], {"phone": "714-555-0111"})


def test_contacts_are_added_without_consent_and_edits_keep_history(clinic: Clinic) -> None:
    client_id = clinic.clients["C-2"]
    contact = add_contact(
        clinic.ctx("alice"), client_id, {"name": "Ana Ruiz", "relation": "aunt",
                                         "phone": "714-555-0190"},
    )  # fmt: skip
    assert not contact.consent_to_contact
    edit_contact(clinic.ctx("alice"), client_id, contact.id, {"phone": "714-555-0191"})
    with clinic.store.read() as conn:
        [change] = client_records.field_changes(conn, client_id)
    assert (change.contact_id, change.old_value, change.new_value) == (
        contact.id, "714-555-0190", "714-555-0191",
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="phone is required"):
        add_contact(clinic.ctx("alice"), client_id, {"name": "No Number", "phone": ""})


def test_consent_is_recorded_and_revoked_dated_and_by_whom(clinic: Clinic) -> None:
    client_id = clinic.clients["C-2"]  # no consent on file
    contact = add_contact(
        clinic.ctx("alice"), client_id, {"name": "Ana Ruiz", "phone": "7145550190"}
    )
    [sam] = [c for c in people_contacts(clinic, client_id) if c.name == "Sam Sample"]
    state = ConsentState(True, False, {contact.id: True, sam.id: False})
    ids = record_consent(clinic.ctx("alice"), client_id, state, date(2026, 11, 20))
    assert len(ids) == 3  # disclosure given, Ana given, Sam (on file) revoked
    allowed, _ = contacts_who_may_be_told(
        people_client(clinic, client_id), people_contacts(clinic, client_id), date(2026, 11, 22)
    )
    assert [c.name for c in allowed] == ["Ana Ruiz"]
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT * FROM consents ORDER BY id").fetchall()
    assert [(r["scope"], r["given"], r["dated"]) for r in rows] == [
        ("emergency_contact_disclosure", 1, "2026-11-20"),
        ("contact", 0, "2026-11-20"),  # Sam, the older contact, first
        ("contact", 1, "2026-11-20"),
    ]
    assert {r["recorded_by"] for r in rows} == {clinic.staff["alice"].id}
    assert people_client(clinic, client_id).consent_date == "2026-11-20"
    assert len(audit_rows(clinic, "consent.given")) == 2
    assert len(audit_rows(clinic, "consent.revoked")) == 1
    revoke = ConsentState(False, False, {contact.id: True, sam.id: False})
    record_consent(clinic.ctx("alice"), client_id, revoke, date(2026, 11, 22))
    allowed, why = contacts_who_may_be_told(
        people_client(clinic, client_id), people_contacts(clinic, client_id), date(2026, 11, 22)
    )
    assert allowed == [] and "not consented" in (why or "")
    with pytest.raises(PermissionDenied):
        record_consent(clinic.ctx("pat"), client_id, state, date(2026, 11, 20))
    with pytest.raises(ValidationFailed, match="future"):
        record_consent(clinic.ctx("alice"), client_id, state, date(2026, 12, 20))


def test_assigning_the_primary_clinician_and_care_team_decides_who_opens_the_record(
    clinic: Clinic,
) -> None:
    client = create_client(clinic.ctx("sue"), dict(NEW))
    assert not can_open_client(clinic.ctx("bob"), client.id)
    with pytest.raises(PermissionDenied, match="supervisors"):
        assign_care(clinic.ctx("alice"), client.id, primary_clinician_id=clinic.staff["alice"].id,
                    team=set(), program=None)  # fmt: skip
    with pytest.raises(ValidationFailed, match="peer"):
        assign_care(clinic.ctx("sue"), client.id, primary_clinician_id=clinic.staff["pat"].id,
                    team=set(), program=None)  # fmt: skip
    assign_care(clinic.ctx("sue"), client.id, primary_clinician_id=clinic.staff["bob"].id,
                team={clinic.staff["pat"].id}, program="Adolescent IOP")  # fmt: skip
    assert can_open_client(clinic.ctx("bob"), client.id)
    assert can_open_client(clinic.ctx("pat"), client.id)
    assert not can_open_client(clinic.ctx("alice"), client.id)
    record = view_client(clinic.ctx("pat"), client.id)
    assert record.care_team == ("Pat Moreno",) and record.client.program == "Adolescent IOP"
    assert "care team Pat Moreno" in summary_text(record).plain
    assign_care(clinic.ctx("sue"), client.id, primary_clinician_id=clinic.staff["alice"].id,
                team=set(), program="Adolescent IOP")  # fmt: skip
    assert not can_open_client(clinic.ctx("pat"), client.id)
    assert not can_open_client(clinic.ctx("bob"), client.id)
    with clinic.store.read() as conn:
        team_rows = conn.execute("SELECT removed_at FROM care_team").fetchall()
        history = [
            (c.field, c.old_value, c.new_value)
            for c in client_records.field_changes(conn, client.id)
        ]
    assert [r[0] is not None for r in team_rows] == [True]  # ended, not erased
    bob, alice = clinic.staff["bob"].id, clinic.staff["alice"].id
    assert ("primary_clinician_id", str(bob), str(alice)) in history
    assert ("program", "IOP", "Adolescent IOP") in history
    assert len(audit_rows(clinic, "client.care_assigned")) == 2


def people_client(clinic: Clinic, client_id: int):  # type: ignore[no-untyped-def]
    with clinic.store.read() as conn:
        return people.client_by_id(conn, client_id)


def people_contacts(clinic: Clinic, client_id: int):  # type: ignore[no-untyped-def]
    with clinic.store.read() as conn:
        return people.emergency_contacts(conn, client_id)


def test_the_history_is_a_view_of_the_record_audited_and_refused_outside_care(
    clinic: Clinic,
) -> None:
    client_id = clinic.clients["C-1"]
    edit_client_details(clinic.ctx("alice"), client_id, {"county": "Riverside"})
    history = record_history(clinic.ctx("alice"), client_id)
    assert [(c.field, c.old_value, c.new_value) for c in history.changes] == [
        ("county", "Orange", "Riverside")
    ]
    assert len(audit_rows(clinic, "client.history_viewed")) == 1
    with pytest.raises(PermissionDenied):
        record_history(clinic.ctx("bob"), client_id)


def test_a_corrected_name_is_still_redacted_from_logs(clinic: Clinic) -> None:
    client_id = clinic.clients["C-2"]
    edit_client_details(clinic.ctx("alice"), client_id, {"name": "Casey Sampleton"})
    contact = people_contacts(clinic, client_id)[0]
    edit_contact(clinic.ctx("alice"), client_id, contact.id, {"name": "Sam Sampleton"})
    with clinic.store.read() as conn:
        names = sensitive_names(conn)
    assert {"Casey Sample", "Casey Sampleton", "Sam Sample", "Sam Sampleton"} <= names
