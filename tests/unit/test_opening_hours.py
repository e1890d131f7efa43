"""Reading HSDS schedule times and describing weekly hours the way a clinician reads them."""

from __future__ import annotations

from datetime import datetime

import pytest

from oncall.domain.opening_hours import (
    OpeningHours,
    covers_whole_week,
    day_label,
    describe_hours,
    is_open,
    parse_clock,
    schedule_hours,
)


@pytest.mark.parametrize(
    ("raw", "clock"),
    [
        ("09:00", "09:00"),
        ("9:00", "09:00"),
        ("09:00:00", "09:00"),
        ("09:00:00.000", "09:00"),
        ("09:00Z", "09:00"),
        ("09:00-08:00", "09:00"),
        ("17:30+0100", "17:30"),
        ("24:00", "24:00"),
        ("25:00", None),
        ("09:60", None),
        ("24:30", None),
        ("nine", None),
        ("", None),
        (900, None),
        (None, None),
    ],
)
def test_times_are_read_as_local_wall_clock(raw: object, clock: str | None) -> None:
    assert parse_clock(raw) == clock


def test_byday_absent_means_every_day() -> None:
    hours = schedule_hours({"opens_at": "08:00", "closes_at": "20:00"})
    assert [entry.weekday for entry in hours] == list(range(7))


def test_byday_accepts_lists_and_ignores_unknown_codes() -> None:
    hours = schedule_hours({"byday": ["mo", "XX", "WE"], "opens_at": "08:00", "closes_at": "09:00"})
    assert [entry.weekday for entry in hours] == [0, 2]


def test_a_schedule_without_times_has_no_hours() -> None:
    assert schedule_hours({"freq": "WEEKLY", "byday": "MO", "description": "Call first"}) == ()


def test_equal_opening_and_closing_times_mean_the_whole_day() -> None:
    hours = (OpeningHours(2, "00:00", "00:00"),)
    assert is_open(hours, datetime(2026, 11, 25, 23, 59))  # Wednesday
    assert not is_open(hours, datetime(2026, 11, 26, 0, 0))
    assert describe_hours(hours) == ("Wed 24 hours",)


def test_overlapping_overnight_shifts_still_make_a_whole_week() -> None:
    hours = tuple(OpeningHours(day, "08:00", "20:00") for day in range(7)) + tuple(
        OpeningHours(day, "20:00", "08:00") for day in range(7)
    )
    assert covers_whole_week(hours)
    assert describe_hours(hours) == ("Open 24/7",)


def test_one_missing_night_is_not_24_7() -> None:
    hours = tuple(OpeningHours(day, "00:00", "23:59") for day in range(6))
    assert not covers_whole_week(hours)
    assert describe_hours(hours) == ("Mon–Sat 24 hours",)


@pytest.mark.parametrize(
    ("days", "label"),
    [
        ([0, 1, 2, 3, 4], "Mon–Fri"),
        ([5, 6], "Sat, Sun"),
        ([0, 2, 4], "Mon, Wed, Fri"),
        ([0, 1, 2, 4, 5, 6], "Mon–Wed, Fri–Sun"),
        (list(range(7)), "Every day"),
    ],
)
def test_day_labels(days: list[int], label: str) -> None:
    assert day_label(days) == label


def test_hours_with_different_times_are_listed_in_week_order() -> None:
    hours = (
        OpeningHours(5, "09:00", "12:00"),
        OpeningHours(1, "10:00", "14:00"),
        OpeningHours(3, "10:00", "14:00"),
    )
    assert describe_hours(hours) == ("Tue, Thu 10:00–14:00", "Sat 09:00–12:00")
