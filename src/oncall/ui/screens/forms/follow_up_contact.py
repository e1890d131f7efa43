"""Contacting the client for a follow-up (W4): an attempt and its result, or a caring message."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Label, Select, TextArea

from oncall.domain.followup_plan import MAX_ATTEMPTS
from oncall.domain.models import FollowUp
from oncall.domain.types import ContactChannel, ContactResult
from oncall.services import followups
from oncall.services.context import ServiceContext
from oncall.services.followup_workspace import FollowUpView
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.screens.forms.contact_fields import channel_select, result_select
from oncall.ui.widgets.timeline_text import FOLLOW_UP_LABELS


class FollowUpForm(ServiceForm[FollowUp]):
    """A form that changes one follow-up; its title names the follow-up, never the client."""

    ACTION: str = "Follow-up"

    def __init__(self, services: ServiceContext, view: FollowUpView) -> None:
        super().__init__(services, view.follow_up.episode_id)
        self.follow_up_id = view.follow_up.id
        """The follow-up the form changes."""
        self.view = view
        """The follow-up as the workspace last read it."""

    def form_title(self) -> str:
        """ "Record an attempt — follow-up F-3, call at 72 h"."""
        kind = FOLLOW_UP_LABELS[self.view.follow_up.kind].lower()
        return f"{self.ACTION} — follow-up {self.view.ref}, {kind}"


class FollowUpAttemptForm(FollowUpForm):
    """One attempt: channel, result, note. Reached completes it; the fifth miss exhausts it."""

    ACTION = "Record an attempt"

    def compose_fields(self) -> ComposeResult:
        """Channel, result, note."""
        left = MAX_ATTEMPTS - self.view.follow_up.attempts
        yield Label(f"Attempt {self.view.follow_up.attempts + 1} of {MAX_ATTEMPTS}", classes="hint")
        if left == 1:
            yield Label(
                "This is the last attempt: a miss escalates to the supervisor.", classes="hint"
            )
        yield Label("Channel", classes="field-label")
        yield channel_select(ContactChannel.PHONE)
        yield Label("Result (reached completes the follow-up)", classes="field-label")
        yield result_select()
        yield Label("Note (optional)", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start at the result: the channel is usually the phone."""
        super().on_mount()
        self.query_one("#result").focus()

    def problems(self) -> list[str]:
        """The result is required."""
        if self.query_one("#result", Select).value is Select.NULL:
            return ["Choose the result of the attempt."]
        return []

    def saver(self) -> Callable[[], FollowUp]:
        """Record the attempt."""
        channel = self.query_one("#channel", Select).value
        result = self.query_one("#result", Select).value
        note = self.query_one("#note", TextArea).text
        assert isinstance(channel, ContactChannel) and isinstance(result, ContactResult)
        return lambda: followups.record_follow_up_attempt(
            self.services, self.follow_up_id, channel=channel, result=result, note=note
        )


class CaringContactForm(FollowUpForm):
    """A caring contact: a brief message sent, no answer expected; sending it completes it."""

    ACTION = "Caring contact sent"

    def compose_fields(self) -> ComposeResult:
        """Channel and what the message said."""
        yield Label("Channel", classes="field-label")
        yield channel_select(ContactChannel.TEXT)
        yield Label("What the message said", classes="field-label")
        yield TextArea(id="message")

    def on_mount(self) -> None:
        """Start at the message."""
        super().on_mount()
        self.query_one("#message").focus()

    def problems(self) -> list[str]:
        """The message is required."""
        if not self.query_one("#message", TextArea).text.strip():
            return ["Say what the message said (a line is enough)."]
        return []

    def saver(self) -> Callable[[], FollowUp]:
        """Record the caring contact."""
        channel = self.query_one("#channel", Select).value
        message = self.query_one("#message", TextArea).text
        assert isinstance(channel, ContactChannel)
        return lambda: followups.record_caring_contact(
            self.services, self.follow_up_id, channel=channel, message=message
        )
