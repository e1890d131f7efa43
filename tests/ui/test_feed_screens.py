"""The quarantine screen and the feed status panel in the running console."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.config import FeedSettings
from oncall.services.alerts import ingest_records
from oncall.store import feeds as feed_rows
from oncall.ui.app import OnCallApp
from oncall.ui.screens.quarantine import QuarantineScreen
from oncall.ui.widgets.feed_status import FeedStatusPanel

FEEDS = (
    FeedSettings(name="hotline", url="http://127.0.0.1:9/alerts?key=k", auth_header="${TOKEN}"),
    FeedSettings(name="app", url="http://127.0.0.1:9/app"),
)


def scene(clinic: Clinic, rejected: int = 2) -> OnCallApp:
    """Two feeds (one failing), `rejected` quarantined records, the console as a supervisor."""
    now = clinic.clock.now()
    with clinic.store.write() as conn:
        for name in ("hotline", "app"):
            feed_rows.claim_feed(conn, name, now=now, until=now, holder="t")
        feed_rows.record_success(
            conn,
            "app",
            at=now - timedelta(seconds=20),
            next_attempt_at=now + timedelta(seconds=10),
            etag=None,
            last_modified=None,
            counts=(3, 0, 0),
        )
        feed_rows.record_failure(
            conn,
            "hotline",
            at=now - timedelta(seconds=5),
            next_attempt_at=now + timedelta(seconds=25),
            error="the server answered 503 [/] Service Unavailable",
        )
    bad = [
        (n, {"id": f"bad-{n}", "source": "hotline", "severity": "[bold]urgent"})
        for n in range(1, rejected + 1)
    ]
    ingest_records(clinic.ctx(), bad, origin="feed:hotline")
    settings = replace(clinic.settings, feeds=FEEDS, idle_lock_minutes=0)
    return make_app(settings, actor="sue", clock=clinic.clock)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_quarantine_lists_each_rejected_record_with_its_reason(clinic: Clinic) -> None:
    app = scene(clinic)
    async with app.run_test(size=(140, 30)) as pilot:
        await app.push_screen(QuarantineScreen())
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[3] for row in rows] == ["bad-2", "bad-1"]
        assert all(row[1] == "feed:hotline" for row in rows)
        assert all("client_ref" in row[4] for row in rows)
        panel = str(app.screen.query_one(FeedStatusPanel).render())
        assert "hotline ● FAILING (1 in a row)" in panel
        assert "503 [/] Service Unavailable" in panel  # shown as text, not markup
        assert "app ● ok" in panel and "Quarantine 2 record(s)" in panel
        assert "key=k" not in panel
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, QuarantineScreen)
    app.services.store.close()


async def test_the_quarantine_pages_through_older_records(clinic: Clinic) -> None:
    app = scene(clinic, rejected=130)
    async with app.run_test(size=(140, 30)) as pilot:
        await app.push_screen(QuarantineScreen())
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 100 and str(table.get_row_at(0)[3]) == "bad-130"
        await pilot.press("n")
        await settle(pilot)
        assert table.row_count == 30 and str(table.get_row_at(29)[3]) == "bad-1"
        page = str(app.screen.query_one("#quarantine-page", Static).render())
        assert "page 2 of 130 record(s)" in page
        await pilot.press("n")  # no older page: stays
        await pilot.press("p")
        await settle(pilot)
        assert str(table.get_row_at(0)[3]) == "bad-130"
    app.services.store.close()


def test_quarantine_screen_snapshot(snap_compare: Any, clinic: Clinic) -> None:
    app = scene(clinic)

    async def open_quarantine(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(QuarantineScreen())
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=open_quarantine)
    app.services.store.close()
