"""Stanley-Brown safety plan: sections, review due, and version diffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oncall.domain.safety_plan import (
    REASONS_FOR_LIVING_KEY,
    REASONS_FOR_LIVING_LABEL,
    SafetyPlanSection,
    SectionDiff,
    diff_plans,
    review_due,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_sections_keys_order_and_labels() -> None:
    assert [(s.number, s.value, s.label) for s in SafetyPlanSection] == [
        (1, "warning_signs", "Warning signs"),
        (2, "internal_coping", "Internal coping strategies"),
        (3, "social_distraction", "People and social settings that provide distraction"),
        (4, "people_for_help", "People I can ask for help"),
        (5, "professionals", "Professionals and agencies to contact in a crisis"),
        (6, "environment_safety", "Making the environment safe"),
    ]
    assert "988" in SafetyPlanSection.PROFESSIONALS.hint
    assert "naloxone on hand" in SafetyPlanSection.ENVIRONMENT_SAFETY.hint
    assert REASONS_FOR_LIVING_KEY == "reasons_for_living"
    assert REASONS_FOR_LIVING_LABEL == "The one thing most worth living for"


@pytest.mark.parametrize(
    ("reviewed", "episode", "due", "fragment"),
    [
        (None, None, True, "never been reviewed"),
        (NOW - 30 * DAY, None, True, "Not reviewed for 30 days"),
        (NOW - 45 * DAY, NOW - 50 * DAY, True, "Not reviewed for 45 days"),
        (NOW - 30 * DAY + timedelta(seconds=1), None, False, "Reviewed 29 days ago"),
        (NOW - 3 * DAY, NOW - DAY, True, "since the last crisis episode"),
        (NOW - 3 * DAY, NOW - 4 * DAY, False, "Reviewed 3 days ago"),
        (NOW - DAY, None, False, "Reviewed 1 day ago"),
        (NOW - timedelta(hours=2), NOW - timedelta(hours=3), False, "Reviewed today"),
        (NOW - timedelta(hours=2), NOW - timedelta(hours=2), False, "Reviewed today"),
    ],
)
def test_review_due(
    reviewed: datetime | None, episode: datetime | None, due: bool, fragment: str
) -> None:
    result = review_due(reviewed, episode, NOW)
    assert result.due is due
    assert fragment in result.reason
    is_due, _reason = result  # usable as a plain (bool, reason) pair
    assert is_due is due


def test_diff_reports_added_removed_and_kept_per_section() -> None:
    old = {
        "warning_signs": ["Skipping meetings", "Not sleeping"],
        "people_for_help": ["Sister Ana"],
        "environment_safety": ["Naloxone in kitchen drawer"],
    }
    new = {
        "warning_signs": ["Not sleeping", "Calling old dealer"],
        "people_for_help": ["Sister Ana", "Sponsor Joe"],
        "environment_safety": [],
    }
    diff = diff_plans(old, new)
    assert list(diff) == [s.value for s in SafetyPlanSection]
    assert diff["warning_signs"] == SectionDiff(
        added=("Calling old dealer",), removed=("Skipping meetings",), kept=("Not sleeping",)
    )
    assert diff["people_for_help"] == SectionDiff(("Sponsor Joe",), (), ("Sister Ana",))
    assert diff["environment_safety"] == SectionDiff((), ("Naloxone in kitchen drawer",), ())
    assert not diff["internal_coping"].changed
    assert diff["warning_signs"].changed


def test_diff_ignores_blanks_and_surrounding_space_and_counts_duplicates() -> None:
    diff = diff_plans(
        {"internal_coping": ["Walk", "Walk", " Music "]},
        {"internal_coping": ["Music", "Walk", "", "   "]},
    )
    assert diff["internal_coping"] == SectionDiff((), ("Walk",), ("Music", "Walk"))


def test_diff_keeps_extra_keys_after_the_six_sections() -> None:
    diff = diff_plans(
        {REASONS_FOR_LIVING_KEY: ["My daughter"]},
        {REASONS_FOR_LIVING_KEY: ["My daughter and my dog"]},
    )
    assert list(diff)[-1] == REASONS_FOR_LIVING_KEY
    assert diff[REASONS_FOR_LIVING_KEY].added == ("My daughter and my dog",)
    assert diff[REASONS_FOR_LIVING_KEY].removed == ("My daughter",)
