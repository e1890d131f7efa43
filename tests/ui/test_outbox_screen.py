"""The outbox screen says at once when a page has no target, and a supervisor re-addresses
or cancels a queued page from it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import DataTable, Label

from conftest import Clinic
from oncall.cli import make_app
from oncall.config import TargetSettings
from oncall.services.context import ServiceContext
from oncall.services.escalation import dispatcher_actor, run_due_escalations
from oncall.ui.screens.outbox import OutboxScreen
from oncall.ui.screens.text_prompt import TextPrompt
from scheduling_support import new_alert


def _escalated(clinic: Clinic) -> None:
    for _ in range(2):
        new_alert(clinic, severity="high")
    clinic.clock.advance(timedelta(minutes=5))
    ctx = ServiceContext(clinic.store, dispatcher_actor(), clinic.clock, clinic.settings)
    assert len(run_due_escalations(ctx).steps) == 2  # two pages to the backup, bob


def _rows(clinic: Clinic) -> list[tuple[str, str, str | None]]:
    return [
        (r[0], r[1], r[2])
        for r in clinic.store.query("SELECT target, status, cancelled_by FROM outbox ORDER BY id")
    ]


async def test_a_page_with_no_target_is_loud_and_can_be_readdressed_or_cancelled(
    clinic: Clinic,
) -> None:
    _escalated(clinic)
    settings = replace(
        clinic.settings,
        targets=(TargetSettings("sue-phone", "https://sms.example.org/s", staff="sue"),),
    )
    app = make_app(settings, actor="sue", clock=clinic.clock, board=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        title = str(app.screen.query_one("#outbox-title", Label).content)
        assert "2 UNDELIVERABLE: no target takes their recipient" in title
        table = app.screen.query_one("#outbox", DataTable)
        assert [str(table.get_cell_at((r, 2))) for r in range(2)] == ["staff:bob ✗ no target"] * 2
        await pilot.press("t")  # the newest first: re-address it to sue
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"sue", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, OutboxScreen)
        await pilot.press("down", "x")
        await pilot.pause()
        await pilot.press("enter")  # an empty reason is not taken
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"bob answered by phone", "enter")
        await pilot.pause(0.3)
        title = str(app.screen.query_one("#outbox-title", Label).content)
        assert "UNDELIVERABLE" not in title and "1 cancelled" in title
    assert _rows(clinic) == [("staff:bob", "cancelled", "sue"), ("staff:sue", "pending", None)]
    audit = clinic.store.query(
        "SELECT action, actor FROM audit_log WHERE action LIKE 'outbox.%' ORDER BY id"
    )
    assert [tuple(a) for a in audit] == [("outbox.readdressed", "sue"), ("outbox.cancelled", "sue")]
