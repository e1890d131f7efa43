"""Comparing any two versions of a client's safety plan side by side (W8)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Select, Static

from oncall.domain.models import SafetyPlan
from oncall.services.errors import ServiceError
from oncall.services.safety_plans import compare_versions
from oncall.ui.base import OnCallScreen
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.plan_diff import comparison_table
from oncall.ui.widgets.plan_view import version_label


class PlanCompareScreen(OnCallScreen[None]):
    """Pick an older and a newer version; each section shows what was added, removed, kept.

    Saved versions never change, so what is shown cannot go stale; a version saved
    after this screen opened appears when it is opened again.
    """

    HELP_TITLE = "safety plan versions"
    DEFAULT_CSS = """
    PlanCompareScreen #pickers { height: 1; padding: 0 1; }
    PlanCompareScreen #pickers Static { width: auto; padding: 0 1 0 0; }
    PlanCompareScreen #pickers Select { width: 1fr; }
    PlanCompareScreen #comparison { height: 1fr; padding: 0 1; }
    PlanCompareScreen #legend { height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("s", "swap", "Swap sides"),
    ]

    def __init__(
        self,
        client_id: int,
        versions: list[SafetyPlan],
        staff_names: dict[int, str],
        old_version: int,
        new_version: int,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose plan is compared."""
        self.versions = versions
        """Every version, newest first."""
        self._names = staff_names
        self._old = old_version
        self._new = new_version

    def compose(self) -> ComposeResult:
        """The two version pickers, a legend, and the comparison."""
        zone = self.services.settings.zone
        options = [(version_label(p, self._names, zone), p.version) for p in self.versions]
        with Horizontal(id="pickers"):
            yield Static("Older")
            yield Select(
                options, value=self._old, allow_blank=False, id="old-version", compact=True
            )
            yield Static("Newer")
            yield Select(
                options, value=self._new, allow_blank=False, id="new-version", compact=True
            )
        legend = Text("  ")
        legend.append("− removed", style="bold red")
        legend.append("   ")
        legend.append("+ added", style="bold green")
        legend.append("   kept items are plain")
        yield Static(legend, id="legend")
        with VerticalScroll(id="comparison"):
            yield Static(id="comparison-table")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Show the first comparison."""
        super().on_mount()
        self.show_comparison()

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        if event.select.id == "old-version":
            self._old = event.value
        else:
            self._new = event.value
        self.show_comparison()

    def action_swap(self) -> None:
        """Put the other version on the left."""
        self.query_one("#old-version", Select).value = self._new
        self.query_one("#new-version", Select).value = self._old

    def show_comparison(self) -> None:
        """Compare the two versions picked (an audited read) and show each section."""
        target = self.query_one("#comparison-table", Static)
        try:
            comparison = self.read_safely(
                lambda: compare_versions(self.services, self.client_id, self._old, self._new),
                None,
            )
        except ServiceError as error:
            target.update(Text(str(error), style="bold yellow"))
            return
        if comparison is None:
            return
        zone = self.services.settings.zone
        old = version_label(comparison.old, self._names, zone)
        new = version_label(comparison.new, self._names, zone)
        target.update(comparison_table(comparison, old, new))
        self.sub_title = f"v{self._old} → v{self._new}"

    def action_back(self) -> None:
        """Back to the client screen."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
