"""Acting from the supervisor board: the cursor holds, Enter opens, a acks, r reassigns, p pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from console_helpers import notices, wait_until
from textual.pilot import Pilot
from textual.widgets import OptionList

from conftest import Clinic, alert_record
from followup_support import closed_episode_follow_ups
from oncall.cli import make_app
from oncall.domain.types import FollowUpKind
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.ui.app import OnCallApp
from oncall.ui.screens.colleague_chooser import ColleagueChooser
from oncall.ui.screens.supervisor import SupervisorScreen
from oncall.ui.widgets.board_table import BoardTable
from scheduling_support import open_episode

HANDOFF = {"org": "988 Orange County", "reference": "988-31", "callback": "+1-714-555-0101"}


def _ingest(clinic: Clinic, *records: dict[str, object]) -> list[int]:
    return ingest_records(
        clinic.ctx("alice"), [alert_record(**r) for r in records], origin="t"
    ).accepted_ids


def _board(clinic: Clinic) -> OnCallApp:
    return make_app(clinic.settings, actor="sue", clock=clinic.clock, board=True)


def _table(app: OnCallApp, table_id: str) -> BoardTable:
    return app.screen.query_one(f"#{table_id}", BoardTable)


async def _choose(app: OnCallApp, pilot: object, staff_id: int) -> None:
    """In the colleague chooser, highlight `staff_id` and press Enter."""
    assert isinstance(app.screen, ColleagueChooser)
    options = app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(str(staff_id))
    await pilot.press("enter")  # type: ignore[attr-defined]


def _outbox(clinic: Clinic) -> list[tuple[str, dict[str, object]]]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT target, payload FROM outbox ORDER BY id").fetchall()
    return [(r[0], json.loads(r[1])) for r in rows]


async def test_the_cursor_and_scroll_stay_on_the_same_alert_across_refreshes(
    clinic: Clinic,
) -> None:
    ids = _ingest(clinic, *({"id": f"m{n}", "client_ref": f"X-{n:02}"} for n in range(30)))
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        waiting = _table(app, "waiting")
        assert waiting.row_count == 30
        waiting.focus()
        await pilot.press(*["down"] * 20)
        chosen = waiting.selected_key
        assert chosen == f"alert-{ids[20]}"
        scrolled = waiting.scroll_y
        assert scrolled > 0  # the pane shows fewer than 21 rows: it had to scroll
        # The board's clock redraws every second; the cursor and the view stay put.
        age = str(waiting.get_row_at(20)[3])
        clinic.clock.advance(timedelta(minutes=1))
        await wait_until(pilot, lambda: str(waiting.get_row_at(20)[3]) != age)
        assert waiting.selected_key == chosen and waiting.scroll_y == scrolled
        # Another process adds a more urgent alert above it, and acknowledges one above it.
        _ingest(clinic, {"id": "urgent", "client_ref": "X-99", "severity": "imminent"})
        await wait_until(pilot, lambda: waiting.row_count == 31)
        assert waiting.selected_key == chosen
        assert waiting.cursor_row == 21
        await wait_until(pilot, lambda: waiting.scroll_y == scrolled + 1)
        acknowledge_alert(clinic.ctx("bob"), ids[0])
        await wait_until(pilot, lambda: waiting.row_count == 30)
        assert waiting.selected_key == chosen and waiting.cursor_row == 20
        # The alert under the cursor goes: the cursor stays at its place, on the next row.
        acknowledge_alert(clinic.ctx("bob"), ids[20])
        await wait_until(pilot, lambda: waiting.row_count == 29)
        assert waiting.selected_key == f"alert-{ids[21]}"


async def test_a_breached_moderate_alert_heads_the_board(clinic: Clinic) -> None:
    _ingest(clinic, {"id": "old", "severity": "moderate", "client_ref": "C-1"})
    clinic.clock.advance(timedelta(days=2))
    _ingest(clinic, {"id": "new", "severity": "high", "client_ref": "C-2"})
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        waiting = _table(app, "waiting")
        rows = [[str(cell) for cell in waiting.get_row_at(i)] for i in range(waiting.row_count)]
        assert [r[1] for r in rows] == ["Jordan Test", "Casey Sample"]
        assert rows[0][4].startswith("-")  # past its deadline


async def test_enter_opens_the_alerts_episode_the_handoff_and_the_follow_up(
    clinic: Clinic,
) -> None:
    from oncall.ui.screens.episode import EpisodeScreen
    from oncall.ui.screens.follow_up import FollowUpScreen

    [fu] = closed_episode_follow_ups(
        clinic, [FollowUpKind.CONTACT_24H], client_ref="C-3", due_in=timedelta(hours=-2)
    )
    episode_id = open_episode(clinic, login="alice", client_ref="C-1")
    ids = _ingest(
        clinic,
        {"id": "again", "client_ref": "C-1"},
        {"id": "fresh", "client_ref": "C-2", "source": "hotline", "handoff": HANDOFF},
    )
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        waiting = _table(app, "waiting")
        waiting.focus()
        assert waiting.select_key(f"alert-{ids[1]}")
        await pilot.press("enter")
        assert isinstance(app.screen, SupervisorScreen)
        assert "has no episode yet" in notices(app)[-1]
        assert waiting.select_key(f"alert-{ids[0]}")
        await pilot.press("enter")
        await pilot.pause()
        # (the episode asks for the client's location on top of it)
        [opened] = [s for s in app.screen_stack if isinstance(s, EpisodeScreen)]
        assert opened.episode_id == episode_id
        while not isinstance(app.screen, SupervisorScreen):
            await app.pop_screen()
        await pilot.pause()
        _table(app, "episodes").focus()
        await pilot.press("enter")
        await pilot.pause()
        [opened] = [s for s in app.screen_stack if isinstance(s, EpisodeScreen)]
        assert opened.episode_id == episode_id
        while not isinstance(app.screen, SupervisorScreen):
            await app.pop_screen()
        await pilot.pause()
        overdue = _table(app, "overdue")
        overdue.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpScreen)
        assert app.screen.follow_up_id == fu


async def test_a_acknowledges_the_selected_alert_not_the_first(clinic: Clinic) -> None:
    ids = _ingest(
        clinic,
        {"id": "first", "client_ref": "C-1", "severity": "imminent"},
        {"id": "second", "client_ref": "C-2"},
    )
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        waiting = _table(app, "waiting")
        waiting.focus()
        await pilot.press("down", "a")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: waiting.row_count == 1)
        assert waiting.selected_key == f"alert-{ids[0]}"
        assert any("You acknowledged alert 2" in n for n in notices(app))
    with clinic.store.read() as conn:
        status = conn.execute("SELECT acknowledged_by FROM alerts WHERE id = ?", (ids[1],))
        assert status.fetchone()[0] == clinic.staff["sue"].id


async def test_r_reassigns_an_alert_an_episode_and_a_follow_up_to_a_chosen_colleague(
    clinic: Clinic,
) -> None:
    [fu] = closed_episode_follow_ups(
        clinic, [FollowUpKind.CONTACT_24H], client_ref="C-3", due_in=timedelta(hours=-2)
    )
    handoff_alert = _ingest(
        clinic,
        {"id": "h", "client_ref": "C-2", "source": "hotline", "handoff": HANDOFF},
    )[0]
    episode = acknowledge_alert(clinic.ctx("alice"), handoff_alert).episode
    assert episode is not None
    [alert_id] = _ingest(clinic, {"id": "w", "client_ref": "C-1"})
    bob = clinic.staff["bob"]
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        _table(app, "waiting").focus()
        await pilot.press("r")
        assert "alert 3" in app.screen.title_text  # type: ignore[attr-defined]
        await _choose(app, pilot, bob.id)
        await app.workers.wait_for_complete()
        await wait_until(
            pilot, lambda: str(_table(app, "waiting").get_row_at(0)[1]) == "→BO Jordan Test"
        )
        _table(app, "episodes").focus()
        await pilot.press("r")
        await _choose(app, pilot, bob.id)
        await app.workers.wait_for_complete()
        await wait_until(
            pilot, lambda: str(_table(app, "episodes").get_row_at(0)[1]) == "Bob Okafor"
        )
        _table(app, "overdue").focus()
        await pilot.press("r", "escape")  # changed their mind: nothing happens
        assert isinstance(app.screen, SupervisorScreen)
        await pilot.press("r")
        await _choose(app, pilot, bob.id)
        await app.workers.wait_for_complete()
        await wait_until(
            pilot, lambda: str(_table(app, "overdue").get_row_at(0)[3]) == "Bob Okafor"
        )
    with clinic.store.read() as conn:
        owner = episode_rows.episode_by_id(conn, episode.id)
        follow_up = follow_up_rows.follow_up_by_id(conn, fu)
    assert owner is not None and owner.opened_by == bob.id
    assert follow_up is not None and follow_up.assignee_id == bob.id
    pages = _outbox(clinic)
    assert [(t, p.get("alert_id"), p.get("episode_id")) for t, p in pages] == [
        ("staff:bob", alert_id, None),
        ("staff:bob", None, episode.id),
    ]


async def test_p_pages_a_chosen_colleague_about_the_selected_alert(clinic: Clinic) -> None:
    [alert_id] = _ingest(clinic, {"id": "p", "client_ref": "C-1", "severity": "imminent"})
    pat = clinic.staff["pat"]
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        _table(app, "waiting").focus()
        await pilot.press("p")
        assert isinstance(app.screen, ColleagueChooser)
        await _choose(app, pilot, pat.id)
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: any("pages Pat Moreno" in n for n in notices(app)))
    [(target, payload)] = _outbox(clinic)
    assert target == "staff:pat" and payload["alert_id"] == alert_id
    with clinic.store.read() as conn:
        audited = conn.execute("SELECT actor FROM audit_log WHERE action = 'page.sent'")
        assert [r[0] for r in audited] == ["sue"]


async def test_who_is_on_call_next_to_who_is_responding(clinic: Clinic) -> None:
    open_episode(clinic, login="pat", client_ref="C-1")
    clinic.clock.advance(timedelta(minutes=90))
    with clinic.store.write() as conn:
        conn.execute("DELETE FROM on_call_shifts WHERE role = 'backup'")
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = _table(app, "workload")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # The rota now (backup uncovered), then Pat, who is not on call but holds an episode
        # and has written nothing on it for 90 minutes.
        assert rows == [
            ["Alice Rivera", "primary", "0", "0", "—"],
            ["Sue Lindqvist", "sup", "0", "0", "—"],
            ["Pat Moreno", "—", "1", "0", "1h30m"],
            ["nobody", "backup", "", "", ""],
        ]
        # Enter on a person goes to their open episode; on an uncovered role, says what to do.
        table.focus()
        await pilot.press("down", "down", "enter")
        episodes = _table(app, "episodes")
        assert app.screen.focused is episodes
        assert str(episodes.get_row_at(episodes.cursor_row)[1]) == "Pat Moreno"
        table.focus()
        await pilot.press("down", "enter")
        assert "Nobody is on the rota as backup now" in notices(app)[-1]


async def test_every_board_key_is_in_the_help_and_the_footer(clinic: Clinic) -> None:
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"enter", "a", "r", "p", "f", "t", "y", "o"} <= shown
        await pilot.press("question_mark")
        texts = [text for _, text in app.screen.keys]  # type: ignore[attr-defined]
        assert "Reassign the selected alert, episode or follow-up to a named colleague" in texts
        assert "Page a colleague by hand (a backup), about the selected alert" in texts
        assert "Acknowledge (claim) the selected waiting alert" in texts


async def _watching(app: OnCallApp, pilot: Pilot[None]) -> None:
    """Wait until the console's scheduler watches for notices."""
    started = lambda: app.scheduling is not None and app.scheduling.scheduler is not None  # noqa: E731
    await wait_until(pilot, started, timeout=10)
    scheduling = app.scheduling
    assert scheduling is not None and scheduling.scheduler is not None
    assert scheduling.scheduler.ready is not None
    await scheduling.scheduler.ready  # it watches for notices from here on


