"""The rota in the console (F8): a supervisor covers or swaps a shift; the colleague is told."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from console_helpers import notices, wait_until
from episode_helpers import settle
from textual.widgets import DataTable, Input

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.types import ShiftRole
from oncall.services.rota import on_call_now
from oncall.services.rota_changes import cover_shift
from oncall.store import people
from oncall.ui.screens.forms.shift_cover import ShiftCoverForm
from oncall.ui.screens.rota import RotaScreen


def _names(clinic: Clinic, hours: float) -> list[str]:
    at = clinic.clock.now() + timedelta(hours=hours)
    return [e.name for e in on_call_now(clinic.ctx(), at).primary]


async def test_a_supervisor_covers_the_rest_of_a_shift_from_a_time(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RotaScreen)
        assert screen.query_one("#rota", DataTable).row_count == 3
        # Alice's primary shift (the first row): Pat covers it from two hours on.
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # Bob (backup), Sue (supervisor), Pat
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftCoverForm)
        assert form.form_title() == "Pat Moreno covers Alice Rivera's primary shift"
        later = (clinic.clock.now() + timedelta(hours=2)).astimezone(clinic.settings.zone)
        form.query_one("#cover-from", Input).value = later.strftime("%Y-%m-%d %H:%M")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert any("Pat Moreno covers Alice Rivera's primary shift" in n for n in notices(app))
        assert screen.query_one("#rota", DataTable).row_count == 4  # the shift split in two
    assert _names(clinic, 1) == ["Alice Rivera"]
    assert _names(clinic, 3) == ["Pat Moreno"]


async def test_a_supervisor_swaps_two_shifts_and_a_clinician_only_reads(clinic: Clinic) -> None:
    now = clinic.clock.now()
    with clinic.store.write() as conn:
        for login, day in (("alice", 1), ("bob", 2)):
            people.insert_shift(
                conn,
                staff_id=clinic.staff[login].id,
                role=ShiftRole.PRIMARY,
                starts_at=now + timedelta(days=day),
                ends_at=now + timedelta(days=day, hours=8),
            )
    app = make_app(clinic.settings, actor="sue", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        # Rows: the three shifts under way, then Alice tomorrow, then Bob the day after.
        await pilot.press("down", "down", "down", "s", "down", "s")
        await settle(pilot)
        assert any("Bob Okafor now works shift 4" in n for n in notices(app))
    assert _names(clinic, 25) == ["Bob Okafor"]
    assert _names(clinic, 49) == ["Alice Rivera"]
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        await pilot.press("c", "s")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)  # no chooser: the keys are not hers
        assert _names(clinic, 25) == ["Bob Okafor"]


async def test_the_colleague_is_told_in_their_console_and_its_on_call_line_follows(
    clinic: Clinic,
) -> None:
    settings = replace(clinic.settings, idle_lock_minutes=0)
    app = make_app(settings, actor="pat", clock=clinic.clock, scheduler=True)
    async with app.run_test(size=(120, 36)) as pilot:
        started = lambda: app.scheduling is not None and app.scheduling.scheduler is not None  # noqa: E731
        await wait_until(pilot, started, timeout=10)
        scheduling = app.scheduling
        assert scheduling is not None and scheduling.scheduler is not None
        assert scheduling.scheduler.ready is not None
        await scheduling.scheduler.ready
        cover_shift(clinic.ctx("sue"), 1, clinic.staff["pat"].id)  # sue, in her own console
        told = lambda: any("asked you to cover Alice Rivera's" in n for n in notices(app))  # noqa: E731
        await wait_until(pilot, told, timeout=10)
        [shown] = [n for n in app._notifications if "asked you to cover" in n.message]
        assert shown.title == "Your shifts changed"
        on_call = lambda: "Pat Moreno" in str(scheduling.header_text())  # noqa: E731
        await wait_until(pilot, on_call, timeout=10)
