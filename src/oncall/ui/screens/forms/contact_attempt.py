"""Logging a contact attempt: who, by what channel, what came of it (W3)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, TextArea

from oncall.domain.models import TimelineEvent
from oncall.domain.types import ContactChannel, ContactResult
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.screens.forms.contact_fields import channel_select, result_select


class ContactAttemptForm(ServiceForm[TimelineEvent]):
    """A call, text, video or visit attempt and its result."""

    FORM_TITLE = "Contact attempt"

    def __init__(self, services: ServiceContext, episode_id: int, client_name: str) -> None:
        super().__init__(services, episode_id)
        self.client_name = client_name
        """Offered as who was contacted; most attempts are to the client."""

    def compose_fields(self) -> ComposeResult:
        """Who, channel, result, note."""
        yield Label("Who was contacted", classes="field-label")
        yield Input(self.client_name, id="who")
        yield Label("Channel", classes="field-label")
        yield channel_select(ContactChannel.PHONE)
        yield Label("Result", classes="field-label")
        yield result_select()
        yield Label("Note (optional)", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start at the result: who and channel are usually right already."""
        super().on_mount()
        self.query_one("#result").focus()

    def problems(self) -> list[str]:
        """Who and the result are required."""
        found = []
        if not self.query_one("#who", Input).value.strip():
            found.append("Say who was contacted.")
        if self.query_one("#result", Select).value is Select.NULL:
            found.append("Choose the result of the attempt.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the attempt."""
        who = self.query_one("#who", Input).value
        channel = self.query_one("#channel", Select).value
        result = self.query_one("#result", Select).value
        note = self.query_one("#note", TextArea).text
        assert isinstance(channel, ContactChannel) and isinstance(result, ContactResult)
        return lambda: episodes.record_contact_attempt(
            self.services, self.episode_id, who=who, channel=channel, result=result, note=note
        )
