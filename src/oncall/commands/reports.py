"""`oncall report`, `oncall handoff` and `oncall export`: figures, shift handoff, exports."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    acting_context,
    add_db_option,
    open_store,
    say,
    settings_for,
)
from oncall.domain.figures import DurationSummary, Rate, format_duration, rate_text
from oncall.services.export import (
    DEIDENTIFIED_FIELDS,
    export_episodes,
    safe_harbor_statement,
)
from oncall.services.metrics import EVERYONE, ClinicianFigures, Figures, compute_figures
from oncall.services.shift_handoff import build_shift_handoff, render_text

FORMATS = ("table", "csv", "json")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `report`, `handoff` and `export` commands."""
    report = subparsers.add_parser(
        "report", help="figures since a date (your own; everyone's for supervisors and admins)"
    )
    add_db_option(report)
    report.add_argument("--since", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    report.add_argument("--until", metavar="DATE", help="last day, inclusive (default: today)")
    report.add_argument("--format", choices=FORMATS, default="table")
    report.set_defaults(handler=run_report)
    handoff = subparsers.add_parser("handoff", help="the end-of-shift handoff summary")
    add_db_option(handoff)
    handoff.add_argument("--hours", type=float, default=12.0, help="follow-ups due within")
    handoff.set_defaults(handler=run_handoff)
    export = subparsers.add_parser("export", help="export records")
    add_db_option(export)
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    episodes = what.add_parser("episodes", help="episodes opened since a date")
    add_db_option(episodes)
    episodes.add_argument("--since", required=True, metavar="DATE")
    episodes.add_argument("--until", metavar="DATE")
    episodes.add_argument("--format", choices=("csv", "json"), default="csv")
    episodes.add_argument(
        "--deidentify",
        action="store_true",
        help="HIPAA Safe Harbor: years instead of dates, no place, program or free text,"
        " pseudonyms instead of ids (supervisors, admins)",
    )
    episodes.set_defaults(handler=run_export)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date (YYYY-MM-DD).", EXIT_USAGE) from None


def _range(args: argparse.Namespace, zone: ZoneInfo, today: date) -> tuple[datetime, datetime]:
    first = _day(args.since, "--since")
    last = _day(args.until, "--until") if args.until else today
    if last < first:
        raise CommandError("--until is before --since.", EXIT_USAGE)
    start = datetime.combine(first, time(0), tzinfo=zone)
    return start, datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)


def _pct(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:.0f}% ({rate.met}/{rate.total})"


def _median(summary: DurationSummary, of: str) -> str:
    """A median named with what it is taken over: "4m 00s (of the 24 acknowledged alerts)"."""
    if summary.median_s is None:
        return f"— (no {of})"
    return f"{format_duration(summary.median_s)} (of the {summary.count} {of})"


def figures_rows(figures: Figures) -> list[dict[str, Any]]:
    """The figures as rows of (scope, measure, value) for table/csv/json output."""
    rows: list[dict[str, Any]] = []

    def add(scope: str, measure: str, value: Any, text: str) -> None:
        rows.append({"scope": scope, "measure": measure, "value": value, "text": text})

    scope = "all" if figures.scope == EVERYONE else figures.scope
    ack, done = figures.acknowledgement, figures.follow_ups
    add(scope, "alerts", figures.alerts, str(figures.alerts))
    add(
        scope,
        "acknowledged within deadline",
        ack.within_deadline.percent,
        rate_text(ack.within_deadline),
    )
    add(scope, "acknowledged late", ack.late, str(ack.late))
    add(scope, "never acknowledged, deadline passed", ack.never, str(ack.never))
    add(scope, "not acknowledged yet, deadline ahead", ack.waiting, str(ack.waiting))
    add(scope, "escalated", figures.escalated, str(figures.escalated))
    for label, summary, of in (
        ("time to acknowledge", figures.time_to_acknowledge, "acknowledged alerts"),
        ("time to first contact", figures.time_to_first_contact, "episodes with contact made"),
        ("time to handoff confirmation", figures.time_to_handoff, "confirmed hotline handoffs"),
    ):
        add(scope, f"{label} median", summary.median_s, _median(summary, of))
        add(scope, f"{label} p90", summary.p90_s, format_duration(summary.p90_s))
    add(scope, "follow-ups done on time", done.done_on_time.percent, rate_text(done.done_on_time))
    for label, count in (
        ("follow-ups done late", done.late),
        ("follow-ups overdue", done.overdue),
        ("follow-ups with attempts exhausted", done.exhausted),
        ("follow-ups not yet due", done.not_yet_due),
    ):
        add(scope, label, count, str(count))
    for label, rate in (
        ("24 h follow-ups on time", figures.follow_ups_24h_on_time),
        ("72 h follow-ups on time", figures.follow_ups_72h_on_time),
        ("C-SSRS screening completion", figures.screening_completion),
    ):
        add(scope, label, rate.percent, _pct(rate))
    for disposition, count in figures.dispositions.items():
        add(scope, f"disposition: {disposition}", count, str(count))
    for hour, by_severity in figures.volume_by_hour.items():
        for severity, count in by_severity.items():
            if count:
                add(scope, f"alerts {hour:02d}:00 {severity}", count, str(count))
    if figures.scope == EVERYONE:
        for person in figures.clinicians:
            _person_rows(person, add)
    for group, trends, label in (
        ("by day", figures.by_day, "%Y-%m-%d %a"),
        ("by week", figures.by_week, "week of %Y-%m-%d"),
    ):
        for trend in trends:
            when, met = trend.first_day.strftime(label), trend.acknowledgement.within_deadline
            never = f", {trend.acknowledgement.never} never" if trend.acknowledgement.never else ""
            add(group, f"{when} acknowledged within deadline", met.percent, rate_text(met) + never)
            on_time = trend.follow_ups.done_on_time
            add(group, f"{when} follow-ups done on time", on_time.percent, rate_text(on_time))
    return rows


