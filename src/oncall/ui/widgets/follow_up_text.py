"""The follow-up workspace in words: the follow-up and its attempts, the client's latest risk."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.followup_plan import MAX_ATTEMPTS
from oncall.domain.followup_work import CARING_CONTACT_RESULT, follow_up_ref
from oncall.domain.types import FollowUpStatus, RiskLevel
from oncall.services.followup_workspace import FollowUpView
from oncall.ui.format import clinic_datetime, short_duration
from oncall.ui.widgets.client_header import RISK_STYLES
from oncall.ui.widgets.due_now import client_label
from oncall.ui.widgets.timeline_text import FOLLOW_UP_LABELS, event_time, words

_STATUS_STYLES = {
    FollowUpStatus.PENDING: "bold yellow",
    FollowUpStatus.DONE: "bold green",
    FollowUpStatus.EXHAUSTED: "bold white on dark_red",
    FollowUpStatus.CANCELLED: "dim",
}


def _due_line(view: FollowUpView, zone: ZoneInfo, now: datetime) -> Text:
    due = view.follow_up.due_at
    line = Text(f"Due {clinic_datetime(due, zone)}")
    if view.follow_up.status is FollowUpStatus.PENDING:
        if due <= now:
            line.append(f"  ({short_duration(now - due)} overdue)", style="bold red")
        else:
            line.append(f"  (in {short_duration(due - now)})", style="dim")
    return line


def follow_up_text(view: FollowUpView, zone: ZoneInfo, now: datetime, *, privacy: bool) -> Text:
    """Kind, client, due, assignee, status, and every attempt with its result (plain Text)."""
    fu = view.follow_up
    client = view.client
    text = Text()
    text.append(f"Follow-up {view.ref}  ", style="bold")
    text.append(FOLLOW_UP_LABELS.get(fu.kind, words(fu.kind.value)), style="bold")
    text.append("\nClient: ")
    text.append(client_label(client.name, client.preferred_name, privacy), style="bold")
    if client.pronouns and not privacy:
        text.append(f" ({client.pronouns})")
    if client.phone and not privacy:
        text.append(f" · {client.phone}")
    text.append("\n")
    text.append_text(_due_line(view, zone, now))
    text.append(f"\nAssigned to {view.assignee}\nStatus: ")
    text.append(fu.status.value, style=_STATUS_STYLES[fu.status])
    if fu.result:
        text.append(f" — {fu.result}")
    if view.replaced_by is not None:
        text.append(f"\nNow followed up as {follow_up_ref(view.replaced_by)}.", style="bold")
    text.append(f"\nFrom episode #{fu.episode_id} ({view.episode_status.value})", style="dim")
    text.append(f"\n\nAttempts {fu.attempts} of {MAX_ATTEMPTS}\n", style="bold underline")
    if not view.attempts:
        text.append("None yet.\n", style="dim")
    for attempt in view.attempts:
        result = (
            "message sent" if attempt.result == CARING_CONTACT_RESULT else words(attempt.result)
        )
        text.append(f"{event_time(attempt.at, zone, now)}  ", style="dim")
        text.append(f"{words(attempt.channel)}: ")
        text.append(result, style="bold")
        text.append(f"  by {attempt.by}", style="dim")
        if attempt.note:
            text.append(f"\n    {attempt.note}")
        text.append("\n")
    return text


def risk_text(view: FollowUpView, zone: ZoneInfo, now: datetime) -> Text:
    """The client's latest risk level and when it was set."""
    text = Text("Latest risk: ", style="bold")
    if view.risk is None:
        text.append("not screened", style="dim")
        return text
    text.append(f" {view.risk.value.upper()} ", style=RISK_STYLES.get(view.risk, ""))
    if view.risk_set_at is not None:
        text.append(f"  set {event_time(view.risk_set_at, zone, now)}", style="dim")
    if view.risk is RiskLevel.HIGH:
        text.append("\nHigh risk: if the client is not reached, tell the supervisor.", style="red")
    return text