def _shows(app: OnCallApp, text: str) -> Callable[[], bool]:
    return lambda: any(text in n for n in notices(app))


async def test_the_colleague_asked_is_told_in_their_own_console(clinic: Clinic) -> None:
    from dataclasses import replace

    from oncall.services.reassignment import assign_alert

    [alert_id] = _ingest(clinic, {"id": "told", "client_ref": "C-1", "severity": "imminent"})
    settings = replace(clinic.settings, idle_lock_minutes=0)
    for login, severity in (("bob", "error"), ("sue", "information")):
        app = make_app(settings, actor=login, clock=clinic.clock, scheduler=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await _watching(app, pilot)
            # Sue, elsewhere, asks Bob; then Pat (so Sue's console has one to show too).
            asked = clinic.staff["bob" if login == "bob" else "pat"]
            assign_alert(clinic.ctx("sue"), alert_id, asked.id)
            # The console notices another process's claim at its next poll (seconds when loaded).
            await wait_until(pilot, _shows(app, "to take it"), timeout=10)
            [shown] = [n for n in app._notifications if "to take it" in n.message]
            assert shown.title == "Alert assigned by a supervisor"
            # Urgent for the one asked; news on another supervisor's console (or its author's).
            assert shown.severity == severity
            assert "Jordan" not in shown.message  # a notice may reach a wall screen


async def test_a_page_no_target_takes_is_on_the_board_at_once_and_x_cancels_it(
    clinic: Clinic,
) -> None:
    from oncall.services.reassignment import page_colleague

    assert clinic.settings.targets == ()  # no notification target configured at all
    page_colleague(clinic.ctx("sue"), clinic.staff["pat"].id)
    app = _board(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        failing = _table(app, "failing")
        rows = [[str(c) for c in failing.get_row_at(i)] for i in range(failing.row_count)]
        # Never tried, so no attempt has failed: it is on the board because nothing takes it.
        assert len(rows) == 1 and rows[0][1] == "staff:pat", rows
        assert "no target" in rows[0][3] or "target" in rows[0][3].lower()
        failing.focus()
        await pilot.press("x")
        await pilot.press(*"Pat answered the phone", "enter")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: failing.row_count == 0)
    with clinic.store.read() as conn:
        (status,) = conn.execute("SELECT status FROM outbox").fetchone()
        audited = conn.execute("SELECT actor FROM audit_log WHERE action = 'outbox.cancelled'")
        assert status == "cancelled" and [r[0] for r in audited] == ["sue"]