def _person_rows(person: ClinicianFigures, add: Callable[[str, str, Any, str], None]) -> None:
    """One person's rows: their alerts (acknowledged, or unclaimed on their primary shift)."""
    name, met = person.name, person.acknowledgement.within_deadline
    add(name, "acknowledged within deadline", met.percent, rate_text(met))
    never = person.acknowledgement.never
    add(name, "never acknowledged on their primary shift", never, str(never))
    ack = person.time_to_acknowledge
    add(name, "time to acknowledge median", ack.median_s, _median(ack, "they acknowledged"))
    add(name, "time to acknowledge p90", ack.p90_s, format_duration(ack.p90_s))
    contact = person.time_to_first_contact
    add(
        name,
        "time to first contact median",
        contact.median_s,
        _median(contact, "episodes with contact made"),
    )
    add(name, "episodes opened", person.episodes_opened, str(person.episodes_opened))
    on_time = person.follow_ups_on_time
    add(name, "follow-ups done on time", on_time.percent, rate_text(on_time))


def run_report(args: argparse.Namespace) -> int:
    """Print the figures for the range in the chosen format."""
    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        ctx = acting_context(store, settings)
        today = ctx.clock.now().astimezone(settings.zone).date()
        start, end = _range(args, settings.zone, today)
        figures = compute_figures(ctx, start, end)
    finally:
        store.close()
    rows = figures_rows(figures)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        say("")
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["scope", "measure", "value", "text"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        own = "" if figures.scope == EVERYONE else f", {figures.scope}'s own"
        say(
            f"Figures {start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d}"
            f" ({settings.timezone}){own}"
        )
        width = max(len(r["measure"]) for r in rows)
        scope = None
        for row in rows:
            if row["scope"] != scope:
                scope = row["scope"]
                say(f"\n{'Everyone' if scope == 'all' else scope}")
            say(f"  {row['measure']:<{width}}  {row['text']}")
    return EXIT_OK


def run_handoff(args: argparse.Namespace) -> int:
    """Print the shift handoff summary."""
    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        ctx = acting_context(store, settings)
        summary = build_shift_handoff(ctx, horizon=timedelta(hours=args.hours))
    finally:
        store.close()
    say(render_text(summary, settings.zone))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write episodes as CSV or JSON to standard output."""
    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        ctx = acting_context(store, settings)
        today = ctx.clock.now().astimezone(settings.zone).date()
        start, end = _range(args, settings.zone, today)
        rows = export_episodes(ctx, start, end, deidentify=args.deidentify)
    finally:
        store.close()
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        say("")
    else:
        empty = list(DEIDENTIFIED_FIELDS) if args.deidentify else ["episode_id"]
        fields = list(rows[0]) if rows else empty
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    if args.deidentify:
        print(safe_harbor_statement(settings.deidentified_geography), file=sys.stderr)
    print(f"{len(rows)} episodes exported", file=sys.stderr)
    return EXIT_OK
