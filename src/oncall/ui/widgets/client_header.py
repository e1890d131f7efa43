"""The top of the episode screen: who the client is, where, how at risk, and the episode's state."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from oncall.domain.models import consent_in_force
from oncall.domain.risk import SCREENINGS, RiskSource, episode_risk
from oncall.domain.types import EpisodeStatus, RiskLevel
from oncall.services.views import EpisodeWorkspace
from oncall.ui.format import countdown, initials, short_duration
from oncall.ui.widgets.alert_position import position_line
from oncall.ui.widgets.timeline_text import event_time

RISK_STYLES: dict[RiskLevel, str] = {
    RiskLevel.HIGH: "bold white on red",
    RiskLevel.MODERATE: "bold yellow",
    RiskLevel.LOW: "green",
    RiskLevel.NONE: "dim",
}


def consent_end(given: bool, until: str | None, today: date) -> str:
    """ " until D" for a consent in force until a day, " (ended D)" for one that lapsed."""
    if not given or not until:
        return ""
    return f" until {until}" if consent_in_force(given, until, today) else f" (ended {until})"


def _yes_no(flag: bool) -> tuple[str, str]:
    return ("YES", "bold green") if flag else ("NO", "bold red")


def header_text(
    ws: EpisodeWorkspace, zone: ZoneInfo, now: datetime, *, privacy: bool = False
) -> Text:
    """Six lines: identity, consent, location, risk and its sources, status (plain Text)."""
    client = ws.client
    text = Text(no_wrap=True, overflow="ellipsis")
    name = initials(client.name) if privacy else client.name
    text.append(name, style="bold")
    if client.preferred_name and not privacy:
        text.append(f' ("{client.preferred_name}")', style="bold")
    born = _age_and_birth(client.date_of_birth, now.astimezone(zone).date(), privacy=privacy)
    if born:
        text.append(f" · {born}", style="bold")
    clinician = ws.primary_clinician.display_name if ws.primary_clinician else "none on file"
    phone = "hidden" if privacy else (client.phone or "no phone on file")
    text.append(
        f" · {client.pronouns or 'pronouns not given'} · {client.program or 'no program'}"
        f" · clinician {clinician} · phone {phone} · {client.external_ref}"
    )
    today = now.astimezone(zone).date()
    text.append("\nConsent: emergency-contact disclosure ")
    text.append(*_yes_no(client.disclosure_consent(today)))
    text.append(
        consent_end(
            client.consent_emergency_contact, client.consent_emergency_contact_until, today
        ),
        style="dim",
    )
    text.append(" · hotline outcome report ")
    text.append(*_yes_no(client.hotline_consent(today)))
    text.append(
        consent_end(client.consent_hotline_report, client.consent_hotline_report_until, today),
        style="dim",
    )
    if client.consent_date:
        text.append(f" (consent dated {client.consent_date})", style="dim")
    text.append("\n")
    _location(text, ws, zone, now)
    gps = position_line(ws.alerts, zone, now, privacy=privacy)
    if gps:  # a line of its own, only when an alert carried coordinates
        text.append("\n")
        text.append_text(gps)
    text.append("\n")
    _risk(text, ws, zone, now)
    text.append("\n")
    _status(text, ws, zone, now)
    return text


def _age_and_birth(date_of_birth: str | None, today: date, *, privacy: bool) -> str:
    """ "age 16 (born 12 Mar 2010)"; the age alone in privacy mode; as stored if unreadable."""
    if not date_of_birth:
        return "date of birth not on file"
    try:
        born = date.fromisoformat(date_of_birth)
    except ValueError:
        return "" if privacy else f"born {date_of_birth}"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if privacy:
        return f"age {age}"
    return f"age {age} (born {born:%d %b %Y})"


def _location(text: Text, ws: EpisodeWorkspace, zone: ZoneInfo, now: datetime) -> None:
    episode = ws.episode
    place = episode.location
    where = ""
    if place is not None:
        where = place.text + (f" ({place.zip})" if place.zip else "")
    if episode.location_confirmed_at is None:
        text.append("LOCATION NOT CONFIRMED", style="bold white on red")
        text.append(f"  last known: {where}" if where else "  (l asks the client where they are)")
        return
    text.append("Location: ")
    text.append(where, style="bold")
    confirmed = episode.location_confirmed_at
    text.append(
        f" — confirmed {event_time(confirmed, zone, now)}, {short_duration(now - confirmed)} ago"
    )


def _risk(text: Text, ws: EpisodeWorkspace, zone: ZoneInfo, now: datetime) -> None:
    """The level (highest current assessment), then each source with its time."""
    risk = episode_risk(ws.timeline)
    numbers = {e.id: n for n, e in enumerate(ws.timeline, 1)}
    text.append("Risk: ")
    deciding = risk.deciding
    if risk.level is None or deciding is None:
        text.append("NOT SCREENED", style="bold yellow")
        text.append(" (not the same as no risk: s starts the C-SSRS, o the overdose checklist)")
    else:
        text.append(f" {risk.level.value.upper()} ", style=RISK_STYLES[risk.level])
        text.append(
            f" highest current assessment: {deciding.source.label},"
            f" {event_time(deciding.at, zone, now)}"
        )
    text.append("\n  ")
    parts: list[Text] = []
    for source in RiskSource:
        found = risk.by_source(source)
        if found is None:
            if source in SCREENINGS:
                parts.append(Text(f"{source.label} not screened", style="yellow"))
            continue
        part = Text(f"{source.label} ")
        part.append(found.level.value.upper(), style=RISK_STYLES[found.level])
        part.append(f" {event_time(found.at, zone, now)} ({found.finding}")
        if found.corrected_by is not None:
            part.append(f"; corrected by #{numbers.get(found.corrected_by, '?')}")
        if found.noted_by:
            refs = ", ".join(f"#{numbers.get(n, '?')}" for n in found.noted_by)
            part.append(f"; amended in words by {refs}, level as recorded")
        part.append(")")
        parts.append(part)
    text.append_text(Text(" · ").join(parts))


def _status(text: Text, ws: EpisodeWorkspace, zone: ZoneInfo, now: datetime) -> None:
    episode = ws.episode
    opened = ws.staff_names.get(episode.opened_by, "unknown")
    text.append(f"Episode #{episode.id}: ")
    if episode.status is EpisodeStatus.CLOSED:
        text.append("CLOSED", style="bold")
        label = episode.disposition.label if episode.disposition else "no disposition"
        closed = f" {event_time(episode.closed_at, zone, now)}" if episode.closed_at else ""
        pending = sum(1 for f in ws.follow_ups if f.status.value == "pending")
        text.append(f"{closed} — {label}; {pending} follow-up(s) pending. Only amendments now.")
        return
    if episode.status is EpisodeStatus.HANDOFF_PENDING and episode.handoff is not None:
        handoff = episode.handoff
        text.append("HANDOFF PENDING", style="bold white on dark_orange3")
        text.append(
            f" from {handoff.org}, ref {handoff.reference or 'none'},"
            f" callback {handoff.callback or 'none'}"
        )
        if episode.handoff_deadline_at is not None:
            text.append(" — confirm within ")
            text.append_text(countdown(episode.handoff_deadline_at, now))
        return
    text.append("OPEN", style="bold green")
    text.append(f" since {event_time(episode.opened_at, zone, now)} (opened by {opened})")


class ClientHeader(Static):
    """The header block; redrawn every second so the handoff countdown moves."""

    DEFAULT_CSS = """
    ClientHeader { height: auto; background: $boost; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ws: EpisodeWorkspace | None = None
        self._zone: ZoneInfo | None = None
        self._privacy = False

    def show(self, ws: EpisodeWorkspace, zone: ZoneInfo, now: datetime, privacy: bool) -> None:
        """Show a freshly read workspace."""
        self._ws, self._zone, self._privacy = ws, zone, privacy
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Redraw with the time now (the countdown and "ago" move)."""
        if self._ws is not None and self._zone is not None:
            self.update(header_text(self._ws, self._zone, now, privacy=self._privacy))

    def show_message(self, message: str) -> None:
        """Show why there is nothing to show (the episode could not be read)."""
        self._ws = None
        self.update(Text(message, style="bold red"))
