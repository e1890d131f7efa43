"""The figures (W10) for a range: alerts acknowledged against their deadlines, follow-ups
done on time, durations, trends by day and week; everyone's for supervisors and admins,
each other person's own."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.figures import (
    AckOutcomes,
    DurationSummary,
    FollowUpOutcomes,
    Rate,
    Trend,
    week_of,
)
from oncall.domain.timefmt import from_iso, maybe_from_iso, to_iso
from oncall.domain.types import Disposition, FollowUpKind, Severity
from oncall.services.access import sees_everyone
from oncall.services.context import ServiceContext
from oncall.store import metrics as metric_rows

EVERYONE = "everyone"


@dataclass(frozen=True)
class ClinicianFigures:
    """One person's share of the figures."""

    name: str
    acknowledgement: AckOutcomes
    """Alerts they acknowledged, and those nobody acknowledged that came in on their
    primary on-call shift."""
    time_to_acknowledge: DurationSummary
    """Over the alerts they acknowledged only."""
    time_to_first_contact: DurationSummary
    episodes_opened: int
    follow_ups: FollowUpOutcomes

    @property
    def follow_ups_on_time(self) -> Rate:
        """Their follow-ups done by the due time (overdue and exhausted ones count against)."""
        return self.follow_ups.done_on_time


@dataclass(frozen=True)
class Figures:
    """Everything the supervisor screen and `oncall report` show for one range."""

    start: datetime
    end: datetime
    scope: str
    """EVERYONE, or the name of the one person whose own figures these are."""
    alerts: int
    acknowledgement: AckOutcomes
    escalated: int
    time_to_acknowledge: DurationSummary
    """Over acknowledged alerts only: never-acknowledged ones are in `acknowledgement`."""
    time_to_first_contact: DurationSummary
    """Over episodes where someone reached the client only."""
    time_to_handoff: DurationSummary
    """Over hotline handoffs confirmed only."""
    follow_ups: FollowUpOutcomes
    follow_ups_24h_on_time: Rate
    follow_ups_72h_on_time: Rate
    screening_completion: Rate
    dispositions: dict[str, int]
    volume_by_hour: dict[int, dict[str, int]]
    """Alerts by hour of the clinic's day (0-23), then by severity."""
    by_day: list[Trend] = field(default_factory=list)
    by_week: list[Trend] = field(default_factory=list)
    clinicians: list[ClinicianFigures] = field(default_factory=list)
    episodes_counted: int = 0
    """Episodes opened in the range (what first contact and screening are measured over)."""
    handoffs_counted: int = 0
    """Hotline handoffs among them."""

    @property
    def unacknowledged(self) -> int:
        """Alerts nobody has acknowledged, past their deadline or not."""
        return self.acknowledgement.never + self.acknowledgement.waiting


def _seconds(later: str | None, earlier: str | None) -> float | None:
    if not later or not earlier:
        return None
    return (from_iso(later) - from_iso(earlier)).total_seconds()


class _PrimaryRota:
    """Who was primary on call when: an alert nobody claimed is a breach on their watch."""

    def __init__(self, shifts: list[sqlite3.Row]) -> None:
        self._shifts = [
            (
                from_iso(r["starts_at"]),
                from_iso(r["ends_at"]),
                int(r["staff_id"]),
                r["display_name"],
            )
            for r in shifts
        ]

    def at(self, moment: datetime) -> tuple[int, str] | None:
        """The primary on call at `moment` (the earliest shift's, if two overlap)."""
        for starts, ends, staff_id, name in self._shifts:
            if starts <= moment < ends:
                return staff_id, str(name)
        return None


class _Periods:
    """Outcomes gathered per clinic day and per week."""

    def __init__(self) -> None:
        self.ack: dict[date, AckOutcomes] = defaultdict(AckOutcomes)
        self.fu: dict[date, FollowUpOutcomes] = defaultdict(FollowUpOutcomes)

    def trends(self, days: list[date]) -> list[Trend]:
        return [Trend(d, self.ack[d], self.fu[d]) for d in days]


