"""Consent on file (42 CFR Part 2): record or revoke each scope, dated, in the recorder's name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from oncall.domain.client_details import DetailProblem, parse_consent_date
from oncall.domain.models import Client, EmergencyContact
from oncall.services import client_care, client_intake
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.client_form import ClientForm
from oncall.ui.widgets.toggles import MarkedCheckbox


class ConsentForm(ClientForm):
    """One box per scope as now on file; ticking records consent, clearing revokes it."""

    FORM_TITLE = "Consent on file (42 CFR Part 2)"

    def __init__(
        self, services: ServiceContext, client: Client, contacts: list[EmergencyContact]
    ) -> None:
        super().__init__(services)
        self.client = client
        """Whose consent it is."""
        self.contacts = contacts
        """Their emergency contacts, each with its own consent to contact."""

    def compose_fields(self) -> ComposeResult:
        """The two disclosure scopes, each contact, and the date the client signed."""
        who = self.services.actor.display_name
        yield Static(
            Text(
                f"Each box ticked or cleared is recorded as consent given or revoked, dated as "
                f"below, by {who}. Nothing else changes."
            ),
            classes="hint",
        )
        yield Label("The client consents to", classes="field-label")
        yield MarkedCheckbox(
            "disclosure to emergency contacts in a crisis",
            self.client.consent_emergency_contact,
            id="disclosure",
            compact=True,
        )
        yield MarkedCheckbox(
            "the outcome being reported to a referring hotline",
            self.client.consent_hotline_report,
            id="hotline",
            compact=True,
        )
        if self.contacts:
            yield Label("Each contact may be contacted", classes="field-label")
        for contact in self.contacts:
            label = self._contact_label(contact)
            yield MarkedCheckbox(
                label, contact.consent_to_contact, id=f"contact-{contact.id}", compact=True
            )
        yield Label("Date the client gave or withdrew it (YYYY-MM-DD)", classes="field-label")
        yield Input(client_intake.clinic_today(self.services).isoformat(), id="dated")

    def _contact_label(self, contact: EmergencyContact) -> Text:
        name = self.shown_name(contact.name)
        return Text(f"{name} ({contact.relation or 'relation not given'})")

    def privacy_changed(self) -> None:
        """Name the contacts as privacy mode now says (initials when on)."""
        super().privacy_changed()
        for contact in self.contacts:
            box = self.query_one(f"#contact-{contact.id}", MarkedCheckbox)
            box.label = self._contact_label(contact)

    def on_mount(self) -> None:
        """Start at the first box."""
        super().on_mount()
        self.query_one("#disclosure", MarkedCheckbox).focus()

    def _dated(self) -> date:
        text = self.query_one("#dated", Input).value
        return parse_consent_date(text, client_intake.clinic_today(self.services))

    def _state(self) -> client_care.ConsentState:
        return client_care.ConsentState(
            self.query_one("#disclosure", MarkedCheckbox).value,
            self.query_one("#hotline", MarkedCheckbox).value,
            {c.id: self.query_one(f"#contact-{c.id}", MarkedCheckbox).value for c in self.contacts},
        )

    def problems(self) -> list[str]:
        """A date the consent could have been given; and something changed."""
        try:
            self._dated()
        except DetailProblem as problem:
            return [str(problem)]
        state, client = self._state(), self.client
        unchanged = (
            state.emergency_contact_disclosure == client.consent_emergency_contact
            and state.hotline_outcome_report == client.consent_hotline_report
            and all(state.contacts[c.id] == c.consent_to_contact for c in self.contacts)
        )
        return ["Tick or clear a box: nothing differs from what is on file."] if unchanged else []

    def saver(self) -> Callable[[], Any]:
        """Record each change in one transaction."""
        ctx, client_id, state, dated = self.services, self.client.id, self._state(), self._dated()
        return lambda: client_care.record_consent(ctx, client_id, state, dated)
