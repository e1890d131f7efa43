"""The client's current Stanley-Brown safety plan, compact: one paragraph per section."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.models import SafetyPlan
from oncall.domain.safety_plan import REASONS_FOR_LIVING_LABEL, SafetyPlanSection
from oncall.ui.widgets.timeline_text import event_time


def plan_text(plan: SafetyPlan | None) -> Text:
    """The plan as plain Text: each section's label then its items, in the client's words."""
    text = Text()
    if plan is None:
        text.append("No safety plan on file.", style="bold red")
        text.append("\nWrite one with the client on the client screen.")
        return text
    for section in SafetyPlanSection:
        items = [item.strip() for item in plan.sections.get(section.value, []) if item.strip()]
        if text:
            text.append("\n")
        text.append(f"{section.number} {section.label}: ", style="bold")
        if items:
            text.append("; ".join(items))
        else:
            text.append("(empty)", style="dim italic")
    text.append("\n")
    text.append(f"♥ {REASONS_FOR_LIVING_LABEL}: ", style="bold")
    reason = plan.reasons_for_living.strip()
    text.append(reason if reason else "(empty)", style="" if reason else "dim italic")
    return text


class SafetyPlanPanel(VerticalScroll, can_focus=False):
    """The current plan version; scrolls only when a plan is longer than the panel."""

    DEFAULT_CSS = """
    SafetyPlanPanel { border: round $secondary; border-title-style: bold; padding: 0 1; }
    SafetyPlanPanel > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Safety plan"

    def compose(self) -> ComposeResult:
        """The plan's text."""
        yield Static(id="plan-text")

    def show(
        self, plan: SafetyPlan | None, zone: ZoneInfo, now: datetime, *, privacy: bool = False
    ) -> None:
        """Show `plan` (the newest version), saying which version and when it was written.

        Privacy mode hides it: a plan names people and their phone numbers.
        """
        if privacy:
            self.border_title = "Safety plan"
            self.query_one("#plan-text", Static).update(
                Text("Hidden in privacy mode (F9 shows it).", style="dim")
            )
            return
        if plan is None:
            self.border_title = "Safety plan"
        else:
            self.border_title = (
                f"Safety plan v{plan.version} ({event_time(plan.created_at, zone, now)})"
            )
        self.query_one("#plan-text", Static).update(plan_text(plan))
