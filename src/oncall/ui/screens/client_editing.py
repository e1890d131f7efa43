"""The client record's editing keys: details, emergency contacts, consent, care team."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType

from oncall.services import client_care
from oncall.services.views import ClientRecord
from oncall.ui.base import OnCallScreen
from oncall.ui.screens.forms.care_team import CareTeamForm
from oncall.ui.screens.forms.client_details import ClientDetailsForm
from oncall.ui.screens.forms.consent import ConsentForm
from oncall.ui.screens.forms.contact import ContactForm
from oncall.ui.screens.record_history import RecordHistoryScreen

EDIT_BINDINGS: list[BindingType] = [
    Binding("d", "edit_details", "Details", tooltip="Correct the client's contact details"),
    Binding("k", "edit_contacts", "Contacts", tooltip="Add or correct an emergency contact"),
    Binding("g", "edit_consent", "Consent", tooltip="Record or revoke consent (dated)"),
    Binding(
        "t",
        "edit_care_team",
        "Care team",
        tooltip="Assign the primary clinician, care team and program (supervisors, admins)",
    ),
    Binding("h", "record_history", "History", tooltip="Every change with its earlier value"),
]
"""The editing keys, listed after the record's own (ClientScreen.BINDINGS)."""
EDIT_ACTIONS = frozenset(
    {"edit_details", "edit_contacts", "edit_consent", "edit_care_team", "record_history"}
)


class ClientEditing(OnCallScreen[None]):
    """Keys that change a client's record; each opens a form saved through a service.

    The services decide who may (services/client_intake.py, client_care.py); keys a
    role may never use are hidden, as F2 is from clinicians (ui/app.py).
    """

    client_id: int
    record: ClientRecord | None

    def load(self) -> None:
        """Re-read the record (the client screen's)."""

    def edit_allowed(self, action: str) -> bool | None:
        """False hides a key the role never has; None dims it until the record is read."""
        role = self.services.actor.role
        if action == "edit_consent" and role not in client_care.CONSENT_ROLES:
            return False
        if action == "edit_care_team" and role not in client_care.ASSIGN_ROLES:
            return False
        return True if self.record is not None else None

    def _saved(self, what: str) -> Any:
        def done(result: object) -> None:
            if result is not None:
                self.notify(f"{what} saved.")
                self.load()

        return done

    def action_edit_details(self) -> None:
        """Correct name, phone, address and the rest; the earlier values are kept."""
        if self.record is not None:
            form = ClientDetailsForm(self.services, client=self.record.client)
            self.app.push_screen(form, self._saved("Contact details"))

    def action_edit_contacts(self) -> None:
        """Add an emergency contact or correct one on file."""
        if self.record is not None:
            form = ContactForm(self.services, self.client_id, self.record.contacts)
            self.app.push_screen(form, self._saved("Emergency contact"))

    def action_edit_consent(self) -> None:
        """Record or revoke consent, each scope and each contact."""
        if self.record is not None and self.edit_allowed("edit_consent"):
            form = ConsentForm(self.services, self.record.client, self.record.contacts)
            self.app.push_screen(form, self._saved("Consent"))

    def action_record_history(self) -> None:
        """Every edit of the record with the value it replaced, and every consent record."""
        if self.record is not None:
            self.app.push_screen(RecordHistoryScreen(self.client_id))

    def action_edit_care_team(self) -> None:
        """Assign the primary clinician, the care team and the program."""
        if self.record is None or not self.edit_allowed("edit_care_team"):
            return
        staff, team = client_care.care_team_choices(self.services, self.client_id)
        form = CareTeamForm(self.services, self.record.client, staff, team)
        self.app.push_screen(form, self._saved("Care team"))
