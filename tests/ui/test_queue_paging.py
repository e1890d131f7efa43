"""A long queue is paged from SQLite: the table holds one screenful and moves through the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual import events

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import ingest_records
from oncall.store import people
from oncall.store.errors import DatabaseLocked
from oncall.ui.app import OnCallApp
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.widgets.queue_table import QueueTable

COUNT = 300


def seed_long_queue(clinic: Clinic) -> None:
    """COUNT clients with a moderate alert each, one a second apart: queue order is arrival.

    (The queue shows a client once, so a long queue needs as many clients.)
    """
    with clinic.store.write() as conn:
        for number in range(COUNT):
            people.insert_client(conn, {"external_ref": f"P-{number:04d}", "name": f"Pat {number}"})
    records = []
    for number in range(COUNT):
        records.append(
            alert_record(id=f"p-{number:04d}", severity="moderate", client_ref=f"P-{number:04d}")
        )
    # Ingest one by one so each gets its own received time (the order to check).
    for record in records:
        ingest_records(clinic.ctx(), [record], origin="test")
        clinic.clock.advance(timedelta(seconds=1))


def external_ids(app: OnCallApp) -> list[str]:
    """The alerts in the table, in order."""
    return [row.alert.external_id for row in queue_of(app).rows_shown]


def queue_of(app: OnCallApp) -> QueueTable:
    """The dashboard's queue table."""
    assert isinstance(app.screen, DashboardScreen)
    return app.screen.queue


def title(app: OnCallApp) -> str:
    """The line above the queue."""
    return str(app.screen.query_one("#queue-title").render())


async def test_the_table_holds_one_screenful_and_pages_through_the_rest(clinic: Clinic) -> None:
    seed_long_queue(clinic)
    settings = replace(clinic.settings, idle_lock_minutes=0)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = queue_of(app)
        shown = table.row_count
        assert 10 <= shown <= 36  # one screen, not 300 rows
        assert external_ids(app)[0] == "p-0000"
        assert f"{COUNT} clients" in title(app) and f"(rows 1–{shown})" in title(app)

        # Down past the last row moves the window one row.
        for _ in range(shown):
            await pilot.press("down")
        assert external_ids(app)[0] == "p-0001"
        assert table.selected_alert is not None
        assert table.selected_alert.external_id == f"p-{shown:04d}"

        await pilot.press("pagedown")
        assert external_ids(app)[0] == f"p-{1 + shown:04d}"
        assert table.row_count == shown

        await pilot.press("ctrl+end")
        assert external_ids(app)[-1] == f"p-{COUNT - 1:04d}"
        assert table.selected_alert is not None
        assert table.selected_alert.external_id == f"p-{COUNT - 1:04d}"
        assert f"(rows {COUNT - shown + 1}–{COUNT})" in title(app)

        await pilot.press("pageup")
        assert external_ids(app)[-1] == f"p-{COUNT - 1 - shown:04d}"

        await pilot.press("ctrl+home")
        assert external_ids(app)[0] == "p-0000"
        await pilot.press("up")  # at the top: nothing above
        assert external_ids(app)[0] == "p-0000"

        # The wheel moves the window too.
        table.post_message(events.MouseScrollDown(table, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert external_ids(app)[0] == "p-0003"
        app.services.store.close()


async def test_a_click_selects_and_a_new_alert_keeps_the_selection(clinic: Clinic) -> None:
    seed_long_queue(clinic)
    settings = replace(clinic.settings, idle_lock_minutes=0)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = queue_of(app)
        await pilot.click(QueueTable, offset=(5, 4))  # header is row 0: the 4th alert
        assert table.selected_alert is not None
        chosen = table.selected_alert.external_id
        assert chosen == "p-0003"
        # A more urgent alert arrives above it; the cursor stays on the same alert.
        ingest_records(clinic.ctx(), [alert_record(id="urgent", severity="imminent")], origin="t")
        await pilot.pause(0.6)
        assert external_ids(app)[0] == "urgent"
        assert table.selected_alert.external_id == chosen
        app.services.store.close()


async def test_a_database_error_while_paging_is_a_message(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_long_queue(clinic)
    settings = replace(clinic.settings, idle_lock_minutes=0)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = queue_of(app)

        def busy(*_: object) -> list[object]:
            raise DatabaseLocked("The database is busy in another process.")

        monkeypatch.setattr(table.source, "after", busy)
        await pilot.press("pagedown")
        await pilot.pause()
        assert app.is_running
        assert any("busy" in n.message for n in app._notifications)
        assert external_ids(app)[0] == "p-0000"  # the rows shown stay as they were
        app.services.store.close()
