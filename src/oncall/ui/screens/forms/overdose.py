"""The overdose-risk checklist as a form: one box per flag, the episode's risk shown live."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Label, Static, TextArea

from oncall.domain.models import TimelineEvent
from oncall.domain.overdose import CHECKLIST, OverdoseFlag, flags_to_list
from oncall.domain.risk import episode_risk
from oncall.domain.types import EventKind
from oncall.services import assessments, episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.widgets.toggles import MarkedCheckbox


class OverdoseForm(ServiceForm[TimelineEvent]):
    """Tick each risk factor present; no ticks is a valid answer (no flags found).

    With `corrects`, the form re-enters an earlier checklist's flags as an
    amendment (the original stays), and asks what was wrong.
    """

    FORM_TITLE = "Overdose-risk checklist"
    DEFAULT_CSS = """
    OverdoseForm Checkbox { width: 1fr; border: none; padding: 0; margin-top: 1; }
    OverdoseForm #overdose-result { margin-top: 1; text-style: bold; }
    """

    def __init__(
        self,
        services: ServiceContext,
        episode_id: int,
        timeline: Sequence[TimelineEvent],
        *,
        corrects: TimelineEvent | None = None,
        flags: Sequence[str] = (),
    ) -> None:
        super().__init__(services, episode_id)
        self.timeline = list(timeline)
        """The episode's timeline, to show what the checklist does to its risk."""
        self.corrects = corrects
        """The checklist being corrected, or None for a new one."""
        self.ticked = set(flags)
        """The flags ticked when the form opens (a correction starts from the recorded ones)."""

    def form_title(self) -> str:
        """Say when the form corrects an earlier checklist."""
        if self.corrects is None:
            return self.FORM_TITLE
        return "Correct an earlier overdose-risk checklist (the original stays on the record)"

    def compose_fields(self) -> ComposeResult:
        """A checkbox per flag, with what counts for it; a correction asks what was wrong."""
        yield Static(
            Text("Tab moves between items; space ticks. Leave all clear if none apply."),
            classes="hint",
        )
        for flag in CHECKLIST:
            label = flag.label + (f" ({flag.examples})" if flag.examples else "")
            yield MarkedCheckbox(label, flag.value in self.ticked, id=f"flag-{flag.value}")
        yield Static(id="overdose-result")
        if self.corrects is not None:
            yield Label("What was wrong", classes="field-label")
            yield TextArea(id="reason")

    def on_mount(self) -> None:
        """Start at the first item, with the resulting risk shown."""
        super().on_mount()
        self._show_result()
        self.query_one(Checkbox).focus()

    def chosen(self) -> list[OverdoseFlag]:
        """The flags ticked, in checklist order."""
        return [f for f in CHECKLIST if self.query_one(f"#flag-{f.value}", Checkbox).value]

    def _provisional(self, flags: list[OverdoseFlag]) -> TimelineEvent:
        """The event saving would add, to preview the episode's risk with it."""
        keys: dict[str, Any] = {"flags": flags_to_list(flags)}
        now = self.services.clock.now()
        actor = self.services.actor.id
        if self.corrects is None:
            return TimelineEvent(0, self.episode_id, now, actor, EventKind.OVERDOSE_SCREENING, keys)
        body = {"corrected": keys, "amends_kind": EventKind.OVERDOSE_SCREENING.value}
        return TimelineEvent(
            0, self.episode_id, now, actor, EventKind.AMENDMENT, body, amends=self.corrects.id
        )

    @on(Checkbox.Changed)
    def _show_result(self) -> None:
        flags = self.chosen()
        before = episode_risk(self.timeline).level
        after = episode_risk([*self.timeline, self._provisional(flags)]).level
        said_before = before.value.upper() if before else "NOT SCREENED"
        said_after = after.value.upper() if after else "NOT SCREENED"
        count = f"{len(flags)} flag(s)" if flags else "No flags"
        if before is after:
            text = f"{count}: the episode's risk stays {said_after}."
        else:
            text = f"{count}: the episode's risk goes from {said_before} to {said_after}."
        self.query_one("#overdose-result", Static).update(Text(text))

    def problems(self) -> list[str]:
        """A correction needs to say what was wrong."""
        if self.corrects is not None and not self.query_one("#reason", TextArea).text.strip():
            return ["Say what was wrong with the checklist as recorded."]
        return []

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the checklist, or its correction."""
        flags = self.chosen()
        if self.corrects is None:
            return lambda: episodes.record_overdose_screen(self.services, self.episode_id, flags)
        event_id = self.corrects.id
        reason = self.query_one("#reason", TextArea).text
        return lambda: assessments.correct_overdose_screen(
            self.services, self.episode_id, event_id, flags, reason
        )
