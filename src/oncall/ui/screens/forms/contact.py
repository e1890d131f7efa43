"""An emergency contact: add a new one or correct one on file (consent is recorded apart)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from oncall.domain.client_details import CONTACT_LABELS, DetailProblem, clean_contact
from oncall.domain.models import EmergencyContact
from oncall.services import client_intake
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.client_form import ClientForm
from oncall.ui.screens.forms.drafts import FieldState

NEW = 0
"""The choice "a new contact" in the contact list."""


class ContactForm(ClientForm):
    """Name, relation and phone of one emergency contact, new or on file."""

    FORM_TITLE = "Emergency contact"
    PRIVATE_FIELDS = frozenset({"name", "phone"})

    def __init__(
        self, services: ServiceContext, client_id: int, contacts: Sequence[EmergencyContact]
    ) -> None:
        super().__init__(services)
        self.client_id = client_id
        """Whose contact it is."""
        self.contacts = {c.id: c for c in contacts}
        """The contacts on file, by id."""

    def compose_fields(self) -> ComposeResult:
        """Which contact (a new one by default), then its fields."""
        yield Static(
            Text(
                "A new contact has no consent to be contacted until it is recorded "
                "(g on the record)."
            ),
            classes="hint",
        )
        if self.contacts:
            yield Label("Contact", classes="field-label")
            yield Select(self._options(), value=NEW, allow_blank=False, id="which")
        for key in ("name", "relation", "phone"):
            yield Label(CONTACT_LABELS[key].capitalize(), classes="field-label")
            yield Input(id=key, placeholder="+1-714-555-0199" if key == "phone" else "")

    def _options(self) -> list[tuple[str, int]]:
        return [("A new contact", NEW)] + [
            (f"{self.shown_name(c.name)} ({c.relation or 'relation not given'})", c.id)
            for c in self.contacts.values()
        ]

    def privacy_changed(self) -> None:
        """Mask again, and name the contacts on file as privacy mode now says."""
        super().privacy_changed()
        if self.contacts:
            which = self.query_one("#which", Select)
            chosen = which.value
            with which.prevent(Select.Changed):  # the fields keep what was typed
                which.set_options(self._options())
                which.value = chosen

    def on_mount(self) -> None:
        """Start at the name."""
        super().on_mount()
        self.query_one("#name", Input).focus()

    def fill_from_draft(self, fields: list[FieldState]) -> None:
        """The draft's contact is chosen without filling in their values as stored."""
        # The draft holds what was typed over a contact chosen from those on file.
        with self.prevent(Select.Changed):
            super().fill_from_draft(fields)

    @on(Select.Changed, "#which")
    def _chosen(self, event: Select.Changed) -> None:
        if event.value != event.select.value:
            return  # overtaken: a draft put back since chose another (the initial "new")
        contact = self.contacts.get(event.value) if isinstance(event.value, int) else None
        for key in ("name", "relation", "phone"):
            value = getattr(contact, key) if contact is not None else ""
            self.query_one(f"#{key}", Input).value = value or ""

    def _chosen_id(self) -> int:
        if not self.contacts:
            return NEW
        value = self.query_one("#which", Select).value
        return int(value) if isinstance(value, int) else NEW

    def _values(self) -> dict[str, str | None]:
        return {
            key: self.query_one(f"#{key}", Input).value for key in ("name", "relation", "phone")
        }

    def problems(self) -> list[str]:
        """A name and a phone that can be dialled."""
        try:
            clean_contact(self._values())
        except DetailProblem as problem:
            return [str(problem)]
        return []

    def saver(self) -> Callable[[], Any]:
        """Add the contact, or correct the one chosen."""
        values, chosen, ctx, client_id = (
            self._values(),
            self._chosen_id(),
            self.services,
            self.client_id,
        )
        if chosen == NEW:
            return lambda: client_intake.add_contact(ctx, client_id, values)
        return lambda: client_intake.edit_contact(ctx, client_id, chosen, values)
