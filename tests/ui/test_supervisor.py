"""The supervisor board in the running console: live, private on request, ranged figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import DataTable, Static

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.config import TargetSettings
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.ui.screens.figures_range import FiguresRangeScreen
from oncall.ui.screens.supervisor import SupervisorScreen

HANDOFF = {"org": "988 Orange County", "reference": "988-31", "callback": "+1-714-555-0101"}


def _cells(table: DataTable[object], column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def test_board_lists_waiting_alerts_and_updates_live(clinic: Clinic) -> None:
    ctx = clinic.ctx("alice")
    ids = ingest_records(
        ctx,
        [
            alert_record(id="w", severity="imminent", client_ref="C-1"),
            alert_record(id="h", client_ref="C-2", source="hotline", handoff=HANDOFF),
        ],
        origin="t",
    ).accepted_ids
    acknowledge_alert(ctx, ids[1])
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(SupervisorScreen())
        await pilot.pause()
        screen = app.screen
        waiting = screen.query_one("#waiting", DataTable)
        assert _cells(waiting, 1) == ["Jordan Test"]
        episodes = screen.query_one("#episodes", DataTable)
        assert _cells(episodes, 0) == ["Casey Sample"] and _cells(episodes, 1) == ["Alice Rivera"]
        assert _cells(episodes, 2) == ["ref 988-31"]
        figures = str(screen.query_one("#figures", Static).render())
        assert "2 alerts" in figures
        # Another process acknowledges: the board drops the alert without a key press.
        other = clinic.ctx("bob")
        acknowledge_alert(other, ids[0])
        for _ in range(20):
            await pilot.pause(0.1)
            if waiting.row_count == 0:
                break
        assert waiting.row_count == 0


async def test_privacy_mode_shows_initials(clinic: Clinic) -> None:
    from dataclasses import replace

    ingest_records(clinic.ctx(), [alert_record(id="p", client_ref="C-1")], origin="t")
    settings = replace(clinic.settings, privacy_mode=True)
    app = make_app(settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(SupervisorScreen())
        await pilot.pause()
        waiting = app.screen.query_one("#waiting", DataTable)
        assert _cells(waiting, 1) == ["J.T."]
        assert "Jordan" not in str(app.screen.query_one("#waiting", DataTable).get_row_at(0))


async def test_figures_for_a_chosen_range(clinic: Clinic) -> None:
    ingest_records(clinic.ctx(), [alert_record(id="r", client_ref="C-1")], origin="t")
    clinic.clock.advance(timedelta(days=3))
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(SupervisorScreen())
        await pilot.pause()
        figures = app.screen.query_one("#figures", Static)
        assert "0 alerts" in str(figures.render())
        await pilot.press("f")
        assert isinstance(app.screen, FiguresRangeScreen)
        await pilot.press(*"2026-11-2O")  # a typo: the letter O
        assert "must be a date" in str(app.screen.query_one("#range-error").render())
        await pilot.press("backspace", "0", "tab", *"2026-11-23", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorScreen)
        assert "1 alert " in str(app.screen.query_one("#figures", Static).render())


async def test_f9_toggles_privacy_on_the_queue_and_f2_is_for_supervisors(clinic: Clinic) -> None:
    from oncall.ui.widgets.queue_table import QueueTable

    ingest_records(clinic.ctx(), [alert_record(id="q", client_ref="C-1")], origin="t")
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        queue = app.screen.query_one(QueueTable)
        assert any("Jordan Test" in str(cell) for cell in queue.get_row_at(0))
        await pilot.press("f9")
        await pilot.pause()
        row = [str(cell) for cell in queue.get_row_at(0)]
        assert "J.T." in row and not any("Jordan" in cell for cell in row)
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, SupervisorScreen)
        # Not offered to a clinician: neither in the footer nor in the list of keys.
        assert "f2" not in app.screen.active_bindings
        await pilot.press("question_mark")
        assert "Board" not in [text for _, text in app.screen.keys]  # type: ignore[attr-defined]
    supervisor = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with supervisor.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "f2" in supervisor.screen.active_bindings
        await pilot.press("question_mark")
        assert "Board" in [text for _, text in supervisor.screen.keys]  # type: ignore[attr-defined]


async def test_f3_shows_the_shift_handoff_in_situation_actions_needs_form(clinic: Clinic) -> None:
    from oncall.ui.screens.shift_handoff import ShiftHandoffScreen

    ids = ingest_records(
        clinic.ctx(),
        [alert_record(id="s1", client_ref="C-2", source="hotline", handoff=HANDOFF)],
        origin="t",
    ).accepted_ids
    acknowledge_alert(clinic.ctx("alice"), ids[0])
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ShiftHandoffScreen)
        text = str(app.screen.query_one("#handoff-text", Static).render())
        assert "Hotline handoffs awaiting confirmation (1)" in text
        assert "Situation:" in text and "Needs:" in text and "Casey Sample" in text
        assert "confirm contact for 988 Orange County handoff 988-31" in text


async def test_supervisor_retries_a_failed_delivery_and_f4_shows_the_quarantine(
    clinic: Clinic,
) -> None:
    from oncall.store import outbox
    from oncall.ui.screens.quarantine import QuarantineScreen

    ctx = clinic.ctx("sue")
    with ctx.store.write() as conn:
        outbox.enqueue(
            conn,
            kind="escalation",
            target="pager",
            payload={},
            idempotency_key="k-retry",
            created_at=ctx.now_iso(),
        )
        conn.execute("UPDATE outbox SET status='failed', attempts=8, last_error='HTTP 503'")
    # A target takes "pager" (without one the retried page would stay on the board as
    # undeliverable, rightly).
    settings = replace(
        clinic.settings, targets=(TargetSettings("pager", "https://pager.example.org/e"),)
    )
    app = make_app(settings, actor="sue", clock=clinic.clock, board=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        failing = app.screen.query_one("#failing", DataTable)
        assert failing.row_count == 1
        await pilot.press("y")
        await app.workers.wait_for_complete()
        for _ in range(20):
            await pilot.pause(0.1)
            if failing.row_count == 0:
                break
        assert failing.row_count == 0
        with ctx.store.read() as conn:
            assert outbox.message_by_id(conn, 1)["status"] == "pending"
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, QuarantineScreen)


async def test_o_lists_every_outbound_message_with_its_state_and_last_error(
    clinic: Clinic,
) -> None:
    from oncall.store import outbox
    from oncall.ui.screens.outbox import OutboxScreen

    ctx = clinic.ctx("sue")
    with ctx.store.write() as conn:
        for key in ("k-sent", "k-failed", "k-waiting"):
            outbox.enqueue(
                conn,
                kind="escalation",
                target="pager",
                payload={},
                idempotency_key=key,
                created_at=ctx.now_iso(),
            )
        conn.execute(
            "UPDATE outbox SET status='delivered', delivered_at=created_at"
            " WHERE idempotency_key='k-sent'"
        )
        conn.execute(
            "UPDATE outbox SET status='failed', attempts=8, last_error='HTTP 503'"
            " WHERE idempotency_key='k-failed'"
        )
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock, board=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        table = app.screen.query_one("#outbox", DataTable)
        states = sorted(zip(_cells(table, 3), _cells(table, 7), strict=True))
        assert states == [("delivered", ""), ("failed", "HTTP 503"), ("pending", "")]
