"""`oncall rota import FILE`: shifts from CSV or iCalendar; overlaps and gaps reported."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    acting_context,
    add_db_option,
    open_store,
    say,
    say_first,
    settings_for,
)
from oncall.domain.record_stream import Rejection
from oncall.domain.rota_records import ShiftRecord, read_rota_csv, read_rota_ics
from oncall.services.errors import ServiceError
from oncall.services.rota import RotaEntry
from oncall.services.rota_import import RotaImportReport, import_rota

DEFAULT_WEEKS = 4


def register_import(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `rota import` under `rota`."""
    parser = actions.add_parser(
        "import", help="replace the rota over a range from CSV or iCalendar (supervisors, admins)"
    )
    add_db_option(parser)
    parser.add_argument("file", metavar="FILE", type=Path, help="a .csv or .ics file")
    parser.add_argument(
        "--from", dest="window_from", metavar="DATE", help="iCalendar: first day (default: today)"
    )
    parser.add_argument(
        "--until",
        dest="window_until",
        metavar="DATE",
        help=f"iCalendar: the day after the last (default: {DEFAULT_WEEKS} weeks on)",
    )
    parser.set_defaults(handler=run_import)


def _day(text: str | None, default: date, option: str) -> date:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date (YYYY-MM-DD).", EXIT_USAGE) from None


def run_import(args: argparse.Namespace) -> int:
    """Read the file, replace the range, and print what changed, the overlaps and the gaps."""
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.", EXIT_USAGE) from None
    settings = settings_for(args)
    zone = settings.zone
    window: tuple[datetime, datetime] | None = None
    items: list[ShiftRecord | Rejection]
    if path.suffix.lower() in (".ics", ".ical", ".ifb"):
        first = _day(args.window_from, datetime.now(zone).date(), "--from")
        last = _day(args.window_until, first + timedelta(weeks=DEFAULT_WEEKS), "--until")
        if last <= first:
            raise CommandError("--until must come after --from.", EXIT_USAGE)
        window = (
            datetime.combine(first, time(0), tzinfo=zone),
            datetime.combine(last, time(0), tzinfo=zone),
        )
        items = list(read_rota_ics(data, *window, zone))
    else:
        try:
            items = list(read_rota_csv(data.decode("utf-8-sig")))
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.", EXIT_USAGE) from None
    store = open_store(settings)
    try:
        ctx = acting_context(store, settings)
        report = import_rota(ctx, items, origin=path.name, window=window)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    _print(report, zone)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def _shift(entry: RotaEntry, zone: ZoneInfo) -> str:
    return f"{entry.name} {_when(entry.starts_at, zone)}–{_when(entry.ends_at, zone)}"


def _print(report: RotaImportReport, zone: ZoneInfo) -> None:
    records = [r for r in report.rejected if r.number != 0]
    span = ""
    if report.starts_at and report.ends_at:
        span = f" over {_when(report.starts_at, zone)} – {_when(report.ends_at, zone)}"
    say(f"{report.added} shifts added, {report.removed} replaced{span}, {len(records)} rejected")
    for problem in (r for r in report.rejected if r.number == 0):
        say(f"  problem: {problem}")
    say_first(records, lambda r: f"  rejected {r} [{r.field}]", "rejected shifts")
    say_first(
        report.overlaps,
        lambda o: (
            f"  overlap ({'same person' if o.same_person else o.first.role.value}): "
            f"{_shift(o.first, zone)} and {_shift(o.second, zone)}"
        ),
        "overlaps",
    )
    say_first(
        report.gaps,
        lambda g: f"  gap: {g.role.value} {_when(g.starts_at, zone)} – {_when(g.ends_at, zone)}",
        "gaps",
    )
