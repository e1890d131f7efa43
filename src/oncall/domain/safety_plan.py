"""The Stanley-Brown safety plan: sections, when it is due for review, and diffs (W8)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple


class SafetyPlanSection(StrEnum):
    """The six Stanley-Brown sections, in the plan's order (docs/design.md section 6)."""

    WARNING_SIGNS = "warning_signs"
    INTERNAL_COPING = "internal_coping"
    SOCIAL_DISTRACTION = "social_distraction"
    PEOPLE_FOR_HELP = "people_for_help"
    PROFESSIONALS = "professionals"
    ENVIRONMENT_SAFETY = "environment_safety"

    @property
    def number(self) -> int:
        """The section's step number, 1 to 6."""
        return list(SafetyPlanSection).index(self) + 1

    @property
    def label(self) -> str:
        """The section's heading."""
        return _LABELS[self][0]

    @property
    def hint(self) -> str:
        """What belongs in the section, or an empty string."""
        return _LABELS[self][1]


_LABELS: dict[SafetyPlanSection, tuple[str, str]] = {
    SafetyPlanSection.WARNING_SIGNS: ("Warning signs", ""),
    SafetyPlanSection.INTERNAL_COPING: ("Internal coping strategies", ""),
    SafetyPlanSection.SOCIAL_DISTRACTION: (
        "People and social settings that provide distraction",
        "",
    ),
    SafetyPlanSection.PEOPLE_FOR_HELP: ("People I can ask for help", ""),
    SafetyPlanSection.PROFESSIONALS: (
        "Professionals and agencies to contact in a crisis",
        "clinician, after-hours line, local crisis center, 988, nearest ED, 911",
    ),
    SafetyPlanSection.ENVIRONMENT_SAFETY: (
        "Making the environment safe",
        "for substance use: naloxone on hand, not using alone, substances out of the house",
    ),
}

REASONS_FOR_LIVING_KEY = "reasons_for_living"
REASONS_FOR_LIVING_LABEL = "The one thing most worth living for"

REVIEW_INTERVAL = timedelta(days=30)
"""A plan not reviewed for this long is due for review (W8)."""


class ReviewDue(NamedTuple):
    """Whether a plan is due for review, and why in a clinician's words."""

    due: bool
    reason: str


def review_due(
    last_reviewed_at: datetime | None,
    last_episode_opened_at: datetime | None,
    now: datetime,
) -> ReviewDue:
    """Due when never reviewed, not reviewed for 30 days, or not since the last episode."""
    if last_reviewed_at is None:
        return ReviewDue(True, "The safety plan has never been reviewed.")
    days = (now - last_reviewed_at).days
    if now - last_reviewed_at >= REVIEW_INTERVAL:
        return ReviewDue(True, f"Not reviewed for {days} days.")
    if last_episode_opened_at is not None and last_episode_opened_at > last_reviewed_at:
        return ReviewDue(True, "Not reviewed since the last crisis episode.")
    if days == 0:
        return ReviewDue(False, "Reviewed today.")
    return ReviewDue(False, f"Reviewed {days} day{'s' if days != 1 else ''} ago.")


@dataclass(frozen=True)
class SectionDiff:
    """How one section changed between two versions of a plan."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """True when anything was added or removed."""
        return bool(self.added or self.removed)


def _items(section: Sequence[str] | None) -> list[str]:
    """The section's items with surrounding space trimmed and blanks dropped."""
    return [item.strip() for item in section or () if item.strip()]


def _diff_section(old: list[str], new: list[str]) -> SectionDiff:
    """Items added, removed and kept, in each version's own order."""
    remaining = Counter(old)
    added: list[str] = []
    kept: list[str] = []
    for item in new:
        if remaining[item] > 0:
            remaining[item] -= 1
            kept.append(item)
        else:
            added.append(item)
    left = Counter(kept)
    removed: list[str] = []
    for item in old:
        if left[item] > 0:
            left[item] -= 1
        else:
            removed.append(item)
    return SectionDiff(tuple(added), tuple(removed), tuple(kept))


def diff_plans(
    old_sections: Mapping[str, Sequence[str]],
    new_sections: Mapping[str, Sequence[str]],
) -> dict[str, SectionDiff]:
    """Per-section added/removed/kept items, the six sections first in plan order.

    Keys outside the six sections (say, reasons_for_living given as a one-item
    list) are compared too and come after, sorted, so nothing is hidden.
    """
    known = [section.value for section in SafetyPlanSection]
    extra = sorted((set(old_sections) | set(new_sections)) - set(known))
    return {
        key: _diff_section(_items(old_sections.get(key)), _items(new_sections.get(key)))
        for key in [*known, *extra]
    }
