"""The client screen (W8): the plan in the client's words, versions, review, compare, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from episode_helpers import open_episode, settle
from rich.console import Console
from textual.app import App
from textual.widgets import DataTable, Select, Static, TextArea

from conftest import Clinic
from oncall.cli import make_app
from oncall.services import safety_plans
from oncall.services.views import view_client
from oncall.store import episodes as episode_rows
from oncall.store.audit import audit_entries
from oncall.ui.screens.break_glass import BreakGlassScreen
from oncall.ui.screens.client import ClientScreen
from oncall.ui.screens.confirm import ConfirmScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.plan_compare import PlanCompareScreen
from oncall.ui.screens.plan_edit import PlanEditScreen

PLAN = {
    "warning_signs": ["Skipping meetings", "Not sleeping"],
    "internal_coping": ["Walk the dog"],
    "people_for_help": ["Sam (sister) +1-714-555-0199"],
    "professionals": ["988, call or text"],
    "environment_safety": ["Naloxone in the kitchen drawer"],
}


def shown(app: App[Any], selector: str) -> str:
    """What a Static on the current screen shows, as plain text."""
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def _plan(clinic: Clinic, login: str = "alice", **changes: list[str]) -> int:
    plan = safety_plans.save_safety_plan(
        clinic.ctx(login), clinic.clients["C-1"], {**PLAN, **changes}, "My daughter Mia"
    )
    return plan.version


async def _client_screen(clinic: Clinic, pilot: Any, login: str = "alice") -> ClientScreen:
    await pilot.app.push_screen(ClientScreen(clinic.clients["C-1"]))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClientScreen)
    return screen


async def test_record_shows_header_contacts_and_the_plan_by_section(clinic: Clinic) -> None:
    _plan(clinic)
    clinic.clock.advance(timedelta(days=31))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        summary = shown(app, "#client-summary")
        for expected in [
            "Jordan Test",
            "they/them",
            "Virtual IOP",
            "clinician Alice Rivera",
            "phone +1-714-555-0142",
            "emergency-contact disclosure YES",
            "Sam Sample (sibling) +1-714-555-0199 may be contacted",
        ]:
            assert expected in summary, expected
        assert "DUE FOR REVIEW  Not reviewed for 31 days." in shown(app, "#plan-review")
        body = shown(app, "#plan-body")
        assert "1. Warning signs" in body and "• Skipping meetings" in body
        assert "3. People and social settings that provide distraction" in body
        assert "(nothing written yet)" in body
        assert "♥  The one thing most worth living for" in body and "My daughter Mia" in body
        assert app.screen.query_one("#plan").border_title.startswith("Safety plan v1 · Alice")


async def test_contact_without_consent_is_marked(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.push_screen(ClientScreen(clinic.clients["C-2"]))
        await settle(pilot)
        summary = shown(app, "#client-summary")
        assert "emergency-contact disclosure NO" in summary
        assert "Sam Sample (sibling) +1-714-555-0199 NOT to be contacted" in summary
        assert "No safety plan on file." in shown(app, "#plan-review")


async def test_editing_the_plan_saves_a_new_version_with_who_and_when(clinic: Clinic) -> None:
    _plan(clinic, "sue")
    clinic.clock.advance(timedelta(hours=3))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _client_screen(clinic, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PlanEditScreen)
        assert "Nothing has changed since version 1" in shown(app, "#form-problems")
        signs = form.query_one("#plan-warning_signs", TextArea)
        assert signs.text == "Skipping meetings\nNot sleeping"
        signs.move_cursor(signs.document.end)
        await pilot.press("enter", *"Isolating from friends")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Safety plan version 2 saved by Alice Rivera." in [
            n.message for n in app._notifications
        ]
        versions = screen.query_one("#versions", DataTable)
        assert [str(c) for c in versions.get_row_at(0)] == ["v2", "Alice Rivera", "Nov 22 06:00"]
        assert [str(c) for c in versions.get_row_at(1)][:2] == ["v1", "Sue Lindqvist"]
        assert "• Isolating from friends" in shown(app, "#plan-body")
    record = view_client(clinic.ctx(), clinic.clients["C-1"])
    assert record.plan is not None and record.plan.version == 2
    assert record.plan.created_by == clinic.staff["alice"].id
    assert record.plan.created_at == clinic.clock.now()
    assert record.plan.sections["warning_signs"][-1] == "Isolating from friends"


async def test_a_refused_save_keeps_everything_typed(clinic: Clinic) -> None:
    _plan(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PlanEditScreen)
        coping = form.query_one("#plan-internal_coping", TextArea)
        coping.text = "Walk the dog\n" + "x" * 600
        await pilot.pause()
        assert "Internal coping strategies, item 2 is 600 characters; the limit is 500." in (
            shown(app, "#form-problems")
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the form stays open"
        assert "Not saved: Internal coping strategies, item 2" in shown(app, "#form-error")
        assert coping.text == "Walk the dog\n" + "x" * 600, "nothing typed is lost"
        # someone else saves meanwhile: the next save is refused, naming them
        _plan(clinic, "sue", internal_coping=["Sue's words"])
        coping.text = "Walk the dog\nCall my sponsor"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Version 2 was saved by Sue Lindqvist while you were editing" in shown(
            app, "#form-error"
        )
        assert coping.text == "Walk the dog\nCall my sponsor"
        await pilot.press("ctrl+s")  # told, and saved deliberately
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
    assert view_client(clinic.ctx(), clinic.clients["C-1"]).plan.version == 3  # type: ignore[union-attr]


async def test_escape_with_unsaved_changes_asks_before_discarding(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Feeling trapped")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard what you typed in “the safety plan”?" in shown(app, "#confirm-question")
        await pilot.press("n")  # keep editing: the text is still there
        assert isinstance(app.screen, PlanEditScreen)
        await pilot.press("escape", "y")
        assert isinstance(app.screen, ClientScreen)


async def test_mark_reviewed_clears_due_and_goes_on_the_open_episode(clinic: Clinic) -> None:
    _plan(clinic)
    clinic.clock.advance(timedelta(days=2))
    episode_id = open_episode(clinic)  # a crisis since the last review: due for review
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        assert "DUE FOR REVIEW" in shown(app, "#plan-review")
        clinic.clock.advance(timedelta(minutes=5))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen), "one key records nothing by itself"
        await pilot.press("escape")
        await settle(pilot)
        assert "DUE FOR REVIEW" in shown(app, "#plan-review"), "not recorded on Esc"
        await pilot.press("r", "y")
        await settle(pilot)
        assert "DUE FOR REVIEW" not in shown(app, "#plan-review")
        assert "Review: Reviewed today." in shown(app, "#plan-review")
    with clinic.store.read() as conn:
        kinds = [e.kind.value for e in episode_rows.timeline(conn, episode_id)]
    assert kinds[-1] == "safety_plan_review"
    actions = [e.action for e in audit_entries(clinic.store.conn)]
    assert "safety_plan.reviewed" in actions


async def test_compare_any_two_versions_side_by_side(clinic: Clinic) -> None:
    _plan(clinic)
    _plan(clinic, warning_signs=["Skipping meetings", "Isolating"])
    _plan(clinic, warning_signs=["Skipping meetings", "Isolating"], internal_coping=["Pray"])
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        await pilot.press("c")
        await settle(pilot)
        compare = app.screen
        assert isinstance(compare, PlanCompareScreen)
        text = shown(app, "#comparison-table")
        assert "v2 · Alice Rivera" in text and "v3 · Alice Rivera" in text
        assert "− Walk the dog" in text and "+ Pray" in text
        assert "Warning signs unchanged" in text
        compare.query_one("#old-version", Select).value = 1
        await settle(pilot)
        text = shown(app, "#comparison-table")
        assert "− Not sleeping" in text and "+ Isolating" in text
        assert "+1 added, −1 removed" in text
        compare.query_one("#new-version", Select).value = 1
        await settle(pilot)
        assert "Pick two different versions" in shown(app, "#comparison-table")
        await pilot.press("escape")
        assert isinstance(app.screen, ClientScreen)


async def test_episode_history_pages_and_enter_opens_an_episode(clinic: Clinic) -> None:
    ids = []
    for _ in range(23):
        ids.append(open_episode(clinic, location=None))
        with clinic.store.write() as conn:
            episode_rows.update_episode(conn, ids[-1], status="closed")
        clinic.clock.advance(timedelta(hours=1))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _client_screen(clinic, pilot)
        table = screen.query_one("#episodes", DataTable)
        assert table.row_count == 20
        assert str(table.get_row_at(0)[0]) == f"#{ids[-1]}"
        assert "] older" in shown(app, "#episodes-title")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [str(table.get_row_at(n)[0]) for n in range(3)] == [f"#{i}" for i in ids[2::-1]]
        assert "[ newer" in shown(app, "#episodes-title")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(table.get_row_at(0)[0]) == f"#{ids[-1]}"
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen) and app.screen.episode_id == ids[-1]


async def test_a_record_outside_ones_care_offers_break_the_glass(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="bob", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.push_screen(ClientScreen(clinic.clients["C-1"]))
        await settle(pilot)
        assert isinstance(app.screen, BreakGlassScreen)
        await pilot.press(*"Covering for Alice tonight", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert "Jordan Test" in shown(app, "#client-summary")


async def test_privacy_mode_masks_the_client_and_hides_the_plan(clinic: Clinic) -> None:
    _plan(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _client_screen(clinic, pilot)
        await pilot.press("f9")
        await settle(pilot)
        summary = shown(app, "#client-summary")
        assert "J.T." in summary and "Jordan Test" not in summary
        assert "+1-714-555-0142" not in summary and "+1-714-555-0199" not in summary
        assert "Skipping meetings" not in shown(app, "#plan-body")
        await pilot.press("f9")
        await settle(pilot)
        assert "Jordan Test" in shown(app, "#client-summary")
        assert "Skipping meetings" in shown(app, "#plan-body")


async def test_a_plan_saved_elsewhere_shows_without_re_auditing_idle_refreshes(
    clinic: Clinic,
) -> None:
    _plan(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)

    def views() -> int:
        return [e.action for e in audit_entries(clinic.store.conn)].count("client.viewed")

    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _client_screen(clinic, pilot)
        before = views()
        for _ in range(3):  # other consoles' changes that do not touch this client
            app.live.refresh_now()
            await settle(pilot)
        assert views() == before, "an unchanged record is not viewed (and audited) again"
        _plan(clinic, "sue", internal_coping=["Call Sue's group"])
        app.live.refresh_now()
        await settle(pilot)
        assert views() == before + 1
        assert "• Call Sue's group" in shown(app, "#plan-body")
        assert str(screen.query_one("#versions", DataTable).get_row_at(0)[1]) == "Sue Lindqvist"
