"""Two versions of a safety plan side by side: removed in red, added in green, kept plain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from oncall.domain.safety_plan import (
    REASONS_FOR_LIVING_KEY,
    REASONS_FOR_LIVING_LABEL,
    SafetyPlanSection,
    SectionDiff,
)
from oncall.services.safety_plans import PlanComparison

REMOVED = "bold red"
ADDED = "bold green"


def _label(key: str) -> str:
    if key == REASONS_FOR_LIVING_KEY:
        return f"♥ {REASONS_FOR_LIVING_LABEL}"
    try:
        section = SafetyPlanSection(key)
    except ValueError:
        return key
    return f"{section.number}. {section.label}"


def _column(items: Sequence[str], changed: Sequence[str], mark: str, style: str) -> Text:
    """One version's items in its own order, the changed ones marked."""
    text = Text()
    left = Counter(changed)
    for item in (i.strip() for i in items):
        if not item:
            continue
        if left[item] > 0:
            left[item] -= 1
            text.append(f"{mark} {item}\n", style=style)
        else:
            text.append(f"  {item}\n")
    if not text:
        text.append("  (empty)\n", style="dim italic")
    return text


def _summary(diff: SectionDiff) -> Text:
    if not diff.changed:
        return Text(" unchanged", style="dim")
    text = Text(" ")
    if diff.added:
        text.append(f"+{len(diff.added)} added", style=ADDED)
    if diff.added and diff.removed:
        text.append(", ")
    if diff.removed:
        text.append(f"−{len(diff.removed)} removed", style=REMOVED)
    return text


def comparison_table(comparison: PlanComparison, old_title: str, new_title: str) -> Table:
    """A two-column table, one row per section, headed by who saved each version and when."""
    table = Table(expand=True, show_lines=True, padding=(0, 1))
    table.add_column(Text(old_title, style="bold"), ratio=1)
    table.add_column(Text(new_title, style="bold"), ratio=1)
    old, new = comparison.old, comparison.new
    for key, diff in comparison.sections.items():
        if key == REASONS_FOR_LIVING_KEY:
            old_items, new_items = [old.reasons_for_living], [new.reasons_for_living]
        else:
            old_items, new_items = old.sections.get(key, []), new.sections.get(key, [])
        heading = Text(_label(key), style="bold")
        left = heading.copy()
        left.append("\n")
        left.append_text(_column(old_items, diff.removed, "−", REMOVED))
        right = heading
        right.append_text(_summary(diff))
        right.append("\n")
        right.append_text(_column(new_items, diff.added, "+", ADDED))
        left.rstrip()
        right.rstrip()
        table.add_row(left, right)
    return table
