"""A client record's history: every edit with the value it replaced, every consent record."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.client_details import CLIENT_LABELS
from oncall.services.errors import ServiceError
from oncall.services.record_history import (
    ConsentRecord,
    FieldChange,
    RecordHistory,
    record_history,
)
from oncall.ui.base import OnCallScreen
from oncall.ui.widgets.action_footer import ActionFooter

LABELS = {
    **CLIENT_LABELS,
    "primary_clinician_id": "primary clinician",
    "consent_emergency_contact": "consent: disclosure to emergency contacts",
    "consent_hotline_report": "consent: hotline outcome report",
    "consent_date": "consent date",
    "consent_to_contact": "consent to be contacted",
    "relation": "relation",
}
SCOPES = {
    "emergency_contact_disclosure": "disclosure to emergency contacts",
    "hotline_outcome_report": "the outcome report to a referring hotline",
}
PRIVATE = frozenset({"name", "preferred_name", "phone", "address", "date_of_birth", "zip"})
"""Values privacy mode does not show (names, numbers, places)."""


class RecordHistoryScreen(OnCallScreen[None]):
    """Oldest first: who changed what, when, from which value to which; consent given or revoked."""

    HELP_TITLE = "record history"
    DEFAULT_CSS = """
    RecordHistoryScreen #history { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose record's history is shown."""

    def compose(self) -> ComposeResult:
        """The history, scrolling; the footer."""
        with VerticalScroll(id="history"):
            yield Static(id="history-text")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Read once: each read is an audited view, and an audit entry wakes every console."""
        self.read_safely(self._load, None)
        super().on_mount()

    def _load(self) -> None:
        try:
            history = record_history(self.services, self.client_id)
        except ServiceError as error:
            self.query_one("#history-text", Static).update(Text(str(error)))
            return
        self.query_one("#history-text", Static).update(self._text(history))

    def _when(self, moment: datetime) -> str:
        return moment.astimezone(self.services.settings.zone).strftime("%b %d %Y %H:%M")

    def _text(self, history: RecordHistory) -> Text:
        names = history.staff_names
        text = Text()
        text.append("Record history, oldest first. ", style="bold")
        team = ", ".join(names.get(i, f"staff {i}") for i in history.care_team)
        text.append(f"Care team now: {team or 'nobody beyond the primary clinician'}")
        entries: list[tuple[datetime, int, Text]] = []
        # A consent flag's change is told once, by its consent record (scope, date, who).
        for change in (c for c in history.changes if not c.field.startswith("consent_")):
            entries.append((change.changed_at, 0, self._change(change, history)))
        for record in history.consents:
            entries.append((record.recorded_at, 1, self._consent(record, history)))
        if not entries:
            text.append("\n\nNothing has been changed since the record was made.")
        for _, _, line in sorted(entries, key=lambda e: (e[0], e[1])):
            text.append("\n")
            text.append_text(line)
        return text

    def _change(self, change: FieldChange, history: RecordHistory) -> Text:
        who = history.staff_names.get(change.changed_by or 0, "unknown")
        line = Text()
        line.append(f"{self._when(change.changed_at)}  {who}: ", style="dim")
        field = LABELS.get(change.field, change.field.replace("_", " "))
        if change.contact_id is not None:
            contact = history.contact_names.get(change.contact_id, "a contact")
            field = f"{contact}'s {field}"
        line.append(field, style="bold")
        if change.field == "primary_clinician_id":
            old, new = (self._staff(v, history) for v in (change.old_value, change.new_value))
        else:
            old, new = (self._shown(change.field, v) for v in (change.old_value, change.new_value))
        if self.services.settings.privacy_mode and change.field in PRIVATE:
            line.append(" changed (values hidden in privacy mode)")
        else:
            line.append(f" {old} → {new}")
        return line

    def _consent(self, record: ConsentRecord, history: RecordHistory) -> Text:
        who = history.staff_names.get(record.recorded_by, "unknown")
        line = Text()
        line.append(f"{self._when(record.recorded_at)}  {who}: ", style="dim")
        line.append(
            "consent GIVEN" if record.given else "consent REVOKED",
            style="bold green" if record.given else "bold red",
        )
        if record.contact_id is not None:
            contact = history.contact_names.get(record.contact_id, "a contact")
            line.append(f" to contact {contact}")
        else:
            line.append(f" to {SCOPES.get(record.scope, record.scope)}")
        line.append(f", dated {record.dated}")
        if record.given and record.until:
            line.append(f", until {record.until}")
        return line

    @staticmethod
    def _shown(field: str, value: str | None) -> str:
        if value is None or value == "":
            return "(none)"
        if field.startswith("consent_") and field != "consent_date":
            return "yes" if value == "1" else "no"
        return value

    @staticmethod
    def _staff(value: str | None, history: RecordHistory) -> str:
        return history.staff_names.get(int(value), "unknown") if value else "(none)"

    def action_back(self) -> None:
        """Back to the record."""
        self.dismiss()
