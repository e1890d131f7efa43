"""Intake in the console at burst speed: a new client, two contacts, consent, a clinician."""

from __future__ import annotations

from typing import Any

from burst import burst, keys_of
from episode_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.store import client_records, people
from oncall.ui.screens.break_glass import BreakGlassScreen
from oncall.ui.screens.client import ClientScreen

REF, NAME, DOB, PHONE = "MRN-88120", "Dana [bold]Okoye-Reyes", "1994-07-30", "+1 (909) 555-0131"
ADDRESS, COUNTY, ZIP, PROGRAM = "12 Vine St, Apt 4", "San Bernardino", "92401", "Evening IOP"
CONTACTS = [("Lee Okoye", "brother", "909-555-0170"), ("Ana Reyes", "mother", "909-555-0171")]


def field(*text: str) -> list[str]:
    """Keys that type each text and move on to the next field."""
    keys: list[str] = []
    for part in text:
        keys += [*keys_of(part), "tab"]
    return keys


async def test_full_intake_at_burst_speed_then_only_the_assigned_clinician_opens_it(
    clinic: Clinic,
) -> None:
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        # New client: every field typed in one burst and saved with ctrl+s.
        await burst(
            pilot,
            "f7",
            field(REF, NAME, "", "she/her", DOB, PHONE, ADDRESS, COUNTY),
            keys_of(ZIP),
            "tab",
            keys_of(PROGRAM),
            "ctrl+s",
        )
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClientScreen) and screen.record is not None
        client_id = screen.client_id
        # Two emergency contacts, then consent for one of them, then the clinician.
        for name, relation, phone in CONTACTS:
            await burst(pilot, "k", field(name, relation), keys_of(phone), "ctrl+s")
            await settle(pilot)
        # Each box is followed by its end date (blank: until revoked).
        await burst(pilot, "g", "space", "tab", "tab", "tab", "tab", "space", "ctrl+s")
        await settle(pilot)
        await burst(pilot, "t", "enter", "down", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        # The record's history: who changed what, from which value, and each consent.
        await burst(pilot, "h")
        await settle(pilot)
        history = str(app.screen.query_one("#history-text", Static).content)
        assert "Sue Lindqvist: primary clinician (none) → Bob Okafor" in history
        assert "consent GIVEN to disclosure to emergency contacts, dated 2026-11-22" in history
        assert f"consent GIVEN to contact {CONTACTS[0][0]}, dated 2026-11-22" in history
        assert "Care team now: nobody beyond the primary clinician" in history
        assert "consent to be contacted" not in history  # told by its consent record
    with clinic.store.read() as conn:
        client = people.client_by_id(conn, client_id)
        contacts = people.emergency_contacts(conn, client_id)
        consents = conn.execute("SELECT scope, contact_id, given FROM consents").fetchall()
        team = client_records.care_team_ids(conn, client_id)
    assert client is not None
    assert (client.external_ref, client.name, client.pronouns, client.date_of_birth) == (
        REF,
        NAME,
        "she/her",
        DOB,
    )
    assert (client.phone, client.address, client.county, client.zip, client.program) == (
        PHONE,
        ADDRESS,
        COUNTY,
        ZIP,
        PROGRAM,
    )
    assert [(c.name, c.relation, c.phone) for c in contacts] == CONTACTS
    assert [c.consent_to_contact for c in contacts] == [True, False]
    assert client.consent_emergency_contact and not client.consent_hotline_report
    assert client.consent_date == "2026-11-22"
    assert [tuple(r) for r in consents] == [
        ("emergency_contact_disclosure", None, 1),
        ("contact", contacts[0].id, 1),
    ]
    assert client.primary_clinician_id == clinic.staff["bob"].id and team == []

    assert await _opens(clinic, "bob", client_id)
    assert not await _opens(clinic, "alice", client_id)


async def _opens(clinic: Clinic, login: str, client_id: int) -> bool:
    """Whether `login` sees the record without breaking the glass (else it is offered)."""
    app = make_app(clinic.settings, actor=login, clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        shown = _client_screen(pilot)
        if shown.record is None:
            assert isinstance(app.screen, BreakGlassScreen)
            return False
        return True


def _client_screen(pilot: Pilot[Any]) -> ClientScreen:
    return next(s for s in pilot.app.screen_stack if isinstance(s, ClientScreen))


async def test_k_corrects_a_contact_on_file_and_the_earlier_number_is_kept(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        await burst(pilot, "k")
        await settle(pilot)
        [sam] = app.screen.query_one("#which", Select)._options[1:]  # (label, id)
        app.screen.query_one("#which", Select).value = sam[1]
        await settle(pilot)
        assert app.screen.query_one("#phone", Input).value == "+1-714-555-0199"
        app.screen.query_one("#phone", Input).value = ""
        await burst(pilot, "tab", "tab", keys_of("714-555-0198"), "ctrl+s")  # name, relation, phone
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
    with clinic.store.read() as conn:
        [contact] = people.emergency_contacts(conn, client_id)
        [change] = client_records.field_changes(conn, client_id)
    assert (contact.name, contact.phone) == ("Sam Sample", "714-555-0198")
    assert (change.field, change.old_value, change.new_value) == (
        "phone",
        "+1-714-555-0199",
        "714-555-0198",
    )
