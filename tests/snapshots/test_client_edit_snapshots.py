"""Snapshots of intake, consent, care team and the unknown-alert search, clock frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from conftest import alert_record
from oncall.cli import make_app
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.services.alerts import acknowledge_alert, create_alert
from oncall.services.client_care import ConsentState, record_consent
from oncall.services.client_intake import edit_client_details, edit_contact
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.store import alerts as alert_rows
from oncall.store import people
from oncall.store.db import connect
from oncall.ui.app import OnCallApp
from oncall.ui.screens.alert_match import AlertMatchScreen
from oncall.ui.screens.client import ClientScreen

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
SIZES = [(120, 36), (80, 24)]
CLIENT = "C-1025"  # the demo clinician's client with two contacts


def _scene(
    tmp_path: Path, login: str = "demo", *, edits: bool = False
) -> tuple[OnCallApp, int, int]:
    """The demo clinic, and an alert for an unknown reference the demo clinician claimed."""
    clock = FrozenClock(T0)
    settings = Settings(db_path=tmp_path / "snap.db")
    store = connect(settings.db_path)
    seed_everything(store, settings=settings, clock=clock, alerts=False)
    with store.read() as conn:
        actor = people.staff_by_login(conn, "demo")
        client = people.client_by_ref(conn, CLIENT)
    assert actor is not None and client is not None
    ctx = ServiceContext(store, actor, clock, settings)
    record = alert_record(
        id="snap-u",
        client_ref="HL-5521",
        severity="high",
        summary="Caller says she relapsed tonight and is alone; gave first name Grace",
        location={"text": "motel off I-5", "zip": "92054"},
    )
    alert = create_alert(ctx, record)
    acknowledge_alert(ctx, alert.id)
    if edits:
        _edit(ctx, client.id)
    store.close()
    return make_app(settings, actor=login, clock=clock), client.id, alert.id


def _edit(ctx: ServiceContext, client_id: int) -> None:
    """A new phone, a corrected contact, and consent to contact one contact revoked."""
    edit_client_details(ctx, client_id, {"phone": "+1-760-555-0188", "county": "San Diego"})
    contacts = {c.name: c for c in people.emergency_contacts(ctx.store.conn, client_id)}
    dana = contacts["Dana Chen"]
    edit_contact(ctx, client_id, dana.id, {"name": "Dana Chen-Wu", "phone": dana.phone})
    state = ConsentState(True, True, {c.id: c.name != "Dana Chen" for c in contacts.values()})
    record_consent(ctx, client_id, state, date(2026, 11, 21))


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _on_client(client_id: int, *keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(ClientScreen(client_id))
        await _settle(pilot)
        await pilot.press(*keys)
        await _settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_intake_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, _, _ = _scene(tmp_path)
    keys = ["f7", *"C-2044", "tab", *"Jamie Ortiz", "tab", "tab", *"they/them", "tab", *"1999-13"]
    assert snap_compare(app, terminal_size=size, press=keys)


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_consent_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id, _ = _scene(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_on_client(client_id, "g"))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_care_team_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id, _ = _scene(tmp_path, login="hcho")
    assert snap_compare(app, terminal_size=size, run_before=_on_client(client_id, "t"))


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_alert_match(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, _, alert_id = _scene(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        with app.services.store.read() as conn:
            alert = alert_rows.alert_by_id(conn, alert_id)
        assert alert is not None
        await app.push_screen(AlertMatchScreen(alert))
        await _settle(pilot)
        await pilot.press(*"grace", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_record_history(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, client_id, _ = _scene(tmp_path, edits=True)
    assert snap_compare(app, terminal_size=size, run_before=_on_client(client_id, "h"))