def compute_figures(ctx: ServiceContext, start: datetime, end: datetime) -> Figures:
    """Work out the figures for alerts, episodes and follow-ups in [start, end).

    Supervisors and admins see everyone's; anyone else sees their own: alerts they
    acknowledged or that nobody acknowledged on their primary shift, episodes they
    opened, follow-ups assigned to them, dispositions they gave.
    """
    zone = ZoneInfo(ctx.settings.timezone)
    now = ctx.clock.now()
    lo, hi = to_iso(start), to_iso(end)
    everyone = sees_everyone(ctx.actor)
    me = None if everyone else ctx.actor.id
    with ctx.store.read() as conn:
        alerts = metric_rows.alerts_received(conn, lo, hi)
        episodes = metric_rows.episodes_opened(conn, lo, hi)
        follow_ups = metric_rows.follow_ups_due(conn, lo, hi)
        closed = metric_rows.dispositions(conn, lo, hi, closed_by=me)
        rota = _PrimaryRota(metric_rows.primary_shifts(conn, lo, hi))

    def answerable(row: sqlite3.Row) -> tuple[int, str] | None:
        """Who an alert's outcome is put down to: who acknowledged it, else the primary."""
        if row["acknowledged_at"] is not None:
            return int(row["acknowledged_by"]), row["acknowledged_by_name"] or "unknown"
        return rota.at(from_iso(row["received_at"]))

    if me is not None:
        alerts = [r for r in alerts if (answerable(r) or (None,))[0] == me]
        episodes = [r for r in episodes if r["opened_by"] == me]
        follow_ups = [r for r in follow_ups if r["assignee_id"] == me]

    def local_day(stamp: str) -> date:
        return from_iso(stamp).astimezone(zone).date()

    overall, daily, weekly = AckOutcomes(), _Periods(), _Periods()
    ack_all: list[float] = []
    ack_by: dict[str, list[float]] = defaultdict(list)
    outcome_by: dict[str, AckOutcomes] = defaultdict(AckOutcomes)
    volume: dict[int, dict[str, int]] = {h: {s.value: 0 for s in Severity} for h in range(24)}
    for row in alerts:
        received = from_iso(row["received_at"])
        volume[received.astimezone(zone).hour][row["severity"]] += 1
        acked, deadline = maybe_from_iso(row["acknowledged_at"]), from_iso(row["ack_deadline_at"])
        overall = overall.counting(acked, deadline, now)
        day = local_day(row["received_at"])
        daily.ack[day] = daily.ack[day].counting(acked, deadline, now)
        week = week_of(day)
        weekly.ack[week] = weekly.ack[week].counting(acked, deadline, now)
        who = answerable(row)
        if who is not None:
            outcome_by[who[1]] = outcome_by[who[1]].counting(acked, deadline, now)
        if acked is not None:
            waited = (acked - received).total_seconds()
            ack_all.append(waited)
            ack_by[row["acknowledged_by_name"] or "unknown"].append(waited)
    contact_all: list[float] = []
    contact_by: dict[str, list[float]] = defaultdict(list)
    opened_by: dict[str, int] = defaultdict(int)
    handoff: list[float] = []
    screened = handoffs = 0
    for row in episodes:
        name = row["opened_by_name"] or "unknown"
        opened_by[name] += 1
        origin = row["first_alert_at"] or row["opened_at"]
        contact = _seconds(row["first_contact_at"], origin)
        if contact is not None:
            contact_all.append(contact)
            contact_by[name].append(contact)
        if row["had_handoff"]:
            handoffs += 1
            confirmed = _seconds(row["handoff_confirmed_at"], origin)
            if confirmed is not None:
                handoff.append(confirmed)
        screened += int(bool(row["screened"]))
    fu_all = FollowUpOutcomes()
    fu_kind: dict[str, FollowUpOutcomes] = defaultdict(FollowUpOutcomes)
    fu_by: dict[str, FollowUpOutcomes] = defaultdict(FollowUpOutcomes)
    for row in follow_ups:
        args = (row["status"], from_iso(row["due_at"]), maybe_from_iso(row["completed_at"]), now)
        fu_all = fu_all.counting(*args)
        fu_kind[row["kind"]] = fu_kind[row["kind"]].counting(*args)
        name = row["assignee_name"] or "unknown"
        fu_by[name] = fu_by[name].counting(*args)
        day = local_day(row["due_at"])
        daily.fu[day] = daily.fu[day].counting(*args)
        weekly.fu[week_of(day)] = weekly.fu[week_of(day)].counting(*args)
    names = sorted(set(ack_by) | set(outcome_by) | set(contact_by) | set(opened_by) | set(fu_by))
    if me is not None:
        names = [ctx.actor.display_name]
    clinicians = [
        ClinicianFigures(
            name=name,
            acknowledgement=outcome_by.get(name, AckOutcomes()),
            time_to_acknowledge=DurationSummary.of(ack_by.get(name, [])),
            time_to_first_contact=DurationSummary.of(contact_by.get(name, [])),
            episodes_opened=opened_by.get(name, 0),
            follow_ups=fu_by.get(name, FollowUpOutcomes()),
        )
        for name in names
    ]
    days = _days(
        start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()
    )
    return Figures(
        start=start,
        end=end,
        scope=EVERYONE if me is None else ctx.actor.display_name,
        alerts=len(alerts),
        acknowledgement=overall,
        escalated=sum(1 for r in alerts if r["escalation_level"] > 0),
        time_to_acknowledge=DurationSummary.of(ack_all),
        time_to_first_contact=DurationSummary.of(contact_all),
        time_to_handoff=DurationSummary.of(handoff),
        follow_ups=fu_all,
        follow_ups_24h_on_time=fu_kind[FollowUpKind.CONTACT_24H.value].done_on_time,
        follow_ups_72h_on_time=fu_kind[FollowUpKind.CALL_72H.value].done_on_time,
        screening_completion=Rate(screened, len(episodes)),
        dispositions={
            (Disposition(r["disposition"]).label if r["disposition"] else "none"): r["n"]
            for r in closed
        },
        volume_by_hour=volume,
        by_day=daily.trends(days),
        by_week=weekly.trends(sorted({week_of(d) for d in days})),
        clinicians=clinicians,
        episodes_counted=len(episodes),
        handoffs_counted=handoffs,
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def today_range(ctx: ServiceContext) -> tuple[datetime, datetime]:
    """Midnight to midnight of the clinic's today, in UTC."""
    zone = ZoneInfo(ctx.settings.timezone)
    local = ctx.clock.now().astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware arithmetic on a ZoneInfo datetime is wall-clock: a DST day is 23 or 25 hours.
    return midnight, midnight + timedelta(days=1)
