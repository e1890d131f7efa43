"""The end-of-shift summary (W11): waiting alerts, hotline handoffs, open episodes, follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.figures import format_duration
from oncall.domain.followup_work import follow_up_ref
from oncall.domain.models import Alert
from oncall.domain.timefmt import to_iso
from oncall.domain.types import EpisodeStatus, EventKind, RiskLevel
from oncall.services.context import ServiceContext
from oncall.services.risk import current_levels
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import people
from oncall.store.audit import append_audit_series

HORIZON = timedelta(hours=12)
MAX_WAITING = 200
"""Waiting alerts named one by one; beyond this the summary gives the count left."""
_ESCALATED_TO = {1: "backup on call", 2: "supervisor"}


@dataclass(frozen=True)
class HandoffItem:
    """One thing the next shift must know, in situation / actions / needs form."""

    heading: str
    situation: str
    actions: str
    needs: str
    client_id: int | None
    risk_rank: int
    overdue: bool = False
    """Past its deadline (acknowledgement, handoff confirmation or due time)."""
    said: str = ""
    """An alert's own summary (free text from the feed: hidden in privacy mode)."""


@dataclass(frozen=True)
class ShiftHandoff:
    """The summary read aloud at shift change."""

    generated_at: datetime
    open_episodes: list[HandoffItem]
    pending_handoffs: list[HandoffItem]
    follow_ups_due: list[HandoffItem]
    waiting_alerts: list[HandoffItem]
    """Alerts nobody has acknowledged: past their deadline first, then by severity, age."""
    waiting_not_listed: int = 0
    """Waiting alerts beyond MAX_WAITING, counted but not named."""
    horizon: timedelta = HORIZON
    """How far ahead follow-ups are included."""


