"""Unknown-client alerts in the console: matched to a client or a new client, then an episode."""

from __future__ import annotations

from dataclasses import replace

from burst import burst, keys_of
from episode_helpers import open_episode, settle, workspace
from textual.widgets import DataTable, Static

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import acknowledge_alert, create_alert
from oncall.services.client_care import assign_care
from oncall.services.drafts import my_drafts
from oncall.store import people
from oncall.ui.format import initials
from oncall.ui.hangup import keep_unsaved
from oncall.ui.screens.alert_match import AlertMatchScreen
from oncall.ui.screens.client import ClientScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.client_details import ClientDetailsForm


def _unknown(clinic: Clinic, login: str | None = "alice") -> int:
    alert = create_alert(clinic.ctx(), alert_record(id="u-1", client_ref="HL-77"))
    if login:
        acknowledge_alert(clinic.ctx(login), alert.id)
    return alert.id


def _alert_row(clinic: Clinic, alert_id: int) -> tuple[int | None, int | None]:
    with clinic.store.read() as conn:
        row = conn.execute(
            "SELECT a.client_id, e.opened_by FROM alerts a LEFT JOIN episodes e"
            " ON e.id = a.episode_id WHERE a.id = ?",
            (alert_id,),
        ).fetchone()
    return row[0], row[1]


async def test_c_on_an_unknown_alert_finds_the_client_and_opens_the_episode(
    clinic: Clinic,
) -> None:
    alert_id = _unknown(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await burst(pilot, "c", keys_of("casey"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertMatchScreen)
        await burst(pilot, "enter", "y")
        await settle(pilot)
        # The episode opened (and asks where the client is, as every episode does).
        assert any(isinstance(s, EpisodeScreen) for s in app.screen_stack)
    assert _alert_row(clinic, alert_id) == (clinic.clients["C-2"], clinic.staff["alice"].id)


async def test_ctrl_n_adds_the_client_from_the_alert_as_typed(clinic: Clinic) -> None:
    alert_id = _unknown(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        name = "Rowan {Caller} [/]"
        keys = [*keys_of(name), "tab", "tab", "tab", *keys_of("2001-01-09"), "tab"]
        await burst(pilot, "c", "ctrl+n", keys, keys_of("951 555 0123"), "ctrl+s")
        await settle(pilot)
        assert any(isinstance(s, EpisodeScreen) for s in app.screen_stack)
    client_id, opened_by = _alert_row(clinic, alert_id)
    assert client_id is not None and opened_by == clinic.staff["alice"].id
    with clinic.store.read() as conn:
        client = people.client_by_id(conn, client_id)
    assert client is not None
    assert (client.external_ref, client.name, client.date_of_birth, client.phone) == (
        "HL-77",
        name,
        "2001-01-09",
        "951 555 0123",
    )


async def test_a_waiting_unknown_alert_is_claimed_first_and_keys_follow_the_role(
    clinic: Clinic,
) -> None:
    _unknown(clinic, login=None)
    assign_care(
        clinic.ctx("sue"),
        clinic.clients["C-1"],
        primary_clinician_id=clinic.staff["alice"].id,
        team={clinic.staff["pat"].id},
        program=None,
    )
    app = make_app(clinic.settings, actor="pat", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await burst(pilot, "c")
        assert not isinstance(app.screen, AlertMatchScreen)
        assert any("Acknowledge it (a)" in n.message for n in app._notifications)
        assert "f7" not in app.screen.active_bindings
        await app.push_screen(ClientScreen(clinic.clients["C-1"]))
        await settle(pilot)
        keys = app.screen.active_bindings
        assert "d" in keys and "k" in keys and "g" not in keys and "t" not in keys
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        assert "f7" in app.screen.active_bindings
        await app.push_screen(ClientScreen(clinic.clients["C-1"]))
        await settle(pilot)
        keys = app.screen.active_bindings
        assert "g" in keys and "t" not in keys


async def test_a_supervisor_links_a_waiting_alert_and_privacy_mode_masks_the_matches(
    clinic: Clinic,
) -> None:
    alert_id = _unknown(clinic, login=None)
    settings = replace(clinic.settings, privacy_mode=True)
    app = make_app(settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await burst(pilot, "c", keys_of("casey"), "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AlertMatchScreen)
        said = str(screen.query_one("#match-alert", Static).content)
        assert "thoughts of suicide" not in said and "hidden in privacy mode" in said
        row = [str(cell) for cell in screen.query_one("#matches", DataTable).get_row_at(0)]
        assert row[:4] == ["C-2", initials("Casey Sample"), "—", "—"]
        await burst(pilot, "enter", "y")
        await settle(pilot)
    # Nobody claimed it yet: it waits in the queue, now as the client's, with no episode.
    assert _alert_row(clinic, alert_id) == (clinic.clients["C-2"], None)


async def test_a_hang_up_with_a_client_form_open_keeps_it_and_the_episode_forms_beneath(
    clinic: Clinic,
) -> None:
    """A client form open over an episode's note: both are kept, each under its own subject."""
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await burst(pilot, "n", keys_of("Called the sister"))
        await settle(pilot)
        await app.push_screen(ClientDetailsForm(app.services))
        await burst(pilot, keys_of("C-77"))
        await settle(pilot)
        assert app.screen.unsaved_work() == "New client (intake)"  # type: ignore[attr-defined]
        assert keep_unsaved(app) == 2
    kept = my_drafts(clinic.ctx("alice"))
    assert [(d.title, d.episode_id) for d in kept] == [
        ("Add a note", episode_id),
        ("New client (intake)", None),
    ]
