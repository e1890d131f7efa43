"""The client's current safety plan in full, by section, with its version and review state."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.models import SafetyPlan
from oncall.domain.safety_plan import REASONS_FOR_LIVING_LABEL, SafetyPlanSection
from oncall.services.views import ClientRecord
from oncall.ui.format import clinic_datetime


def version_label(plan: SafetyPlan, staff_names: dict[int, str], zone: ZoneInfo) -> str:
    """ "v3 · Alice Rivera · Sun 22 Nov 02:00 PST": which version, who saved it and when."""
    who = staff_names.get(plan.created_by, "unknown") if plan.created_by else "unknown"
    return f"v{plan.version} · {who} · {clinic_datetime(plan.created_at, zone)}"


def review_text(record: ClientRecord, zone: ZoneInfo) -> Text:
    """Whether the plan is due for review, marked so it cannot be missed."""
    text = Text()
    if record.plan_review.due:
        text.append(" DUE FOR REVIEW ", style="bold white on red")
        text.append(f" {record.plan_review.reason}", style="bold red")
        text.append("  (r marks it reviewed with the client)", style="dim")
    else:
        text.append("Review: ", style="bold")
        text.append(record.plan_review.reason, style="green")
    if record.last_reviewed_at is not None:
        text.append(f"\nLast reviewed or saved {clinic_datetime(record.last_reviewed_at, zone)}")
    return text


def plan_body(plan: SafetyPlan) -> Table:
    """Every section with its items in the client's own words, then the reason for living.

    A grid, so an item that wraps stays indented under its bullet.
    """
    grid = Table.grid(padding=(0, 0))
    grid.add_column(width=3, no_wrap=True)
    grid.add_column(ratio=1)
    for section in SafetyPlanSection:
        items = [item for item in plan.sections.get(section.value, []) if item.strip()]
        grid.add_row("", "")
        grid.add_row(Text(f"{section.number}.", style="bold"), Text(section.label, style="bold"))
        if not items:
            grid.add_row("", Text("(nothing written yet)", style="dim italic"))
        for item in items:
            grid.add_row(Text(" •"), Text(item))
    grid.add_row("", "")
    grid.add_row(Text("♥", style="bold"), Text(REASONS_FOR_LIVING_LABEL, style="bold"))
    reason = plan.reasons_for_living.strip()
    grid.add_row("", Text(reason) if reason else Text("(nothing written yet)", style="dim"))
    return grid


class PlanView(VerticalScroll):
    """The plan panel of the client screen; it scrolls when the plan is long."""

    DEFAULT_CSS = """
    PlanView { border: round $secondary; border-title-style: bold; padding: 0 1; }
    PlanView > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        """The review line, then the plan."""
        yield Static(id="plan-review")
        yield Static(id="plan-body")

    def show(
        self,
        record: ClientRecord,
        staff_names: dict[int, str],
        zone: ZoneInfo,
        *,
        privacy: bool,
    ) -> None:
        """Show the newest version of the client's plan (or say there is none)."""
        plan = record.plan
        review = self.query_one("#plan-review", Static)
        body = self.query_one("#plan-body", Static)
        if plan is None:
            self.border_title = "Safety plan"
            review.update(Text("No safety plan on file.", style="bold red"))
            body.update(Text("\nPress e to write one with the client, in their own words."))
            return
        self.border_title = f"Safety plan {version_label(plan, staff_names, zone)}"
        count = len(record.plan_versions)
        self.border_subtitle = f"{count} version{'s' if count != 1 else ''}"
        review.update(review_text(record, zone))
        if privacy:
            body.update(Text("\nPrivacy mode is on: the plan is hidden (F9 shows it).", "dim"))
        else:
            body.update(plan_body(plan))
