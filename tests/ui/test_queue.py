"""The live queue (W1) in a running console: order, acknowledging, live refresh, failures."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from console_helpers import notices, wait_until

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store.errors import DatabaseLocked, StoreError
from oncall.ui.app import OnCallApp
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.widgets.queue_table import QueueTable
from oncall.ui.widgets.status_line import StatusLine

SEVERITIES = ["low", "high", "imminent", "moderate", "high"]
WIDE = (160, 36)
"""Wide enough for the source, status and acknowledger columns (full names)."""


def seed_alerts(clinic: Clinic, severities: list[str] = SEVERITIES) -> None:
    """One alert per severity, a minute apart, for client C-1..C-3 in turn."""
    for number, severity in enumerate(severities, 1):
        record = alert_record(id=f"q-{number}", severity=severity, client_ref=f"C-{number % 3 + 1}")
        ingest_records(clinic.ctx(), [record], origin="test")
        clinic.clock.advance(timedelta(minutes=1))


def console(clinic: Clinic, login: str = "alice") -> OnCallApp:
    """A console acting as `login` on the clinic's database file (its own connection).

    The idle lock is off: these tests move the frozen clock by hours.
    """
    settings = replace(clinic.settings, idle_lock_minutes=0)
    return make_app(settings, actor=login, clock=clinic.clock)


def queue_of(app: OnCallApp) -> QueueTable:
    """The dashboard's queue table."""
    assert isinstance(app.screen, DashboardScreen)
    return app.screen.queue


def cells(app: OnCallApp) -> list[list[str]]:
    """The queue as displayed: one list of cell texts per row."""
    table = queue_of(app)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def cell(app: OnCallApp, row: int, key: str) -> str:
    """The text of column `key` ("by", "left", …) in queue row `row`."""
    return cells(app)[row][queue_of(app).column_keys.index(key)]


def status_text(app: OnCallApp) -> str:
    """What the status line says."""
    return str(app.screen.query_one(StatusLine).render())


async def test_queue_shows_one_row_per_client_by_severity_then_age(clinic: Clinic) -> None:
    seed_alerts(clinic)
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        rows = cells(app)
        # C-1 has the imminent alert; C-3 two highs (the older shown); C-2 a moderate and a low.
        assert [r[0] for r in rows] == ["IMMINENT", "HIGH", "MODERATE"]
        assert [cell(app, i, "client") for i in range(3)] == [
            "Jordan Test",
            "Riley Example ×2",
            "Casey Sample ×2",
        ]
        assert [row.alert.external_id for row in queue_of(app).rows_shown] == ["q-3", "q-2", "q-4"]
        assert cell(app, 0, "kind") == "suicidal ideation"
        title = str(app.screen.query_one("#queue-title").render())
        assert "3 clients, 5 alerts, 5 waiting" in title
        app.services.store.close()


async def test_countdown_moves_and_turns_to_over(clinic: Clinic) -> None:
    seed_alerts(clinic, ["imminent"])
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        before = cell(app, 0, "left")
        clinic.clock.advance(timedelta(hours=1))
        await wait_until(pilot, lambda: cell(app, 0, "left") != before)
        assert cell(app, 0, "left").endswith("over")
        # The breach count is re-read in a worker each second, after the row's countdown.
        title = app.screen.query_one("#queue-title")
        await wait_until(pilot, lambda: "past deadline" in str(title.render()))
        assert "1 past deadline" in str(title.render())
        app.services.store.close()


async def test_a_acknowledges_and_the_row_says_who(clinic: Clinic) -> None:
    seed_alerts(clinic)
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await wait_until(pilot, lambda: cell(app, 0, "by") == "Alice Rivera")
        assert cell(app, 0, "status") == "acknowledged"
        assert any("episode #" in n for n in notices(app))
        assert "My open episodes: 1" in str(app.screen.query_one("#episodes-title").render())
        app.services.store.close()


async def test_other_console_sees_an_acknowledgement_without_a_key(clinic: Clinic) -> None:
    seed_alerts(clinic)
    alice, bob = console(clinic, "alice"), console(clinic, "bob")
    async with alice.run_test(size=WIDE) as alice_pilot, bob.run_test(size=WIDE):
        await alice_pilot.pause()
        await alice_pilot.press("a")
        await alice.workers.wait_for_complete()
        # No key is pressed in Bob's console: polling alone must bring the change in.
        await wait_until(alice_pilot, lambda: cell(bob, 0, "by") == "Alice Rivera")
        alice.services.store.close()
        bob.services.store.close()


async def test_an_alert_from_oncall_ingest_appears_without_a_key(
    clinic: Clinic, tmp_path: Path
) -> None:
    seed_alerts(clinic, ["low"])
    feed = tmp_path / "alerts.json"
    record = {
        "id": "proc-1",
        "source": "hotline",
        "client_ref": "C-2",
        "kind": "overdose",
        "severity": "imminent",
        "summary": "Roommate reports client unresponsive",
        "occurred_at": "2026-11-22T02:58:00-08:00",
    }
    feed.write_text(json.dumps([record]))
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert len(cells(app)) == 1
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oncall.cli", "ingest", "--db", str(clinic.store.path), str(feed),
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert await process.wait() == 0
        # The same client as the alert already queued: their row takes it, one row still.
        await wait_until(pilot, lambda: cells(app)[0][0] == "IMMINENT")
        # (the subprocess stamps it with the real clock, so only what it is can be checked)
        assert len(cells(app)) == 1
        assert [cell(app, 0, key) for key in ("severity", "client", "kind", "source")] == [
            "IMMINENT",
            "Casey Sample ×2",
            "overdose",
            "hotline",
        ]
        app.services.store.close()


