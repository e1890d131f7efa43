"""Triage from the queue itself: the summary, when it happened, one row per client, and the
cursor brought back to the top when something more urgent arrived while away."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from console_helpers import wait_until
from episode_helpers import settle

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.ui.app import OnCallApp
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.widgets.queue_table import QueueTable

PILLS = "Caller has pills in hand; [bold]alone[/] at home, sister on the way"


def arrive(clinic: Clinic, external_id: str, **fields: Any) -> int:
    """One alert through ingest; a minute passes after it. Its id."""
    record = alert_record(id=external_id, **fields)
    accepted = ingest_records(clinic.ctx(), [record], origin="test").accepted_ids
    clinic.clock.advance(timedelta(minutes=1))
    return accepted[0]


def console(clinic: Clinic, *, privacy: bool = False) -> OnCallApp:
    """Alice's console; the idle lock is off (these tests move the clock)."""
    settings = replace(clinic.settings, idle_lock_minutes=0, privacy_mode=privacy)
    return make_app(settings, actor="alice", clock=clinic.clock)


def _queue(app: OnCallApp) -> QueueTable:
    """The queue table, whatever screen is on top."""
    for screen in app.screen_stack:
        if isinstance(screen, DashboardScreen):
            return screen.queue
    raise AssertionError("no dashboard")


def column(app: OnCallApp, key: str) -> list[str]:
    """Column `key` of every row shown, as text."""
    queue = _queue(app)
    index = queue.column_keys.index(key)
    return [str(queue.get_row_at(row)[index]) for row in range(queue.row_count)]


def screen_text(app: OnCallApp) -> str:
    """What the terminal shows (the SVG export writes spaces as &#160;)."""
    return app.export_screenshot().replace("&#160;", " ")


async def test_the_summary_is_in_the_queue_cut_to_fit_80_columns(clinic: Clinic) -> None:
    arrive(clinic, "pills", severity="imminent", kind="overdose", summary=PILLS)
    app = console(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        (summary,) = column(app, "summary")
        assert summary == PILLS
        # One line of 80 columns: severity, name and the start of the summary, cut with …
        line = next(s for s in screen_text(app).splitlines() if "Caller has pills" in s)
        assert "IMMINENT" in line and "Jordan Test" in line and "…" in line
        assert "sister" not in line
        app.services.store.close()


async def test_a_wide_terminal_shows_the_whole_summary(clinic: Clinic) -> None:
    arrive(clinic, "pills", severity="imminent", kind="overdose", summary=PILLS)
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # Text, not markup: the brackets are shown as they came.
        assert "Caller has pills in hand; [bold]alone[/] at" in screen_text(app)
        app.services.store.close()


async def test_privacy_mode_shows_initials_and_hides_the_summary(clinic: Clinic) -> None:
    arrive(clinic, "pills", severity="imminent", summary=PILLS)
    arrive(clinic, "later", severity="low", summary="Missed check-in")
    app = console(clinic, privacy=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert column(app, "client") == ["J.T. ×2"]
        assert column(app, "summary") == ["hidden: privacy mode"]
        shown = screen_text(app)
        assert "pills" not in shown and "Jordan" not in shown
        app.services.store.close()


async def test_age_counts_from_when_it_happened_not_when_it_arrived(clinic: Clinic) -> None:
    # Delivered now, three days and two hours after it happened (a feed catching up).
    late = (clinic.clock.now() - timedelta(days=3, hours=2)).isoformat()
    arrive(clinic, "late", severity="high", occurred_at=late, client_ref="C-2")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert column(app, "occurred") == ["3d02h"]
        app.services.store.close()


async def test_one_row_per_client_with_their_full_name_and_open_alerts(clinic: Clinic) -> None:
    with clinic.store.write() as conn:
        conn.execute("UPDATE clients SET preferred_name = 'JT' WHERE external_ref = 'C-1'")
    for number in range(3):
        arrive(clinic, f"c1-{number}", severity="moderate")
    arrive(clinic, "c2", severity="high", client_ref="C-2")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert column(app, "client") == ["Casey Sample", "Jordan Test ×3"]
        title = str(app.screen.query_one("#queue-title").render())
        assert "2 clients, 4 alerts, 4 waiting" in title
        app.services.store.close()


def in_episode(app: OnCallApp) -> bool:
    """Whether an episode screen is open (its location form may be on top of it)."""
    return any(isinstance(screen, EpisodeScreen) for screen in app.screen_stack)


async def back_to_queue(pilot: Any, app: OnCallApp) -> None:
    """Escape out of the location form and the episode."""
    while not isinstance(app.screen, DashboardScreen):
        await pilot.press("escape")
        await pilot.pause()
    await settle(pilot)


async def test_back_from_an_episode_the_cursor_goes_to_a_more_urgent_arrival(
    clinic: Clinic,
) -> None:
    for ref in ("C-2", "C-3"):
        arrive(clinic, f"first-{ref}", severity="high", client_ref=ref)
    mine = arrive(clinic, "mine", severity="moderate", client_ref="C-1")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "a")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: in_episode(app))
        # Less urgent than the row the clinician left: the cursor stays where it was.
        arrive(clinic, "low", severity="low", client_ref="X-1")
        await pilot.pause(0.5)
        await back_to_queue(pilot, app)
        selected = _queue(app).selected
        assert selected is not None and selected.alert.id == mine
        # An imminent one while away: back on the queue, the cursor is on the top row.
        await pilot.press("enter")
        await wait_until(pilot, lambda: in_episode(app))
        arrive(clinic, "urgent", severity="imminent", client_ref="X-2")
        await pilot.pause(0.5)
        await back_to_queue(pilot, app)
        selected = _queue(app).selected
        assert _queue(app).cursor_row == 0
        assert selected is not None and selected.alert.external_id == "urgent"
        app.services.store.close()


async def test_after_a_claim_the_cursor_stays_with_the_client_and_enter_opens_the_episode(
    clinic: Clinic,
) -> None:
    arrive(clinic, "c1-imm", severity="imminent")
    arrive(clinic, "c2-mod", severity="moderate", client_ref="C-2")
    arrive(clinic, "c1-low", severity="low")
    app = console(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert column(app, "client") == ["Jordan Test ×2", "Casey Sample"]
        await pilot.press("a")  # claims the imminent alert; the low one still waits
        await settle(pilot)
        # The row now shows the waiting low alert, below C-2's; the cursor went with it.
        assert column(app, "client") == ["Casey Sample", "Jordan Test ×2"]
        row = _queue(app).selected
        assert row is not None and row.alert.external_id == "c1-low"
        assert (row.counts.open_alerts, row.counts.waiting) == (2, 1)
        # Who holds the client is not lost behind the waiting alert: ✓ after the time left.
        assert row.acknowledged_by == "Alice Rivera"
        assert column(app, "left")[1].endswith("✓")
        await pilot.press("enter")  # the episode the claim opened, not "acknowledge first"
        await wait_until(pilot, lambda: in_episode(app))
        app.services.store.close()


async def test_a_wide_queue_names_who_holds_the_client_of_a_waiting_alert(clinic: Clinic) -> None:
    first = arrive(clinic, "c1-imm", severity="imminent")
    arrive(clinic, "c1-low", severity="low")
    acknowledge_alert(clinic.ctx("bob"), first)
    app = console(clinic)
    async with app.run_test(size=(160, 36)) as pilot:
        await settle(pilot)
        assert column(app, "status") == ["new"]  # the low alert still waits for a claim
        assert column(app, "by") == ["(Bob Okafor)"]  # …and Bob already has the client
        assert column(app, "source") == ["app"]
        app.services.store.close()
