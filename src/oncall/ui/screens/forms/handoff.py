"""Warm handoff to another service, and confirming a hotline's handoff (W3, W7)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static, TextArea

from oncall.domain.models import Episode, Handoff, TimelineEvent
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm


class WarmHandoffForm(ServiceForm[TimelineEvent]):
    """The client was handed over, in person or on the line, to another service."""

    FORM_TITLE = "Warm handoff"

    def compose_fields(self) -> ComposeResult:
        """To whom, their organization, a reference, a note."""
        yield Label("Handed to (name or role)", classes="field-label")
        yield Input(id="to-whom", placeholder="e.g. Dana, intake nurse")
        yield Label("Their organization", classes="field-label")
        yield Input(id="organization", placeholder="e.g. Harbor Crisis Stabilization Unit")
        yield Label("Reference (optional): their case or call number", classes="field-label")
        yield Input(id="reference")
        yield Label("Note (optional)", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start at who received the client."""
        super().on_mount()
        self.query_one("#to-whom").focus()

    def problems(self) -> list[str]:
        """Who and their organization are required."""
        found = []
        if not self.query_one("#to-whom", Input).value.strip():
            found.append("Say who received the handoff.")
        if not self.query_one("#organization", Input).value.strip():
            found.append("Name their organization.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the handoff."""
        to_whom = self.query_one("#to-whom", Input).value
        organization = self.query_one("#organization", Input).value
        reference = self.query_one("#reference", Input).value
        note = self.query_one("#note", TextArea).text
        return lambda: episodes.record_warm_handoff(
            self.services,
            self.episode_id,
            to_whom=to_whom,
            organization=organization,
            reference=reference,
            note=note,
        )


class ConfirmHandoffForm(ServiceForm[Episode]):
    """Contact made with a client a hotline handed over: the handoff is no longer pending."""

    FORM_TITLE = "Confirm the hotline handoff"
    SAVE_LABEL = "Confirm contact"

    def __init__(self, services: ServiceContext, episode_id: int, handoff: Handoff | None) -> None:
        super().__init__(services, episode_id)
        self.handoff = handoff
        """The hotline's handoff being confirmed."""

    def compose_fields(self) -> ComposeResult:
        """Which handoff, and a note."""
        if self.handoff is not None:
            h = self.handoff
            yield Static(
                Text(
                    f"From {h.org}, counselor {h.counselor or 'not given'},"
                    f" reference {h.reference or 'none'}, callback {h.callback or 'none'}."
                ),
                classes="hint",
            )
        yield Label("Note (optional): how contact was made", classes="field-label")
        yield TextArea(id="note")

    def on_mount(self) -> None:
        """Start in the note."""
        super().on_mount()
        self.query_one("#note").focus()

    def saver(self) -> Callable[[], Episode]:
        """Confirm the handoff."""
        note = self.query_one("#note", TextArea).text
        return lambda: episodes.confirm_handoff(self.services, self.episode_id, note)
