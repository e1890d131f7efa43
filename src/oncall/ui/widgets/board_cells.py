"""The rows of the supervisor board's panes: each item's key and cells, for BoardTable.fill."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from rich.text import Text

from oncall.domain.types import Severity, ShiftRole
from oncall.services.board import (
    FailingDelivery,
    OpenEpisode,
    OverdueFollowUp,
    WaitingAlert,
    Workload,
)
from oncall.ui.format import initials, severity_label, short_duration, words

# Column widths fit a pane of half a 120-column terminal (cells add one space each side).
WAITING_COLUMNS = [("Severity", 10), ("Client", 14), ("Kind", 8), ("Age", 6), ("Due", 8)]
EPISODE_COLUMNS = [("Client", 11), ("Owner", 10), ("State", 13), ("Quiet", 6), ("Due", 7)]
OVERDUE_COLUMNS = [("Client", 12), ("Follow-up", 11), ("Late", 10), ("Assignee", 9), ("Tries", 5)]
RESPONDER_COLUMNS = [("Staff", 15), ("On call", 9), ("Episodes", 8), ("F-ups", 5), ("Last act", 8)]
FAILING_COLUMNS = [("Message", 12), ("Target", 14), ("Tries", 5), ("Last error", 16)]
ROTA_SHORT = {ShiftRole.PRIMARY: "primary", ShiftRole.BACKUP: "backup", ShiftRole.SUPERVISOR: "sup"}
QUIET_AFTER = timedelta(hours=1)
"""Open work and nothing written on it for this long: the time shows in yellow."""

Who = Callable[[str], str]
"""A name as shown (initials in privacy mode)."""
Row = tuple[str, list[Text]]


def due(deadline: datetime, now: datetime) -> Text:
    """Time left to a deadline in a narrow column: a minus sign and red once it passed."""
    if deadline > now:
        return Text(short_duration(deadline - now))
    return Text(f"-{short_duration(now - deadline)}", style="bold white on dark_red")


def _since(moment: datetime | None, now: datetime, *, busy: bool) -> Text:
    """How long ago, yellow when there is open work and it has been quiet an hour."""
    if moment is None:
        return Text("none", style="yellow") if busy else Text("—", style="dim")
    quiet = busy and now - moment >= QUIET_AFTER
    return Text(short_duration(now - moment), style="yellow" if quiet else "")


def waiting_row(w: WaitingAlert, now: datetime, who: Who) -> Row:
    """An unacknowledged alert; an arrow and initials name the colleague asked to take it."""
    severity = severity_label(Severity(w.severity))
    if w.escalation_level:
        severity.append(f"↑{w.escalation_level}", style="bold yellow")
    client = Text()
    if w.assigned_to:
        # Who was asked, first and short, so a long client name cannot push it out of view.
        client.append(f"→{initials(w.assigned_to).replace('.', '')} ", style="bold cyan")
    client.append(who(w.client))
    cells = [
        severity,
        client,
        Text(words(w.kind)),
        Text(short_duration(now - w.received_at)),
        due(w.deadline, now),
    ]
    return f"alert-{w.alert_id}", cells


def episode_row(e: OpenEpisode, now: datetime, who: Who) -> Row:
    """An open episode: owner, an unconfirmed handoff's hotline reference or risk, quiet time."""
    if e.handoff_reference is not None:
        state = Text(f"ref {e.handoff_reference}", style="bold")
    else:
        state = Text(f"risk {e.risk_level}" if e.risk_level else "not screened")
    cells = [
        Text(who(e.client)),
        Text(who(e.owner)),
        state,
        _since(e.last_event_at, now, busy=True),
        due(e.handoff_deadline, now) if e.handoff_deadline else Text("—", style="dim"),
    ]
    return f"episode-{e.episode_id}", cells


def overdue_row(o: OverdueFollowUp, now: datetime, who: Who) -> Row:
    """A follow-up past due, or out of attempts."""
    late = (
        Text("out of tries", style="bold red")
        if o.exhausted
        else Text(short_duration(now - o.due_at), style="red")
    )
    cells = [Text(who(o.client)), Text(words(o.kind)), late, Text(who(o.assignee))]
    return f"follow-up-{o.follow_up_id}", [*cells, Text(str(o.attempts))]


def responder_row(person: Workload, now: datetime, who: Who) -> Row:
    """A person on call or holding work: their rota roles, open work, last action."""
    on_call = ", ".join(ROTA_SHORT[role] for role in person.on_call)
    cells = [
        Text(who(person.name)),
        Text(on_call or "—", style="bold green" if on_call else "dim"),
        Text(str(person.open_episodes)),
        Text(str(person.pending_follow_ups)),
        _since(person.last_action_at, now, busy=bool(person.open_episodes)),
    ]
    return f"staff-{person.staff_id}", cells


def gap_row(role: ShiftRole) -> Row:
    """A rota role nobody holds now."""
    cells = [Text("nobody", style="bold red"), Text(ROTA_SHORT[role], style="bold red")]
    return f"gap-{role.value}", [*cells, Text(""), Text(""), Text("")]


def failing_row(f: FailingDelivery) -> Row:
    """An outbound message that failed or is being retried."""
    cells = [Text(words(f.kind)), Text(f.target), Text(str(f.attempts))]
    return f"message-{f.message_id}", [*cells, Text(f.last_error or f.status, style="red")]
