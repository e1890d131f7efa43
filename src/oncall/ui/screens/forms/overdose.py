"""The overdose-risk checklist as a form: one box per flag, the risk it yields shown live."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Static

from oncall.domain.models import TimelineEvent
from oncall.domain.overdose import CHECKLIST, OverdoseFlag, raise_risk_level
from oncall.domain.types import RiskLevel
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm


class OverdoseForm(ServiceForm[TimelineEvent]):
    """Tick each risk factor present; no ticks is a valid answer (no flags found)."""

    FORM_TITLE = "Overdose-risk checklist"
    DEFAULT_CSS = """
    OverdoseForm Checkbox { width: 1fr; border: none; padding: 0; margin-top: 1; }
    OverdoseForm #overdose-result { margin-top: 1; text-style: bold; }
    """

    def __init__(
        self, services: ServiceContext, episode_id: int, current_risk: RiskLevel | None
    ) -> None:
        super().__init__(services, episode_id)
        self.current_risk = current_risk or RiskLevel.NONE
        """The episode's latest risk level, which any flag raises one step."""

    def compose_fields(self) -> ComposeResult:
        """A checkbox per flag, with what counts for it."""
        yield Static(
            Text("Tab moves between items; space ticks. Leave all clear if none apply."),
            classes="hint",
        )
        for flag in CHECKLIST:
            label = flag.label + (f" ({flag.examples})" if flag.examples else "")
            yield Checkbox(label, id=f"flag-{flag.value}")
        yield Static(id="overdose-result")

    def on_mount(self) -> None:
        """Start at the first item, with the resulting risk shown."""
        super().on_mount()
        self._show_result()
        self.query_one(Checkbox).focus()

    def chosen(self) -> list[OverdoseFlag]:
        """The flags ticked, in checklist order."""
        return [f for f in CHECKLIST if self.query_one(f"#flag-{f.value}", Checkbox).value]

    @on(Checkbox.Changed)
    def _show_result(self) -> None:
        flags = self.chosen()
        after = raise_risk_level(self.current_risk, flags)
        if not flags:
            text = f"No flags: the risk level stays {self.current_risk.value.upper()}."
        elif after is self.current_risk:
            text = f"{len(flags)} flag(s): the risk level stays {after.value.upper()}."
        else:
            text = (
                f"{len(flags)} flag(s): the risk level rises from"
                f" {self.current_risk.value.upper()} to {after.value.upper()}."
            )
        self.query_one("#overdose-result", Static).update(Text(text))

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the checklist."""
        flags = self.chosen()
        return lambda: episodes.record_overdose_screen(self.services, self.episode_id, flags)
