"""Consent on file (42 CFR Part 2): record or revoke each scope, dated, in the recorder's name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from oncall.domain.client_details import DetailProblem, parse_consent_date, parse_consent_end
from oncall.domain.models import Client, EmergencyContact
from oncall.services import client_care, client_intake
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.client_form import ClientForm
from oncall.ui.widgets.toggles import MarkedCheckbox


class ConsentForm(ClientForm):
    """One box per scope as now on file; ticking records consent, clearing revokes it."""

    FORM_TITLE = "Consent on file (42 CFR Part 2)"
    DEFAULT_CSS = """
    ConsentForm .consent-scope { height: auto; }
    ConsentForm .consent-scope MarkedCheckbox { width: 1fr; }
    ConsentForm #form-body .consent-until { width: 20; }
    """

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
                f"below, by {who}. A consent may be given until a day (the last day it holds; "
                "blank: until revoked); past it, it counts as not given."
            ),
            classes="hint",
        )
        client, today = self.client, self._today()
        yield Label("The client consents to", classes="field-label")
        yield from self._scope(
            "disclosure",
            "disclosure to emergency contacts in a crisis",
            client.disclosure_consent(today),
            client.consent_emergency_contact_until,
        )
        yield from self._scope(
            "hotline",
            "the outcome being reported to a referring hotline",
            client.hotline_consent(today),
            client.consent_hotline_report_until,
        )
        if self.contacts:
            yield Label("Each contact may be contacted", classes="field-label")
        for contact in self.contacts:
            yield from self._scope(
                f"contact-{contact.id}",
                self._contact_label(contact),
                contact.contact_consent(today),
                contact.consent_until,
            )
        yield Label("Date the client gave or withdrew it (YYYY-MM-DD)", classes="field-label")
        yield Input(today.isoformat(), id="dated")

    def _today(self) -> date:
        return client_intake.clinic_today(self.services)

    def _scope(
        self, key: str, label: str | Text, in_force: bool, until: str | None
    ) -> ComposeResult:
        """A box (ticked when in force now) and the day it holds until."""
        with Horizontal(classes="consent-scope"):
            yield MarkedCheckbox(label, in_force, id=key, compact=True)
            yield Input(
                (until or "") if in_force else "",
                id=f"{key}-until",
                placeholder="until YYYY-MM-DD",
                classes="consent-until",
            )

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

    def _keys(self) -> list[tuple[str, str, int | None, str]]:
        """(widget id, scope, contact id, words) for every box."""
        return [
            ("disclosure", client_care.DISCLOSURE, None, "disclosure to emergency contacts"),
            ("hotline", client_care.HOTLINE, None, "the outcome report"),
            *[
                (f"contact-{c.id}", client_care.CONTACT, c.id, f"contact {self.shown_name(c.name)}")
                for c in self.contacts
            ],
        ]

    def _state(self) -> client_care.ConsentState:
        until: dict[str, date | None] = {}
        for key, scope, contact_id, what in self._keys():
            text = self.query_one(f"#{key}-until", Input).value
            until[client_care.until_key(scope, contact_id)] = parse_consent_end(text, what)
        return client_care.ConsentState(
            self.query_one("#disclosure", MarkedCheckbox).value,
            self.query_one("#hotline", MarkedCheckbox).value,
            {c.id: self.query_one(f"#contact-{c.id}", MarkedCheckbox).value for c in self.contacts},
            until,
        )

    def problems(self) -> list[str]:
        """A date the consent could have been given, end dates to come; and something changed."""
        try:
            self._dated()
            state = self._state()
        except DetailProblem as problem:
            return [str(problem)]
        today, client = self._today(), self.client
        on_file = {
            "disclosure": (
                client.disclosure_consent(today),
                client.consent_emergency_contact_until,
            ),
            "hotline": (client.hotline_consent(today), client.consent_hotline_report_until),
            **{
                f"contact-{c.id}": (c.contact_consent(today), c.consent_until)
                for c in self.contacts
            },
        }
        changed = False
        for key, scope, contact_id, what in self._keys():
            want = self.query_one(f"#{key}", MarkedCheckbox).value
            until = state.until[client_care.until_key(scope, contact_id)]
            in_force, until_on_file = on_file[key]
            if want and until is not None and until < today:
                return [f"The end date of consent to {what} has passed."]
            shown = until.isoformat() if until else None
            changed |= want != in_force or (want and shown != until_on_file)
        return [] if changed else ["Tick or clear a box: nothing differs from what is on file."]

    def saver(self) -> Callable[[], Any]:
        """Record each change in one transaction."""
        ctx, client_id, state, dated = self.services, self.client.id, self._state(), self._dated()
        return lambda: client_care.record_consent(ctx, client_id, state, dated)
