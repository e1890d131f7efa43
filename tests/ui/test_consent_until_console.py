"""Consent given until a day, in the console: the record shows its end, then that it ended."""

from __future__ import annotations

from datetime import timedelta

from episode_helpers import settle
from textual.widgets import Input, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.ui.navigation import open_client
from oncall.ui.screens.client import ClientScreen
from oncall.ui.screens.forms.consent import ConsentForm
from oncall.ui.widgets.client_summary import ClientSummary


def summary(screen: ClientScreen) -> str:
    """The client summary as shown."""
    return str(screen.query_one(ClientSummary).render())


async def test_consent_until_a_day_is_shown_and_then_lapses(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(140, 36)) as pilot:
        open_client(app, clinic.clients["C-2"])  # no consent on file
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        assert "emergency-contact disclosure NO" in summary(screen)
        await pilot.press("g")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConsentForm)
        await pilot.press("space", "tab", *"2026-11-30", "ctrl+s")  # the box, then its end
        await settle(pilot)
        assert app.screen is screen
        assert "emergency-contact disclosure YES until 2026-11-30" in summary(screen)
        await pilot.press("h")
        await settle(pilot)
        history = str(app.screen.query_one("#history-text", Static).content)
        assert (
            "consent GIVEN to disclosure to emergency contacts, dated 2026-11-22, until 2026-11-30"
            in history
        )
        await pilot.press("escape")
        await settle(pilot)
        # The end date may not be one already past.
        await pilot.press("g")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConsentForm)
        assert form.query_one("#disclosure-until", Input).value == "2026-11-30"
        form.query_one("#disclosure-until", Input).value = "2026-11-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "has passed" in str(form.query_one("#form-error").render())
        await pilot.press("escape")
        await settle(pilot)
        if app.screen is not screen:  # asked whether to discard what was typed
            await pilot.press("y")
            await settle(pilot)
        clinic.clock.advance(timedelta(days=9))  # 1 December, clinic time
        app.refresh_screen(screen)
        await settle(pilot)
        assert "emergency-contact disclosure NO (ended 2026-11-30)" in summary(screen)
