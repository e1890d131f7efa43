"""The resource directory (W9) in the console: type to narrow, filters, distance, copy, refer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from episode_helpers import open_episode, settle
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.models import Location
from oncall.domain.resource_record import parse_hsds_service
from oncall.services.episodes import confirm_location
from oncall.services.resources import import_resource_records
from oncall.store import episodes as episode_rows
from oncall.ui.screens.referral import ReferralConfirmScreen
from oncall.ui.screens.resources import ResourceDirectoryScreen

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NATIONAL_NUMBERS = {"988", "911", "1-800-662-4357", "741741"}


def _directory(clinic: Clinic) -> None:
    services = json.loads((FIXTURES / "resources.json").read_text(encoding="utf-8"))
    items = [(str(n), parse_hsds_service(s)) for n, s in enumerate(services)]
    import_resource_records(clinic.ctx(), items, origin="test")


async def _open(pilot: Any, episode_id: int | None = None) -> ResourceDirectoryScreen:
    await pilot.app.push_screen(ResourceDirectoryScreen(episode_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ResourceDirectoryScreen)
    return screen


def _keys(screen: ResourceDirectoryScreen) -> list[str]:
    table = screen.query_one("#directory", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


def _local(screen: ResourceDirectoryScreen) -> list[Any]:
    """The local entries shown (the pinned national lines left out)."""
    return [e for k, e in screen._entries.items() if not k.startswith("national:")]


def _pinned_first(screen: ResourceDirectoryScreen) -> None:
    keys = _keys(screen)
    assert all(k.startswith("national:") for k in keys[:4])
    numbers = {screen._entries[k].record.phones[0][0] for k in keys[:4]}
    assert numbers == NATIONAL_NUMBERS


async def test_search_as_you_type_narrows_and_national_lines_stay_pinned(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        _pinned_first(screen)
        assert len(_local(screen)) == 50 and "of 150" in str(
            screen.query_one("#page", Static).render()
        )
        counts = []
        for key in "withdr":
            await pilot.press(key)
            counts.append(screen.page.total if screen.page else -1)
        assert counts[0] > counts[-1] > 0 and counts == sorted(counts, reverse=True)
        for entry in _local(screen):
            words = f"{entry.record.name} {entry.record.description} {entry.record.categories}"
            assert "withdr" in words.lower()
        _pinned_first(screen)
        for key in ['"', "+", "+", " ", "("]:  # punctuation is ignored, never an error
            await pilot.press(key)
        assert screen.page is not None and screen.page.total == counts[-1]
        await pilot.press(*" zzzq")
        _pinned_first(screen)
        assert "No local resources match" in str(screen.query_one("#page", Static).render())


async def test_filters_narrow_by_category_county_24_7_and_open_now(clinic: Clinic) -> None:
    _directory(clinic)
    clinic.clock.set(datetime(2026, 11, 22, 11, 0, tzinfo=UTC))  # Sunday 03:00 in the clinic
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        screen.query_one("#category", Select).value = "naloxone"
        await settle(pilot)
        assert _local(screen) and all("naloxone" in e.record.categories for e in _local(screen))
        screen.query_one("#county", Select).value = "Riverside"
        await settle(pilot)
        for entry in _local(screen):
            assert "Riverside" in (entry.record.county, *entry.record.counties_served)
        _pinned_first(screen)
        screen.query_one("#category", Select).clear()
        screen.query_one("#always", Checkbox).value = True
        await settle(pilot)
        assert _local(screen) and all(e.record.always_open for e in _local(screen))
        screen.query_one("#always", Checkbox).value = False
        screen.query_one("#open-now", Checkbox).value = True
        await settle(pilot)
        assert _local(screen) and all(e.open_now for e in _local(screen))
        assert any(not e.record.always_open for e in _local(screen)), "overnight places too"


async def test_nearest_first_from_the_episodes_confirmed_location(clinic: Clinic) -> None:
    _directory(clinic)
    episode_id = open_episode(clinic)
    confirm_location(clinic.ctx(), episode_id, Location("sister's flat", lat=33.7455, lon=-117.87))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, episode_id)
        assert "From the client's confirmed location." in str(
            screen.query_one("#origin", Static).render()
        )
        assert screen.query_one("#nearest", Checkbox).value
        miles = [e.distance_miles for e in _local(screen)]
        placed = [m for m in miles if m is not None]
        assert placed == sorted(placed) and placed[0] < 5
        assert miles[: len(placed)] == placed, "places without an address come last"
        screen.query_one("#nearest", Checkbox).value = False
        await settle(pilot)
        names = [e.record.name for e in _local(screen)]
        assert names == sorted(names, key=str.casefold) or names == sorted(names)


async def test_without_a_location_the_screen_says_there_are_no_distances(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        assert "No distances" in str(screen.query_one("#origin", Static).render())
        nearest = screen.query_one("#nearest", Checkbox)
        assert nearest.disabled and not nearest.value
        assert all(e.distance_miles is None for e in screen._entries.values())


async def test_a_key_copies_the_selected_phone_and_shows_it(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        await pilot.press("down")  # from the search box to the results
        assert isinstance(screen.focused, DataTable)
        await pilot.press("down", "down", "down", "down")  # past the four national lines
        entry = screen.selected_entry()
        assert entry is not None and not entry.pinned
        await pilot.press("y")
        number = entry.record.phones[0][0]
        assert app.clipboard == number
        assert any(number in n.message for n in app._notifications)


async def test_a_referral_goes_on_the_episodes_timeline(clinic: Clinic) -> None:
    _directory(clinic)
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, episode_id)
        await pilot.press(*"detox", "enter")
        entry = screen.selected_entry()
        assert entry is not None
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ReferralConfirmScreen)
        await pilot.press(*"client will go tonight", "enter")
        await settle(pilot)
        assert app.screen is screen
    with clinic.store.read() as conn:
        last = episode_rows.timeline(conn, episode_id)[-1]
    assert last.kind.value == "referral" and last.body["resource_id"] == entry.record.id
    assert last.body["text"].endswith(": client will go tonight")


async def test_no_referral_key_without_an_episode_and_paging(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        screen.query_one("#directory", DataTable).focus()
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is screen, "no episode: nothing to refer on"
        first = [e.record.id for e in _local(screen)]
        await pilot.press("right_square_bracket")
        second = [e.record.id for e in _local(screen)]
        assert len(second) == 50 and not set(first) & set(second)
        assert "Local results 51–100 of 150" in str(screen.query_one("#page", Static).render())
        _pinned_first(screen)
        await pilot.press("left_square_bracket")
        assert [e.record.id for e in _local(screen)] == first
        screen.query_one("#search", Input).focus()
        await pilot.press("slash")  # typed into the search box, not a key
        assert screen.query_one("#search", Input).value == "/"


async def test_an_empty_directory_still_shows_the_national_lines(clinic: Clinic) -> None:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        _pinned_first(screen)
        assert "No local resources match" in str(screen.query_one("#page", Static).render())


async def test_opened_with_a_search_already_typed(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.push_screen(ResourceDirectoryScreen(None, query="sobering"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ResourceDirectoryScreen)
        assert screen.query_one("#search", Input).value == "sobering"
        assert _local(screen) and all("sobering" in e.record.name.lower() for e in _local(screen))
        _pinned_first(screen)


async def test_a_damaged_entry_is_still_listed_and_its_detail_names_what_could_not_be_read(
    clinic: Clinic,
) -> None:
    _directory(clinic)
    with clinic.store.write() as conn:  # edited by hand, as at the sqlite3 shell
        rid, name = conn.execute(
            "SELECT id, name FROM resources WHERE national = 0 ORDER BY name, id LIMIT 1 OFFSET 2"
        ).fetchone()
        conn.execute(
            "UPDATE resources SET phones = '[[\"714\", ', schedule = '{\"hours\": 5}' WHERE id = ?",
            (rid,),
        )
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        _pinned_first(screen)
        local = _local(screen)
        assert len(local) == 50 and "of 150" in str(screen.query_one("#page", Static).render())
        assert [e.record.id for e in local if e.record.damaged] == [rid]
        assert all(e.record.phones for e in local if e.record.id != rid)

        await pilot.press("down")  # to the results
        table = screen.query_one("#directory", DataTable)
        table.move_cursor(row=table.get_row_index(rid))
        await pilot.pause()
        detail = screen.query_one("#detail", Static)
        shown = str(detail.render())
        assert name in shown
        assert "Some stored details could not be read: phones, schedule." in shown
        assert detail.region.height > 3  # the warning takes a line of its own
        assert "⚠" in str(table.get_row(rid)[0]) and "unreadable" in str(table.get_row(rid)[1])

        await pilot.press("y")
        assert app.clipboard == ""
        assert any(
            "phone numbers" in n.message and "could not be read" in n.message
            for n in app._notifications
        )


async def test_filter_boxes_show_their_state_by_mark_not_only_by_colour(clinic: Clinic) -> None:
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        box = screen.query_one("#always", Checkbox)
        assert str(box.render()).startswith("▐ ▌"), "unticked: an empty box"
        box.value = True
        await settle(pilot)
        assert str(box.render()).startswith("▐X▌"), "ticked: a mark in the box"


async def test_a_change_arriving_as_the_directory_opens_waits_for_its_first_read(
    clinic: Clinic,
) -> None:
    # Seen as "Something went wrong" on first opening the directory while a feed was
    # adding alerts: the live refresh re-read the new screen before its on_mount had
    # given the results table its columns.
    _directory(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = ResourceDirectoryScreen(None)
        app.push_screen(screen)  # not awaited: the screen is on the stack, not yet mounted
        app.live.refresh_now()  # what a change from another process does
        await settle(pilot)
        assert app.screen is screen
        assert not [n for n in app._notifications if "went wrong" in str(n.message)]
        _pinned_first(screen)
