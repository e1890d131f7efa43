"""The end-of-shift summary (W11): open episodes, pending handoffs, follow-ups due soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.followup_work import follow_up_ref
from oncall.domain.timefmt import to_iso
from oncall.domain.types import EpisodeStatus, EventKind, RiskLevel
from oncall.services.context import ServiceContext
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import people

HORIZON = timedelta(hours=12)


@dataclass(frozen=True)
class HandoffItem:
    """One thing the next shift must know, in situation / actions / needs form."""

    heading: str
    situation: str
    actions: str
    needs: str
    client_id: int
    risk_rank: int


@dataclass(frozen=True)
class ShiftHandoff:
    """The summary read aloud at shift change."""

    generated_at: datetime
    open_episodes: list[HandoffItem]
    pending_handoffs: list[HandoffItem]
    follow_ups_due: list[HandoffItem]


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


def build_shift_handoff(ctx: ServiceContext, *, horizon: timedelta = HORIZON) -> ShiftHandoff:
    """Gather the summary; audited as a view of every client it names."""
    now = ctx.clock.now()
    zone = ZoneInfo(ctx.settings.timezone)
    open_items: list[HandoffItem] = []
    handoff_items: list[HandoffItem] = []
    due_items: list[HandoffItem] = []
    with ctx.store.write() as conn:
        names = {s.id: s.display_name for s in people.list_staff(conn)}
        for status in (EpisodeStatus.OPEN, EpisodeStatus.HANDOFF_PENDING):
            for episode in episode_rows.episodes_page(conn, status=status.value, limit=500):
                client = people.client_by_id(conn, episode.client_id)
                if client is None:
                    continue
                events = episode_rows.timeline(conn, episode.id, limit=2000)
                done = [p for e in events if (p := _describe_event(e.kind, e.body))]
                risk = episode.risk_level
                located = episode.location.text if episode.location else "location not confirmed"
                opened = episode.opened_at.astimezone(zone)
                situation = (
                    f"Episode {episode.id} opened {opened:%a %H:%M} by "
                    f"{names.get(episode.opened_by, 'unknown')}; "
                    f"risk {risk.value if risk else 'not yet screened'}; {located}."
                )
                needs = []
                if risk is None:
                    needs.append("C-SSRS screening")
                if episode.location is None:
                    needs.append("confirm location")
                if status is EpisodeStatus.HANDOFF_PENDING and episode.handoff:
                    deadline = episode.handoff_deadline_at
                    by = f" by {deadline.astimezone(zone):%H:%M}" if deadline else ""
                    reference = f" {episode.handoff.reference}" if episode.handoff.reference else ""
                    needs.append(
                        f"confirm contact for {episode.handoff.org} handoff{reference}{by}"
                    )
                needs.append("disposition and close when stable")
                item = HandoffItem(
                    heading=client.name,
                    situation=situation,
                    actions="; ".join(done[-5:]) or "nothing recorded yet",
                    needs="; ".join(needs),
                    client_id=client.id,
                    risk_rank=(risk or RiskLevel.NONE).rank,
                )
                target = handoff_items if status is EpisodeStatus.HANDOFF_PENDING else open_items
                target.append(item)
        upcoming = follow_up_rows.pending_follow_ups(
            conn, due_before=to_iso(now + horizon), limit=500
        )
        for follow_up in upcoming:
            client = people.client_by_id(conn, follow_up.client_id)
            if client is None:
                continue
            due_local = follow_up.due_at.astimezone(zone)
            overdue = " (OVERDUE)" if follow_up.due_at < now else ""
            due_items.append(
                HandoffItem(
                    heading=client.name,
                    situation=f"Follow-up {follow_up_ref(follow_up.id)}:"
                    f" {follow_up.kind.value.replace('_', ' ')} due {due_local:%a %H:%M}"
                    f"{overdue}, from episode #{follow_up.episode_id}.",
                    actions=f"{follow_up.attempts} attempt(s) so far",
                    needs=f"contact by {names.get(follow_up.assignee_id, 'unassigned')}",
                    client_id=client.id,
                    risk_rank=0 if overdue else 1,
                )
            )
        clients = sorted({i.client_id for i in open_items + handoff_items + due_items})
        ctx.audit(conn, "shift_handoff.viewed", "report", None, detail={"clients": clients})
    open_items.sort(key=lambda i: i.risk_rank)
    return ShiftHandoff(now, open_items, handoff_items, due_items)


def render_text(summary: ShiftHandoff, zone: ZoneInfo) -> str:
    """The summary as plain text to read aloud."""
    lines = [f"Shift handoff — {summary.generated_at.astimezone(zone):%a %d %b %Y %H:%M %Z}", ""]
    for title, items in (
        ("Open episodes", summary.open_episodes),
        ("Hotline handoffs awaiting confirmation", summary.pending_handoffs),
        ("Follow-ups due in the next 12 hours", summary.follow_ups_due),
    ):
        lines.append(f"{title} ({len(items)})")
        if not items:
            lines.append("  none")
        for item in items:
            lines += [
                f"  • {item.heading}",
                f"    Situation: {item.situation}",
                f"    Actions:   {item.actions}",
                f"    Needs:     {item.needs}",
            ]
        lines.append("")
    return "\n".join(lines)
