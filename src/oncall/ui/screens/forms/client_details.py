"""A client's identity and contact details: a new client (intake, or from an alert) or an edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from oncall.domain.client_details import CLIENT_LABELS, DetailProblem, clean_client
from oncall.domain.models import Alert, Client
from oncall.services import alert_matching, client_intake
from oncall.services.context import ServiceContext
from oncall.services.errors import ValidationFailed
from oncall.ui.screens.forms.client_form import ClientForm

EDITABLE = (
    "name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "phone",
    "address",
    "county",
    "zip",
)
"""What an edit may change (the reference is the EHR's key; the program is assigned)."""
PLACEHOLDERS = {
    "external_ref": "the EHR's identifier, as C-1042 or an MRN",
    "date_of_birth": "YYYY-MM-DD",
    "phone": "+1-714-555-0142",
    "zip": "92701",
    "pronouns": "she/her, he/him, they/them…",
}


PRIVATE = frozenset({"name", "preferred_name", "date_of_birth", "phone", "address"})
"""The fields privacy mode masks until revealed (ctrl+r)."""


class ClientDetailsForm(ClientForm):
    """Who the client is and how to reach them; saved as a new client or as an edit.

    With a `client`, an edit (every earlier value is kept); with an `alert`, a new client
    made from an unknown-reference alert and linked to it; with neither, an intake.
    """

    PRIVATE_FIELDS = PRIVATE

    def __init__(
        self, services: ServiceContext, *, client: Client | None = None, alert: Alert | None = None
    ) -> None:
        super().__init__(services)
        self.client = client
        """The client edited (None: a new client)."""
        self.alert = alert
        """The unknown-reference alert the new client is made from, if any."""

    def form_title(self) -> str:
        """Which of the three it is."""
        if self.client is not None:
            return f"Contact details of {self.shown_name(self.client.name)}"
        if self.alert is not None:
            return f"New client for alert {self.alert.id} ({self.alert.client_ref})"
        return "New client (intake)"

    def _fields(self) -> tuple[str, ...]:
        if self.client is not None:
            return EDITABLE
        return ("external_ref", *EDITABLE, "program")

    def compose_fields(self) -> ComposeResult:
        """What the alert said (when from one), then one labelled line per field."""
        if self.alert is not None:
            said = Text("The alert says: ", style="bold")
            said.append(self.alert.summary or "(no summary)", style="")
            if self.alert.location is not None:
                said.append(f"\nWhere: {self.alert.location.text}")
            if self.alert.handoff is not None:
                said.append(f"\nHanded off by {self.alert.handoff.org}")
            yield Static(said, classes="hint")
        elif self.client is None:
            yield Static(
                Text("Consent, emergency contacts and the care team are added from the record."),
                classes="hint",
            )
        for key in self._fields():
            yield Label(CLIENT_LABELS[key].capitalize(), classes="field-label")
            yield Input(self._start_value(key), id=key, placeholder=PLACEHOLDERS.get(key, ""))

    def _start_value(self, key: str) -> str:
        if self.client is not None:
            return str(getattr(self.client, key) or "")
        if self.alert is not None and key == "external_ref":
            return self.alert.client_ref
        if self.alert is not None and key == "zip" and self.alert.location is not None:
            return self.alert.location.zip or ""
        return ""

    def on_mount(self) -> None:
        """Start at the first field to type: the name when the reference is filled in."""
        super().on_mount()
        first = "name" if self.client is not None or self.alert is not None else "external_ref"
        self.query_one(f"#{first}", Input).focus()

    def _values(self) -> dict[str, str | None]:
        return {key: self.query_one(f"#{key}", Input).value for key in self._fields()}

    def problems(self) -> list[str]:
        """The first field that cannot be saved as typed, in words."""
        today = client_intake.clinic_today(self.services)
        values = self._values()
        if self.client is None and self.alert is not None and not values["external_ref"]:
            values["external_ref"] = self.alert.client_ref
        try:
            clean_client(values, today)
        except DetailProblem as problem:
            return [str(problem)]
        if self.client is None and not (values.get("name") or "").strip():
            return ["The full name is required."]
        return []

    def saver(self) -> Callable[[], Any]:
        """An edit, an intake, or a client made from the alert and linked to it."""
        values = self._values()
        ctx, client, alert = self.services, self.client, self.alert
        if client is not None:
            return lambda: client_intake.edit_client_details(ctx, client.id, values)
        if alert is not None:
            return lambda: alert_matching.create_client_for_alert(ctx, alert.id, values)
        if not values.get("name"):
            raise ValidationFailed("The full name is required.")
        return lambda: client_intake.create_client(ctx, values)
