"""Forms for the simple timeline events: note, coping used, referral, safety-plan review."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Input, Label, TextArea

from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm

_TITLES = {
    EventKind.NOTE: ("Add a note", "Note"),
    EventKind.COPING_USED: (
        "Coping / de-escalation used",
        "What was used, and how the client responded",
    ),
    EventKind.REFERRAL: ("Referral to a resource", "Why, and what was agreed"),
}


class TextEventForm(ServiceForm[TimelineEvent]):
    """A note, a coping / de-escalation strategy used, or a referral to a resource."""

    def __init__(self, services: ServiceContext, episode_id: int, kind: EventKind) -> None:
        if kind not in _TITLES:
            raise ValueError(f"No text form for {kind.value}")
        super().__init__(services, episode_id)
        self.kind = kind
        """Which event the form records."""

    def form_title(self) -> str:
        """Which of the three events this is."""
        return _TITLES[self.kind][0]

    def compose_fields(self) -> ComposeResult:
        """A resource line for referrals, then the text."""
        if self.kind is EventKind.REFERRAL:
            yield Label("Resource referred to (name, phone)", classes="field-label")
            yield Input(id="resource", placeholder="e.g. Harbor Crisis Stabilization Unit")
        yield Label(_TITLES[self.kind][1], classes="field-label")
        yield TextArea(id="text")

    def on_mount(self) -> None:
        """Start in the first field."""
        super().on_mount()
        first = "#resource" if self.kind is EventKind.REFERRAL else "#text"
        self.query_one(first).focus()

    def problems(self) -> list[str]:
        """The text (and for a referral, the resource) is required."""
        found = []
        if self.kind is EventKind.REFERRAL and not self.query_one("#resource", Input).value.strip():
            found.append("Name the resource the client was referred to.")
        if not self.query_one("#text", TextArea).text.strip():
            found.append(f"Write the {_TITLES[self.kind][1].lower()}.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the event."""
        text = self.query_one("#text", TextArea).text
        body: dict[str, object] = {"text": text}
        if self.kind is EventKind.REFERRAL:
            body["resource"] = self.query_one("#resource", Input).value
        kind = self.kind
        return lambda: episodes.record_event(self.services, self.episode_id, kind, body)


class SafetyPlanReviewForm(ServiceForm[TimelineEvent]):
    """Record that the current safety plan was gone over with the client."""

    FORM_TITLE = "Safety plan reviewed with the client"

    def compose_fields(self) -> ComposeResult:
        """An optional note on what changed or was agreed."""
        yield Label(
            "Records a review of the current plan version. To change the plan itself,"
            " open the client screen.",
            classes="hint",
        )
        yield Label(
            "Note (optional): what was gone over, what needs changing", classes="field-label"
        )
        yield TextArea(id="text")

    def on_mount(self) -> None:
        """Start in the note."""
        super().on_mount()
        self.query_one("#text").focus()

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the review."""
        note = self.query_one("#text", TextArea).text
        return lambda: episodes.record_safety_plan_review(self.services, self.episode_id, note)
