"""Ending or moving a follow-up (W4): complete with an outcome, reschedule, hand over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, TextArea

from oncall.domain.followup_work import FollowUpOutcome
from oncall.domain.models import FollowUp
from oncall.services import followup_changes, followups
from oncall.services.errors import ValidationFailed
from oncall.ui.screens.forms.follow_up_contact import FollowUpForm
from oncall.ui.screens.forms.follow_up_plan import DUE_FORMAT, parse_due


class CompleteFollowUpForm(FollowUpForm):
    """Done, with how it ended and an optional note."""

    ACTION = "Complete"

    def compose_fields(self) -> ComposeResult:
        """Outcome and note."""
        yield Label("Outcome", classes="field-label")
        yield Select(
            [(o.label, o) for o in FollowUpOutcome], id="outcome", prompt="How did it end?"
        )
        yield Label("Note (optional)", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start at the outcome."""
        super().on_mount()
        self.query_one("#outcome").focus()

    def problems(self) -> list[str]:
        """The outcome is required."""
        if self.query_one("#outcome", Select).value is Select.NULL:
            return ["Choose the outcome."]
        return []

    def saver(self) -> Callable[[], FollowUp]:
        """Complete the follow-up."""
        outcome = self.query_one("#outcome", Select).value
        note = self.query_one("#note", TextArea).text
        assert isinstance(outcome, FollowUpOutcome)
        return lambda: followups.complete_follow_up(self.services, self.follow_up_id, outcome, note)


class RescheduleFollowUpForm(FollowUpForm):
    """A new due time in clinic time, and why."""

    ACTION = "Reschedule"

    def compose_fields(self) -> ComposeResult:
        """New due time and reason."""
        zone = self.services.settings.zone
        suggested = (self.services.clock.now() + timedelta(days=1)).astimezone(zone)
        yield Label("New due time (YYYY-MM-DD HH:MM, clinic time)", classes="field-label")
        yield Input(suggested.strftime(DUE_FORMAT), id="due")
        yield Label(
            "Reason (kept with the follow-up and on the episode's timeline)", classes="field-label"
        )
        yield TextArea(id="reason")

    def on_mount(self) -> None:
        """Start at the reason: tomorrow at this time is offered as the new time."""
        super().on_mount()
        self.query_one("#reason").focus()

    def problems(self) -> list[str]:
        """A well-formed due time and a reason."""
        found = []
        try:
            parse_due(self.query_one("#due", Input).value, self.services.settings.zone)
        except ValueError as error:
            found.append(str(error))
        if not self.query_one("#reason", TextArea).text.strip():
            found.append("Say why the follow-up is rescheduled.")
        return found

    def saver(self) -> Callable[[], FollowUp]:
        """Reschedule: a new follow-up stands in for this one."""
        try:
            due = parse_due(self.query_one("#due", Input).value, self.services.settings.zone)
        except ValueError as error:
            raise ValidationFailed(str(error)) from None
        reason = self.query_one("#reason", TextArea).text
        return lambda: followup_changes.reschedule_follow_up(
            self.services, self.follow_up_id, due, reason
        )


class HandOverFollowUpForm(FollowUpForm):
    """An active colleague to take it, and what they need to know."""

    ACTION = "Hand over"

    def compose_fields(self) -> ComposeResult:
        """Colleague and note."""
        yield Label(f"Now assigned to {self.view.assignee}. Hand to:", classes="field-label")
        yield Select(
            [
                (f"{s.display_name} ({s.role.value.replace('_', ' ')})", s.id)
                for s in self.view.colleagues
            ],
            id="colleague",
            prompt="Choose a colleague",
        )
        yield Label("Note for them (optional)", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start at the colleague."""
        super().on_mount()
        self.query_one("#colleague").focus()

    def problems(self) -> list[str]:
        """A colleague is required."""
        if self.query_one("#colleague", Select).value is Select.NULL:
            return ["Choose who takes the follow-up."]
        return []

    def saver(self) -> Callable[[], FollowUp]:
        """Hand the follow-up over."""
        colleague = self.query_one("#colleague", Select).value
        note = self.query_one("#note", TextArea).text
        assert isinstance(colleague, int)
        return lambda: followup_changes.hand_over_follow_up(
            self.services, self.follow_up_id, colleague, note
        )