def day_time(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """A time with its day: "Fri 22:31" within six days of now, else with the date too."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if abs((local.date() - today.date()).days) <= 6:
        return f"{local:%a %H:%M}"
    if local.year == today.year:
        return f"{local:%a %d %b %H:%M}"
    return f"{local:%a %d %b %Y %H:%M}"


def hours_text(horizon: timedelta) -> str:
    """'12 hours', '1 hour', '1.5 hours'."""
    hours = horizon.total_seconds() / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def _describe_event(kind: EventKind, body: dict[str, object]) -> str | None:
    """A short phrase for the actions line; None for events not worth reading aloud."""
    if kind is EventKind.CONTACT_ATTEMPT:
        return f"{body.get('channel')} contact: {body.get('result')}"
    if kind is EventKind.RISK_SCREENING:
        return f"C-SSRS screened ({body.get('risk_level')} risk)"
    if kind is EventKind.WARM_HANDOFF:
        return f"warm handoff to {body.get('organization')}"
    if kind is EventKind.EMERGENCY_SERVICES:
        return f"{body.get('service')} requested"
    if kind is EventKind.REFERRAL:
        return f"referred to {body.get('resource')}"
    return _FIXED_PHRASES.get(kind)


_FIXED_PHRASES = {
    EventKind.OVERDOSE_SCREENING: "overdose-risk checklist done",
    EventKind.SAFETY_PLAN_REVIEW: "safety plan reviewed",
    EventKind.EMERGENCY_CONTACT_NOTIFIED: "emergency contact notified",
    EventKind.HANDOFF_CONFIRMED: "hotline handoff confirmed",
    EventKind.ESCALATION: "escalated",
}


def _waiting_item(
    alert: Alert, client_name: str | None, now: datetime, zone: ZoneInfo
) -> HandoffItem:
    """An alert nobody has claimed, with how late it is."""
    overdue = alert.ack_deadline_at <= now
    due = day_time(alert.ack_deadline_at, now, zone)
    if overdue:
        deadline = f"acknowledgement was due {due} — OVERDUE by "
        deadline += format_duration((now - alert.ack_deadline_at).total_seconds())
    else:
        deadline = f"acknowledgement due {due}"
    escalated = _ESCALATED_TO.get(alert.escalation_level, f"level {alert.escalation_level}")
    return HandoffItem(
        heading=client_name or f"unknown client ({alert.client_ref})",
        situation=(
            f"{alert.severity.value.upper()} {alert.kind.value.replace('_', ' ')} alert from"
            f" {alert.source}, received {day_time(alert.received_at, now, zone)}"
            f" ({format_duration((now - alert.received_at).total_seconds())} ago), not"
            f" acknowledged; {deadline}."
        ),
        actions=f"escalated to {escalated}" if alert.escalation_level else "nobody has claimed it",
        needs="acknowledge now" if overdue else f"acknowledge by {due}",
        client_id=alert.client_id,
        risk_rank=alert.severity.rank,
        overdue=overdue,
        said=alert.summary,
    )


def build_shift_handoff(ctx: ServiceContext, *, horizon: timedelta = HORIZON) -> ShiftHandoff:
    """Gather the summary; audited as a view of every client it names (one row each)."""
    now = ctx.clock.now()
    zone = ZoneInfo(ctx.settings.timezone)
    waiting_items: list[HandoffItem] = []
    open_items: list[HandoffItem] = []
    handoff_items: list[HandoffItem] = []
    due_items: list[HandoffItem] = []
    with ctx.store.write() as conn:
        names = {s.id: s.display_name for s in people.list_staff(conn)}
        clients: dict[int, str] = {}

        def client_name(client_id: int | None) -> str | None:
            if client_id is None:
                return None
            if client_id not in clients:
                client = people.client_by_id(conn, client_id)
                clients[client_id] = client.name if client else ""
            return clients[client_id] or None

        waiting = sorted(
            alert_rows.unacknowledged_alerts(conn),
            key=lambda a: (a.ack_deadline_at > now, a.severity.rank, a.received_at, a.id),
        )
        for alert in waiting[:MAX_WAITING]:
            waiting_items.append(_waiting_item(alert, client_name(alert.client_id), now, zone))
        for status in (EpisodeStatus.OPEN, EpisodeStatus.HANDOFF_PENDING):
            for episode in episode_rows.episodes_page(conn, status=status.value, limit=500):
                name = client_name(episode.client_id)
                if name is None:
                    continue
                events = episode_rows.timeline(conn, episode.id, limit=2000)
                done = [p for e in events if (p := _describe_event(e.kind, e.body))]
                risk = current_levels(conn, [episode.id])[episode.id]  # derived, not stored
                located = episode.location.text if episode.location else "location not confirmed"
                situation = (
                    f"Episode {episode.id} opened {day_time(episode.opened_at, now, zone)} by "
                    f"{names.get(episode.opened_by, 'unknown')}; "
                    f"risk {risk.value if risk else 'not yet screened'}; {located}."
                )
                needs = []
                if risk is None:
                    needs.append("C-SSRS screening")
                if episode.location is None:
                    needs.append("confirm location")
                overdue = False
                if status is EpisodeStatus.HANDOFF_PENDING and episode.handoff:
                    deadline = episode.handoff_deadline_at
                    by = ""
                    if deadline:
                        overdue = deadline <= now
                        by = f" by {day_time(deadline, now, zone)}"
                        by += " — OVERDUE" if overdue else ""
                    reference = f" {episode.handoff.reference}" if episode.handoff.reference else ""
                    needs.append(
                        f"confirm contact for {episode.handoff.org} handoff{reference}{by}"
                    )
                needs.append("disposition and close when stable")
                item = HandoffItem(
                    heading=name,
                    situation=situation,
                    actions="; ".join(done[-5:]) or "nothing recorded yet",
                    needs="; ".join(needs),
                    client_id=episode.client_id,
                    risk_rank=(risk or RiskLevel.NONE).rank,
                    overdue=overdue,
                )
                target = handoff_items if status is EpisodeStatus.HANDOFF_PENDING else open_items
                target.append(item)
        upcoming = follow_up_rows.pending_follow_ups(
            conn, due_before=to_iso(now + horizon), limit=500
        )
        for follow_up in upcoming:
            name = client_name(follow_up.client_id)
            if name is None:
                continue
            overdue = follow_up.due_at <= now
            due_items.append(
                HandoffItem(
                    heading=name,
                    situation=f"Follow-up {follow_up_ref(follow_up.id)}:"
                    f" {follow_up.kind.value.replace('_', ' ')} due"
                    f" {day_time(follow_up.due_at, now, zone)}"
                    f"{' — OVERDUE' if overdue else ''}, from episode #{follow_up.episode_id}.",
                    actions=f"{follow_up.attempts} attempt(s) so far",
                    needs=f"contact by {names.get(follow_up.assignee_id, 'unassigned')}",
                    client_id=follow_up.client_id,
                    risk_rank=0 if overdue else 1,
                    overdue=overdue,
                )
            )
        everything = waiting_items + handoff_items + open_items + due_items
        named = sorted({i.client_id for i in everything if i.client_id is not None})
        ctx.audit(
            conn,
            "shift_handoff.viewed",
            "report",
            None,
            detail={"clients": named, "waiting_alerts": len(waiting)},
        )
        # One row per client named, so `oncall audit --client REF` shows this view.
        append_audit_series(
            conn,
            at=ctx.now_iso(),
            actor=ctx.actor.login,
            action="shift_handoff.client_viewed",
            object_type="client",
            items=[(str(c), c, "{}") for c in named],
        )
    open_items.sort(key=lambda i: i.risk_rank)
    handoff_items.sort(key=lambda i: not i.overdue)
    return ShiftHandoff(
        now,
        open_items,
        handoff_items,
        due_items,
        waiting_items,
        max(0, len(waiting) - MAX_WAITING),
        horizon,
    )


def sections(summary: ShiftHandoff) -> list[tuple[str, list[HandoffItem]]]:
    """The summary's sections in the order they are read: what is late comes first."""
    waiting = f"Alerts waiting for acknowledgement ({len(summary.waiting_alerts)}"
    waiting += f" + {summary.waiting_not_listed} more)" if summary.waiting_not_listed else ")"
    return [
        (waiting, summary.waiting_alerts),
        (
            f"Hotline handoffs awaiting confirmation ({len(summary.pending_handoffs)})",
            summary.pending_handoffs,
        ),
        (f"Open episodes ({len(summary.open_episodes)})", summary.open_episodes),
        (
            f"Follow-ups due in the next {hours_text(summary.horizon)}"
            f" or overdue ({len(summary.follow_ups_due)})",
            summary.follow_ups_due,
        ),
    ]


def render_text(summary: ShiftHandoff, zone: ZoneInfo) -> str:
    """The summary as plain text to read aloud."""
    lines = [f"Shift handoff — {summary.generated_at.astimezone(zone):%a %d %b %Y %H:%M %Z}", ""]
    for title, items in sections(summary):
        lines.append(title)
        if not items:
            lines.append("  none")
        for item in items:
            lines.append(f"  • {item.heading}{'  OVERDUE' if item.overdue else ''}")
            if item.said:
                lines.append(f"    Said:      {item.said}")
            lines += [
                f"    Situation: {item.situation}",
                f"    Actions:   {item.actions}",
                f"    Needs:     {item.needs}",
            ]
        lines.append("")
    return "\n".join(lines)
