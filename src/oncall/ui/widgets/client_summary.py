"""The top of the client screen: who the client is, consent, and emergency contacts."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from oncall.domain.models import consent_in_force
from oncall.services.episodes import contacts_who_may_be_told
from oncall.services.views import ClientRecord
from oncall.ui.format import initials
from oncall.ui.widgets.client_header import consent_end


def _flag(text: Text, label: str, given: bool, until: str | None, today: date) -> None:
    on = consent_in_force(given, until, today)
    text.append(f"{label} ")
    text.append("YES" if on else "NO", style="bold green" if on else "bold red")
    text.append(consent_end(given, until, today), style="" if on else "bold red")


def summary_text(record: ClientRecord, *, privacy: bool = False, today: date | None = None) -> Text:
    """Identity, consent and contacts as plain Text (names and numbers are never markup).

    `today` is the clinic's date, against which each consent's end date is read.
    """
    today = today or date.today()
    client = record.client
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(initials(client.name) if privacy else client.name, style="bold")
    if client.preferred_name and not privacy:
        text.append(f' ("{client.preferred_name}")', style="bold")
    clinician = record.primary_clinician
    phone = "hidden" if privacy else (client.phone or "no phone on file")
    text.append(
        f" · {client.pronouns or 'pronouns not given'} · {client.program or 'no program'}"
        f" · clinician {clinician.display_name if clinician else 'none on file'}"
        f" · phone {phone} · {client.external_ref}"
    )
    if record.care_team:
        text.append(f" · care team {', '.join(record.care_team)}")
    text.append("\nConsent: ")
    _flag(
        text,
        "emergency-contact disclosure",
        client.consent_emergency_contact,
        client.consent_emergency_contact_until,
        today,
    )
    text.append(" · ")
    _flag(
        text,
        "hotline outcome report",
        client.consent_hotline_report,
        client.consent_hotline_report_until,
        today,
    )
    text.append(
        f" (dated {client.consent_date})" if client.consent_date else " (no consent date)",
        style="dim",
    )
    text.append("\nEmergency contacts: ")
    allowed = {c.id for c in contacts_who_may_be_told(client, record.contacts, today)[0]}
    if not record.contacts:
        text.append("none on file", style="dim")
    for number, contact in enumerate(record.contacts):
        if number:
            text.append(" · ")
        name = initials(contact.name) if privacy else contact.name
        text.append(name, style="bold")
        relation = f" ({contact.relation})" if contact.relation else ""
        phone = "" if privacy else f" {contact.phone or 'no phone'}"
        text.append(f"{relation}{phone} ")
        may = contact.id in allowed
        text.append(
            "may be contacted" if may else "NOT to be contacted",
            style="green" if may else "bold red",
        )
        text.append(
            consent_end(contact.consent_to_contact, contact.consent_until, today),
            style="green" if may else "bold red",
        )
    return text


class ClientSummary(Static):
    """Three lines at the top of the client screen."""

    DEFAULT_CSS = """
    ClientSummary { height: auto; background: $boost; padding: 0 1; }
    """

    def show(self, record: ClientRecord, *, privacy: bool, today: date | None = None) -> None:
        """Show a freshly read client record (consent read against the clinic's `today`)."""
        self.update(summary_text(record, privacy=privacy, today=today))

    def show_message(self, message: str) -> None:
        """Say why there is nothing to show (not found, or not this user's to open)."""
        self.update(Text(message, style="bold red"))