async def test_lost_race_names_the_winner(clinic: Clinic) -> None:
    seed_alerts(clinic)
    alice, bob = console(clinic, "alice"), console(clinic, "bob")
    async with (
        alice.run_test(size=WIDE) as alice_pilot,
        bob.run_test(size=WIDE) as bob_pilot,
    ):
        await alice_pilot.pause()
        await bob_pilot.pause()
        # Both press `a` on the same alert before either console refreshes.
        await asyncio.gather(alice_pilot.press("a"), bob_pilot.press("a"))
        await alice.workers.wait_for_complete()
        await bob.workers.wait_for_complete()
        await wait_until(
            alice_pilot, lambda: cell(alice, 0, "by") != "" and cell(bob, 0, "by") != ""
        )
        winner = cell(alice, 0, "by")
        loser = bob if winner == "Alice Rivera" else alice
        assert any(f"already acknowledged by {winner}" in n for n in notices(loser))
        assert cell(loser, 0, "by") == winner
        alice.services.store.close()
        bob.services.store.close()


async def test_acknowledging_twice_says_it_was_already_done(clinic: Clinic) -> None:
    first = ingest_records(clinic.ctx(), [alert_record(id="x", severity="imminent")], origin="t")
    acknowledge_alert(clinic.ctx("sue"), first.accepted_ids[0])
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert cell(app, 0, "by") == "Sue Lindqvist"
        await pilot.press("a")
        await wait_until(pilot, lambda: any("by Sue Lindqvist" in n for n in notices(app)))
        app.services.store.close()


async def test_a_failing_refresh_says_stale_and_recovers(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_alerts(clinic)
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "data as of 03:05:00" in status_text(app)
        store = app.services.store

        def locked() -> int:
            raise DatabaseLocked("The database is busy in another process.")

        monkeypatch.setattr(store, "data_version", locked)
        await wait_until(pilot, lambda: "STALE" in status_text(app))
        assert "last refreshed 03:05:00" in status_text(app)
        assert "database is busy" in status_text(app)
        monkeypatch.undo()
        clinic.clock.advance(timedelta(seconds=3))
        await wait_until(pilot, lambda: "data as of 03:05:03" in status_text(app))
        assert app.is_running
        app.services.store.close()


async def test_a_write_lock_held_elsewhere_makes_the_status_stale_not_a_crash(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("oncall.store.db.BUSY_TIMEOUT_S", 2.0)
    seed_alerts(clinic)
    app = console(clinic)
    blocker = sqlite3.connect(clinic.store.path, isolation_level=None)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        blocker.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
        try:
            await pilot.press("a")  # the acknowledgement waits for the lock; polling waits too
            clinic.clock.advance(timedelta(seconds=app.services.settings.stale_after_s + 1))
            await wait_until(pilot, lambda: "STALE" in status_text(app), timeout=1.5)
            # The acknowledgement gives up after the busy timeout and says why; meanwhile the
            # console keeps answering: the event loop is never the one waiting for the lock.
            give_up = time.monotonic() + 5
            while not any("busy" in n for n in notices(app)):
                assert time.monotonic() < give_up
                start = time.monotonic()
                await pilot.pause(0.05)
                assert time.monotonic() - start < 0.5
        finally:
            blocker.execute("ROLLBACK")
        await wait_until(pilot, lambda: "data as of" in status_text(app))
        assert cell(app, 0, "by") == ""  # nothing was claimed, and it says so
        assert app.is_running
        app.services.store.close()
    blocker.close()


@pytest.mark.parametrize(
    "error",
    [StoreError("The disk is on fire."), RuntimeError("Jordan Test +1-714-555-0142")],
    ids=["store-error", "unexpected"],
)
async def test_a_service_failure_is_a_message_not_a_traceback(
    clinic: Clinic,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    error: Exception,
) -> None:
    monkeypatch.setenv("ONCALL_LOG_DIR", str(tmp_path / "logs"))
    seed_alerts(clinic)

    def fail(*_: object) -> None:
        raise error

    monkeypatch.setattr("oncall.services.alerts.acknowledge_alert", fail)
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.return_code is None
        shown = " ".join(notices(app))
        if isinstance(error, StoreError):
            assert "The disk is on fire." in shown
        else:
            assert "incident" in shown and "Jordan Test" not in shown
            (report,) = (tmp_path / "logs").iterdir()
            assert report.stat().st_mode & 0o777 == 0o600
            text = report.read_text()
            assert "builtins.RuntimeError" in text and "in fail" in text
            assert "Jordan" not in text and "555" not in text
        app.services.store.close()


async def test_a_second_click_on_a_row_opens_its_episode_as_enter_does(clinic: Clinic) -> None:
    from oncall.ui.screens.episode import EpisodeScreen

    seed_alerts(clinic)
    app = console(clinic)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("a")  # acknowledges the top alert: its episode opens
        await wait_until(pilot, lambda: cell(app, 0, "by") == "Alice Rivera")
        await pilot.click(QueueTable, offset=(5, 2))  # the second alert: selected, not opened
        assert queue_of(app).cursor_row == 1
        await pilot.pause()
        assert not any("no episode yet" in n for n in notices(app))
        await pilot.click(QueueTable, offset=(5, 2))  # again: it has no episode yet
        await wait_until(pilot, lambda: any("no episode yet" in n for n in notices(app)))
        await pilot.click(QueueTable, offset=(5, 1))
        await pilot.click(QueueTable, offset=(5, 1))
        await wait_until(pilot, lambda: any(isinstance(s, EpisodeScreen) for s in app.screen_stack))
        app.services.store.close()
