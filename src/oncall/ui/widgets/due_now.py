"""The "due now" list: the user's follow-ups that have come due, and plans due for review."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static

from oncall.services.escalation_notices import EscalationNotice
from oncall.services.reminders import DueFollowUp, DueNow, Reminder
from oncall.ui.format import clinic_time, initials, short_duration


def client_label(name: str, preferred: str | None, privacy: bool) -> str:
    """The client as the list shows them: preferred name first, initials in privacy mode."""
    if privacy:
        return initials(name)
    return f"{preferred} ({name})" if preferred and preferred != name else name


def reminder_message(reminder: Reminder, zone: ZoneInfo, *, privacy: bool, locked: bool) -> str:
    """A reminder's notification (markup-safe); nothing about the client behind the lock."""
    card = reminder.follow_up
    if locked:
        return "A follow-up is due. Unlock the console to see it."
    who = escape(client_label(card.client_name, card.preferred_name, privacy))
    when = clinic_time(card.due_at, zone, seconds=False)
    late = "OVERDUE: " if reminder.overdue else ""
    return f"{late}{card.label} with {who}, due {when} (follow-up {card.ref})."


def notice_message(notice: EscalationNotice) -> str:
    """An escalation step's notification (the message names no client)."""
    return escape(notice.message)


def follow_up_line(card: DueFollowUp, now: datetime, zone: ZoneInfo, privacy: bool) -> Text:
    """One follow-up as the list shows it: how late or how soon, kind, client, due, attempts."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if card.due_at <= now:
        style = "bold white on dark_red" if card.overdue else "bold yellow"
        line.append(f" {short_duration(now - card.due_at)} late ", style=style)
    else:
        line.append(f" in {short_duration(card.due_at - now)} ", style="bold cyan")
    line.append(f" {card.ref:<6} ", style="bold")
    line.append(f"{card.label:<15}", style="bold")
    line.append(client_label(card.client_name, card.preferred_name, privacy))
    line.append(
        f"  due {clinic_time(card.due_at, zone, seconds=False)} · attempts {card.attempts}",
        style="dim",
    )
    return line


class DueNowList(Static):
    """The user's clients whose safety plans are due for review (W8); empty says so."""

    DEFAULT_CSS = """
    DueNowList {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, due: DueNow, zone: ZoneInfo, *, privacy: bool) -> None:
        """Redraw from a fresh read."""
        text = Text()
        text.append(
            f"Safety plans due for review ({len(due.plan_reviews)})\n", style="bold underline"
        )
        if not due.plan_reviews:
            text.append("None of your clients' plans is due.\n", style="dim")
        for plan in due.plan_reviews:
            text.append(client_label(plan.client_name, plan.preferred_name, privacy))
            text.append(f"  {plan.reason}\n", style="dim")
        self.update(text)

    def show_failure(self, message: str) -> None:
        """Say the list could not be read (instead of showing old data as current)."""
        self.update(Text(f"Could not read what is due: {message}", style="bold red"))
