"""The supervisor's figures (W10) for a range: overall and per clinician."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.figures import DurationSummary, Rate
from oncall.domain.timefmt import from_iso, to_iso
from oncall.domain.types import Disposition, FollowUpKind, Severity
from oncall.services.context import ServiceContext
from oncall.store import metrics as metric_rows


@dataclass(frozen=True)
class ClinicianFigures:
    """One person's share of the figures."""

    name: str
    time_to_acknowledge: DurationSummary
    time_to_first_contact: DurationSummary
    episodes_opened: int
    follow_ups_on_time: Rate


@dataclass(frozen=True)
class Figures:
    """Everything the supervisor screen and `oncall report` show for one range."""

    start: datetime
    end: datetime
    alerts: int
    unacknowledged: int
    escalated: int
    time_to_acknowledge: DurationSummary
    time_to_first_contact: DurationSummary
    time_to_handoff: DurationSummary
    follow_ups_24h_on_time: Rate
    follow_ups_72h_on_time: Rate
    screening_completion: Rate
    dispositions: dict[str, int]
    volume_by_hour: dict[int, dict[str, int]]
    """Alerts by hour of the clinic's day (0-23), then by severity."""
    clinicians: list[ClinicianFigures] = field(default_factory=list)


def _seconds(later: str | None, earlier: str | None) -> float | None:
    if not later or not earlier:
        return None
    return (from_iso(later) - from_iso(earlier)).total_seconds()


def _on_time(row: sqlite3.Row) -> bool:
    """Done, and done by its due time."""
    return bool(
        row["status"] == "done" and row["completed_at"] and row["completed_at"] <= row["due_at"]
    )


def compute_figures(ctx: ServiceContext, start: datetime, end: datetime) -> Figures:
    """Work out the figures for alerts, episodes and follow-ups in [start, end)."""
    zone = ZoneInfo(ctx.settings.timezone)
    lo, hi = to_iso(start), to_iso(end)
    with ctx.store.read() as conn:
        alerts = metric_rows.alerts_received(conn, lo, hi)
        episodes = metric_rows.episodes_opened(conn, lo, hi)
        follow_ups = metric_rows.follow_ups_due(conn, lo, hi)
        closed = metric_rows.dispositions(conn, lo, hi)
    ack_all: list[float] = []
    ack_by: dict[str, list[float]] = defaultdict(list)
    volume: dict[int, dict[str, int]] = {h: {s.value: 0 for s in Severity} for h in range(24)}
    for row in alerts:
        hour = from_iso(row["received_at"]).astimezone(zone).hour
        volume[hour][row["severity"]] += 1
        waited = _seconds(row["acknowledged_at"], row["received_at"])
        if waited is not None:
            ack_all.append(waited)
            ack_by[row["acknowledged_by_name"] or "unknown"].append(waited)
    contact_all: list[float] = []
    contact_by: dict[str, list[float]] = defaultdict(list)
    opened_by: dict[str, int] = defaultdict(int)
    handoff: list[float] = []
    screened = 0
    for row in episodes:
        name = row["opened_by_name"] or "unknown"
        opened_by[name] += 1
        origin = row["first_alert_at"] or row["opened_at"]
        contact = _seconds(row["first_contact_at"], origin)
        if contact is not None:
            contact_all.append(contact)
            contact_by[name].append(contact)
        if row["had_handoff"]:
            confirmed = _seconds(row["handoff_confirmed_at"], origin)
            if confirmed is not None:
                handoff.append(confirmed)
        screened += int(bool(row["screened"]))
    fu_24 = [r for r in follow_ups if r["kind"] == FollowUpKind.CONTACT_24H.value]
    fu_72 = [r for r in follow_ups if r["kind"] == FollowUpKind.CALL_72H.value]
    fu_by: dict[str, list[bool]] = defaultdict(list)
    for row in follow_ups:
        fu_by[row["assignee_name"] or "unknown"].append(_on_time(row))
    names = sorted(set(ack_by) | set(contact_by) | set(opened_by) | set(fu_by))
    clinicians = [
        ClinicianFigures(
            name=name,
            time_to_acknowledge=DurationSummary.of(ack_by.get(name, [])),
            time_to_first_contact=DurationSummary.of(contact_by.get(name, [])),
            episodes_opened=opened_by.get(name, 0),
            follow_ups_on_time=Rate(sum(fu_by.get(name, [])), len(fu_by.get(name, []))),
        )
        for name in names
    ]
    return Figures(
        start=start,
        end=end,
        alerts=len(alerts),
        unacknowledged=sum(1 for r in alerts if r["acknowledged_at"] is None),
        escalated=sum(1 for r in alerts if r["escalation_level"] > 0),
        time_to_acknowledge=DurationSummary.of(ack_all),
        time_to_first_contact=DurationSummary.of(contact_all),
        time_to_handoff=DurationSummary.of(handoff),
        follow_ups_24h_on_time=Rate(sum(map(_on_time, fu_24)), len(fu_24)),
        follow_ups_72h_on_time=Rate(sum(map(_on_time, fu_72)), len(fu_72)),
        screening_completion=Rate(screened, len(episodes)),
        dispositions={
            (Disposition(r["disposition"]).label if r["disposition"] else "none"): r["n"]
            for r in closed
        },
        volume_by_hour=volume,
        clinicians=clinicians,
    )


def today_range(ctx: ServiceContext) -> tuple[datetime, datetime]:
    """Midnight to midnight of the clinic's today, in UTC."""
    zone = ZoneInfo(ctx.settings.timezone)
    local = ctx.clock.now().astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware arithmetic on a ZoneInfo datetime is wall-clock: a DST day is 23 or 25 hours.
    return midnight, midnight + timedelta(days=1)
