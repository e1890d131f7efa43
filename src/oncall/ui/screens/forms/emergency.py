"""Emergency disclosures: services requested (42 CFR 2.51) and an emergency contact told."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Select, Static, TextArea

from oncall.domain.models import EmergencyContact, TimelineEvent
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm

SERVICES = ["911", "Mobile crisis team", "Emergency department", "Police wellness check"]
"""Offered as the user types; any other service may be typed."""


class EmergencyServicesForm(ServiceForm[TimelineEvent]):
    """A 911 / mobile crisis / ED request with the disclosure record 42 CFR 2.51(c) requires."""

    FORM_TITLE = "Emergency services requested"

    def __init__(
        self, services: ServiceContext, episode_id: int, *, service: str = "", nature: str = ""
    ) -> None:
        super().__init__(services, episode_id)
        self.service = service
        """The service filled in when the form opens (911 from the overdose protocol)."""
        self.nature = nature
        """The nature of the emergency filled in when the form opens."""

    def compose_fields(self) -> ComposeResult:
        """Service, who received the information and their affiliation, why, reference."""
        yield Static(
            Text(
                f"Recorded as an emergency disclosure (42 CFR 2.51): disclosed by"
                f" {self.services.actor.display_name}, now."
            ),
            classes="hint",
        )
        yield Label("Service requested", classes="field-label")
        yield Input(
            id="service",
            placeholder="911, mobile crisis team, emergency department…",
            suggester=SuggestFromList(SERVICES, case_sensitive=False),
            value=self.service,
        )
        yield Label("Who received the information (name, badge or ID)", classes="field-label")
        yield Input(id="recipient-name")
        yield Label("Their affiliation", classes="field-label")
        yield Input(id="affiliation", placeholder="e.g. Orange County Fire Authority dispatch")
        yield Label("Nature of the emergency", classes="field-label")
        yield TextArea(self.nature, id="nature")
        yield Label("Reference (optional): incident or call number", classes="field-label")
        yield Input(id="reference")

    def on_mount(self) -> None:
        """Start at the service, or at who received it when the service is filled in."""
        super().on_mount()
        self.query_one("#recipient-name" if self.service else "#service").focus()

    def problems(self) -> list[str]:
        """Everything but the reference is required by the disclosure rule."""
        needed = [
            ("#service", "Name the service requested."),
            ("#recipient-name", "Say who received the information."),
            ("#affiliation", "Give their affiliation."),
        ]
        found = [say for field, say in needed if not self.query_one(field, Input).value.strip()]
        if not self.query_one("#nature", TextArea).text.strip():
            found.append("Describe the nature of the emergency.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the request and the disclosure."""
        service = self.query_one("#service", Input).value
        name = self.query_one("#recipient-name", Input).value
        affiliation = self.query_one("#affiliation", Input).value
        nature = self.query_one("#nature", TextArea).text
        reference = self.query_one("#reference", Input).value
        return lambda: episodes.record_emergency_services(
            self.services,
            self.episode_id,
            service=service,
            recipient_name=name,
            recipient_affiliation=affiliation,
            nature_of_emergency=nature,
            reference=reference,
        )


class EmergencyContactForm(ServiceForm[TimelineEvent]):
    """Tell an emergency contact; offered only for contacts whose consent is on file."""

    FORM_TITLE = "Emergency contact notified"

    def __init__(
        self, services: ServiceContext, episode_id: int, contacts: Sequence[EmergencyContact]
    ) -> None:
        super().__init__(services, episode_id)
        self.contacts = list(contacts)
        """The contacts the client consented to be told."""

    def compose_fields(self) -> ComposeResult:
        """Which contact and what was said."""
        yield Static(
            Text("Only contacts the client consented to be told are listed."), classes="hint"
        )
        yield Label("Contact", classes="field-label")
        yield Select(
            [
                (f"{c.name} ({c.relation or 'relation not given'}) {c.phone or 'no phone'}", c.id)
                for c in self.contacts
            ],
            id="contact",
            prompt="Who was told?",
            value=self.contacts[0].id if len(self.contacts) == 1 else Select.NULL,
        )
        yield Label("What was said", classes="field-label")
        yield TextArea(id="said")

    def on_mount(self) -> None:
        """Start at what was said when there is only one contact to choose."""
        super().on_mount()
        self.query_one("#said" if len(self.contacts) == 1 else "#contact").focus()

    def problems(self) -> list[str]:
        """A contact and what was said are required."""
        found = []
        if self.query_one("#contact", Select).value is Select.NULL:
            found.append("Choose who was told.")
        if not self.query_one("#said", TextArea).text.strip():
            found.append("Write what was said.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the notification (the service checks consent again)."""
        contact_id = self.query_one("#contact", Select).value
        said = self.query_one("#said", TextArea).text
        assert isinstance(contact_id, int)
        return lambda: episodes.notify_emergency_contact(
            self.services, self.episode_id, contact_id, what_was_said=said
        )
