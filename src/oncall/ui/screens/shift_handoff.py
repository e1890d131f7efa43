"""The shift handoff (W11): waiting alerts, handoffs, open episodes and follow-ups, read aloud."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.services.shift_handoff import ShiftHandoff, build_shift_handoff, sections
from oncall.ui.base import OnCallScreen
from oncall.ui.format import initials
from oncall.ui.widgets.action_footer import ActionFooter


class ShiftHandoffScreen(OnCallScreen[None]):
    """Situation, actions and needs for everything the next shift inherits."""

    HELP_TITLE = "shift handoff"
    DEFAULT_CSS = """
    ShiftHandoffScreen #handoff-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self._summary: ShiftHandoff | None = None

    def compose(self) -> ComposeResult:
        """The summary in one scrolling column."""
        with VerticalScroll(id="handoff-body"):
            yield Static(id="handoff-text")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Read the summary (audited as a view of every client it names)."""
        self._summary = self.read_safely(lambda: build_shift_handoff(self.services), None)
        self._show()

    def _show(self) -> None:
        summary = self._summary
        if summary is None:
            return
        zone = self.services.settings.zone
        privacy = self.services.settings.privacy_mode
        text = Text()
        text.append(
            f"Shift handoff — {summary.generated_at.astimezone(zone):%a %d %b %H:%M %Z}\n",
            style="bold",
        )
        for title, items in sections(summary):
            text.append(f"\n{title}\n", style="bold underline")
            if not items:
                text.append("  none\n", style="dim")
            for item in items:
                heading = initials(item.heading) if privacy else item.heading
                text.append(f"  • {heading}", style="bold")
                if item.overdue:
                    text.append("  OVERDUE", style="bold white on dark_red")
                text.append("\n")
                # The alert's own words may hold names: privacy mode leaves them out.
                said = () if privacy or not item.said else (("Said", item.said),)
                for label, value in (
                    *said,
                    ("Situation", item.situation),
                    ("Actions", item.actions),
                    ("Needs", item.needs),
                ):
                    text.append(f"    {label + ':':<10} ", style="cyan")
                    text.append(f"{value}\n")
        self.query_one("#handoff-text", Static).update(text)
