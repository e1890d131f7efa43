"""A packed client in the console's words: header, contacts, risk, episodes, follow-ups.

Plain Text (never markup: names and plans are the client's own words), built with the
console's own pieces where they take plain data (plan_view.plan_body, timeline_text).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.downtime_journal import JournalEntry, entry_words
from oncall.domain.downtime_pack import DowntimePack, PackClient, PackEpisode
from oncall.ui.format import clinic_datetime, words
from oncall.ui.widgets.timeline_text import FOLLOW_UP_LABELS, event_line

NO_CONSENT = "NO CONSENT on file: do not contact"


def header_text(packed: PackClient) -> Text:
    """Name, reference, pronouns, phone, address, program, primary clinician, consents."""
    client = packed.client
    text = Text()
    text.append(client.name, style="bold")
    if client.preferred_name:
        text.append(f" ({client.preferred_name})")
    text.append(f"  {client.external_ref}", style="dim")
    if client.pronouns:
        text.append(f"  {client.pronouns}")
    text.append("\nPhone: ", style="bold")
    text.append(client.phone or "none on file")
    place = ", ".join(p for p in (client.address, client.county and f"{client.county} County") if p)
    text.append("\nAddress: ", style="bold")
    text.append(place or "none on file")
    text.append("\nProgram: ", style="bold")
    text.append(client.program or "—")
    text.append("   Primary clinician: ", style="bold")
    text.append(packed.primary_clinician or "—")
    text.append("\nIn this pack for: ", style="bold")
    text.append(", ".join(packed.reasons))
    return text


def contacts_text(packed: PackClient) -> Text:
    """Each emergency contact with their phone and whether they may be contacted."""
    text = Text()
    if not packed.contacts:
        return Text("No emergency contacts on file.", style="dim")
    program_consent = packed.client.consent_emergency_contact
    for number, contact in enumerate(packed.contacts):
        if number:
            text.append("\n")
        text.append(contact.name, style="bold")
        if contact.relation:
            text.append(f" ({contact.relation})")
        text.append(f"  {contact.phone or 'no phone'}  ")
        if program_consent and contact.consent_to_contact:
            text.append("consent on file: may be contacted", style="green")
        else:
            text.append(NO_CONSENT, style="bold red")
    return text


def risk_text(packed: PackClient, zone: ZoneInfo) -> Text:
    """The latest risk level with its source, finding, when and by whom."""
    risk = packed.risk
    if risk is None:
        return Text("Not screened in a recent episode.", style="dim")
    style = {"high": "bold red", "moderate": "yellow"}.get(risk.level, "")
    text = Text()
    text.append(risk.level.upper(), style=style)
    text.append(f"  from the {risk.source} ({risk.finding})")
    text.append(f", {clinic_datetime(risk.at, zone)}")
    if risk.assessed_by:
        text.append(f" by {risk.assessed_by}")
    text.append(f", episode #{risk.episode_id}", style="dim")
    return text


def episode_text(episode: PackEpisode, pack: DowntimePack, zone: ZoneInfo, now: datetime) -> Text:
    """An open episode's state and its whole timeline, numbered as the console numbers it."""
    record = episode.episode
    text = Text()
    text.append(f"Episode #{record.id}", style="bold")
    text.append(
        f" · {words(record.status.value)} · opened {clinic_datetime(record.opened_at, zone)}"
    )
    text.append(f" by {pack.staff_names.get(record.opened_by, 'unknown')}")
    if record.location is not None:
        text.append(f"\nLocation: {record.location.text}")
    if record.handoff is not None:
        text.append(f"\nHotline handoff: {record.handoff.org}")
        if record.handoff.callback:
            text.append(f", callback {record.handoff.callback}")
    numbers = {event.id: n for n, event in enumerate(episode.timeline, start=1)}
    for number, event in enumerate(episode.timeline, start=1):
        actor = pack.staff_names.get(event.actor_id or 0, "system")
        amends = numbers.get(event.amends) if event.amends else None
        text.append("\n")
        text.append_text(event_line(event, number, actor, zone, now, amends_number=amends))
    if not episode.timeline:
        text.append("\nNothing on the timeline yet.", style="dim")
    return text


def follow_ups_text(packed: PackClient, pack: DowntimePack, zone: ZoneInfo, now: datetime) -> Text:
    """Pending follow-ups by due time, overdue ones marked."""
    if not packed.follow_ups:
        return Text("No follow-ups pending.", style="dim")
    text = Text()
    for number, follow_up in enumerate(packed.follow_ups):
        if number:
            text.append("\n")
        text.append(f"F-{follow_up.id} ", style="dim")
        text.append(FOLLOW_UP_LABELS.get(follow_up.kind, words(follow_up.kind.value)))
        text.append(f" due {clinic_datetime(follow_up.due_at, zone)}")
        if follow_up.due_at <= now:
            text.append(" OVERDUE", style="bold red")
        who = pack.staff_names.get(follow_up.assignee_id, "unassigned")
        text.append(f" · {who} · {follow_up.attempts} attempt(s)", style="dim")
    return text


def journal_text(entries: list[JournalEntry], zone: ZoneInfo) -> Text:
    """What the journal holds for the client, each with its time."""
    if not entries:
        return Text("Nothing logged yet: it goes to the record when filed back.", style="dim")
    text = Text()
    for number, entry in enumerate(entries):
        if number:
            text.append("\n")
        text.append(f"{entry.at.astimezone(zone):%H:%M} ", style="bold")
        text.append(f"{entry.kind.label}: ", style="italic")
        text.append(entry_words(entry))
    return text
