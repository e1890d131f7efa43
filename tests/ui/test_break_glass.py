"""The break-the-glass dialog: a reason opens a record outside one's care, and is audited."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.access import OutsideCare, can_open_client
from oncall.services.views import view_client
from oncall.store.audit import audit_entries
from oncall.ui.screens.break_glass import BreakGlassScreen, offer_break_glass


async def test_a_reason_opens_the_record_and_escape_does_not(clinic: Clinic) -> None:
    client = clinic.clients["C-2"]
    bob = clinic.ctx("bob")
    with pytest.raises(OutsideCare) as refused:
        view_client(bob, client)
    assert refused.value.client_id == client and refused.value.client_ref == "C-2"
    opened: list[bool] = []
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        offer_break_glass(app.screen, app.services, refused.value, lambda: opened.append(True))
        await pilot.pause()
        assert isinstance(app.screen, BreakGlassScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BreakGlassScreen) and opened == []
        offer_break_glass(app.screen, app.services, refused.value, lambda: opened.append(True))
        await pilot.pause()
        await pilot.press(*"why", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        error = str(app.screen.query_one("#glass-error", Static).render())
        assert "Say why you need this record" in error and opened == []
        await pilot.press(*" - the client asked for Bob by name", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert opened == [True] and not isinstance(app.screen, BreakGlassScreen)
    assert can_open_client(bob, client)
    with clinic.store.read() as conn:
        glass = [
            e for e in audit_entries(conn, client_id=client) if e.action == "access.break_glass"
        ]
    assert glass[0].detail["reason"] == "why - the client asked for Bob by name"


async def test_an_episode_outside_ones_care_offers_the_glass_and_opens_after(
    clinic: Clinic,
) -> None:
    from conftest import alert_record
    from oncall.services.alerts import acknowledge_alert, ingest_records
    from oncall.ui.screens.episode import EpisodeScreen
    from oncall.ui.widgets.client_header import ClientHeader

    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id="g1", client_ref="C-2")], origin="t"
    ).accepted_ids
    episode = acknowledge_alert(clinic.ctx("alice"), alert_id).episode
    assert episode is not None
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode.id))
        await pilot.pause()
        assert isinstance(app.screen, BreakGlassScreen)
        await pilot.press(*"covering for Alice tonight", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, EpisodeScreen)
        header = str(app.screen.query_one(ClientHeader).render())
        assert "Casey Sample" in header
