"""Two versions of a safety plan side by side: removed in red, added in green, kept plain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Group
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


def _column(
    heading: Text, items: Sequence[str], changed: Sequence[str], mark: str, style: str
) -> Group:
    """One version's section: its heading, then its items in its own order, changes marked.

    A grid, so an item that wraps stays indented under its mark.
    """
    grid = Table.grid(padding=(0, 0), expand=True)
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    left = Counter(changed)
    shown = [i.strip() for i in items if i.strip()]
    for item in shown:
        if left[item] > 0:
            left[item] -= 1
            grid.add_row(Text(mark, style=style), Text(item, style=style))
        else:
            grid.add_row("", Text(item))
    if not shown:
        grid.add_row("", Text("(empty)", style="dim italic"))
    return Group(heading, grid)


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
        summary = heading.copy()
        summary.append_text(_summary(diff))
        table.add_row(
            _column(heading, old_items, diff.removed, "−", REMOVED),
            _column(summary, new_items, diff.added, "+", ADDED),
        )
    return table
