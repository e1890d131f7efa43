"""The board's line of figures: deadlines met and missed first, each median with its count."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.figures import DurationSummary, Rate, format_duration, rate_text
from oncall.services.metrics import Figures

BREACH = "bold red"


def _pct(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:.0f}%"


def _median(summary: DurationSummary) -> str:
    """'1m 30s (3)': a median with how many it is over, or a dash for none."""
    if summary.median_s is None:
        return "—"
    return f"{format_duration(summary.median_s)} ({summary.count})"


def figures_text(figures: Figures, zone: ZoneInfo) -> Text:
    """One or two lines: the span, alerts acknowledged in time (never-acknowledged ones as
    breaches), follow-ups done on time (overdue ones counted), then medians labelled with
    what they are over."""
    start, end = figures.start.astimezone(zone), figures.end.astimezone(zone)
    last_day = end - timedelta(days=1)
    span = (
        f"Today {start:%a %d %b}"
        if last_day.date() == start.date()
        else f"{start:%d %b} – {last_day:%d %b %Y}"
    )
    ack, done = figures.acknowledgement, figures.follow_ups
    text = Text()
    text.append(f"{span}: ", style="bold")
    text.append(f"{figures.alerts} alert{'' if figures.alerts == 1 else 's'}  ")
    text.append("acked in time ")
    text.append(rate_text(ack.within_deadline), style="bold")
    if ack.never:
        text.append(f", {ack.never} never acked", style=BREACH)
    if ack.late:
        text.append(f", {ack.late} late")
    if ack.waiting:
        text.append(f", {ack.waiting} waiting")
    text.append("  follow-ups on time ")
    text.append(rate_text(done.done_on_time), style="bold")
    if done.overdue + done.exhausted:
        text.append(f", {done.overdue + done.exhausted} overdue", style=BREACH)
    text.append(
        f"\nmedians (n): ack {_median(figures.time_to_acknowledge)}"
        f"  first contact {_median(figures.time_to_first_contact)}"
        f"  handoff {_median(figures.time_to_handoff)}"
        f"  C-SSRS {_pct(figures.screening_completion)}",
        style="dim",
    )
    return text
