"""Correcting an earlier timeline event with an amendment that points at it (W3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, Select, Static, TextArea

from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind
from oncall.services import episodes
from oncall.services.assessments import CORRECTABLE
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.widgets.timeline_text import describe, event_time

_SHORT = 70


class AmendForm(ServiceForm[TimelineEvent]):
    """Pick the event to correct (the one highlighted on the timeline is chosen) and write why."""

    FORM_TITLE = "Amend an earlier event"

    def __init__(
        self,
        services: ServiceContext,
        episode_id: int,
        events: Sequence[TimelineEvent],
        *,
        chosen: int | None,
        zone: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(services, episode_id)
        # An amendment corrects a record; amending an amendment is done on the original.
        self.events = [e for e in events if e.kind is not EventKind.AMENDMENT]
        """The events that may be amended, oldest first."""
        self.numbers: Mapping[int, int] = {e.id: n for n, e in enumerate(events, 1)}
        self.chosen = chosen if chosen in {e.id for e in self.events} else None
        self.zone = zone
        self.now = now

    def _label(self, event: TimelineEvent) -> Text:
        what = describe(event, self.zone, self.now)
        if len(what) > _SHORT:
            what = what[: _SHORT - 1] + "…"
        return Text(f"#{self.numbers[event.id]} {event_time(event.at, self.zone, self.now)} {what}")

    def compose_fields(self) -> ComposeResult:
        """The event and the correction."""
        yield Label("Event to correct", classes="field-label")
        yield Select(
            [(self._label(e), e.id) for e in reversed(self.events)],
            id="event",
            prompt="Which event?",
            value=self.chosen if self.chosen is not None else Select.NULL,
        )
        yield Label(
            "Correction: what was wrong and what is right (the original stays as it was)",
            classes="field-label",
        )
        yield TextArea(id="correction")
        yield Static(id="amend-screening", classes="hint")

    def on_mount(self) -> None:
        """Start at the correction when the event is already chosen."""
        super().on_mount()
        self.query_one("#correction" if self.chosen is not None else "#event").focus()
        self._screening_hint()

    @on(Select.Changed, "#event")
    def _screening_hint(self) -> None:
        """A correction in words leaves a screening's risk level as it was recorded: say so."""
        chosen = self.query_one("#event", Select).value
        kinds = {e.id: e.kind for e in self.events}
        kind = kinds.get(chosen) if isinstance(chosen, int) else None
        hint = self.query_one("#amend-screening", Static)
        hint.display = kind in CORRECTABLE or kind is EventKind.SAFETY_PLAN_REVIEW
        if kind is EventKind.SAFETY_PLAN_REVIEW:
            hint.update(
                Text(
                    "Amending a safety-plan review withdraws it: the plan is due for review"
                    " again unless it has been reviewed since."
                )
            )
        else:
            hint.update(
                Text(
                    "This correction is in words: the screening's risk level stays as"
                    " recorded. To change its answers (and the level), cancel, highlight it"
                    " on the timeline and press a."
                )
            )

    def problems(self) -> list[str]:
        """An event and a correction are required."""
        found = []
        if self.query_one("#event", Select).value is Select.NULL:
            found.append("Choose the event to correct.")
        if not self.query_one("#correction", TextArea).text.strip():
            found.append("Write the correction.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Append the amendment."""
        event_id = self.query_one("#event", Select).value
        correction = self.query_one("#correction", TextArea).text
        assert isinstance(event_id, int)
        return lambda: episodes.amend_event(self.services, self.episode_id, event_id, correction)
