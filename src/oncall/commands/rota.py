"""`oncall rota`: who is on call now, and the rota for a week (clinic time zone), shift numbers
included for `oncall rota cover|swap`."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    service_or_staff_context,
    settings_for,
)
from oncall.services.errors import ServiceError
from oncall.services.rota import OnCallNow, Rota, on_call_now, rota_for_days


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `rota` command."""
    rota = subparsers.add_parser("rota", help="who is on call now, and the rota for a week")
    add_db_option(rota)
    rota.add_argument(
        "--from", dest="first_day", metavar="DATE", help="first day, YYYY-MM-DD (default: today)"
    )
    rota.add_argument("--days", type=int, default=7, help="how many days to show (default: 7)")
    rota.set_defaults(handler=run_rota)
    actions = rota.add_subparsers(dest="rota_action", metavar="ACTION")
    from oncall.commands.rota_changes import register_changes
    from oncall.commands.rota_import import register_import

    register_import(actions)
    register_changes(actions)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def render_now(now: OnCallNow, zone: ZoneInfo) -> list[str]:
    """The "on call now" block: each role, who holds it and until when, or nobody."""
    lines = [f"On call now ({_when(now.at, zone)})"]
    for role in ("primary", "backup", "supervisor"):
        entries = getattr(now, role)
        if not entries:
            lines.append(f"  {role:<10}  nobody")
        for entry in entries:
            phone = f"  {entry.phone}" if entry.phone else ""
            lines.append(f"  {role:<10}  {entry.name}{phone}  until {_when(entry.ends_at, zone)}")
    return lines


def render_rota(rota: Rota, zone: ZoneInfo) -> list[str]:
    """The rota's shifts in time order, then the gaps in each role's cover."""
    first = rota.starts_at.astimezone(zone)
    last = (rota.ends_at - timedelta(microseconds=1)).astimezone(zone)  # the end is exclusive
    days = (last.date() - first.date()).days + 1
    lines = [
        f"Rota {first:%a %d %b} to {last:%a %d %b} ({days} day{'s' if days != 1 else ''},"
        f" {zone.key})"
    ]
    if not rota.entries:
        lines.append("  no shifts")
    for entry in rota.entries:
        lines.append(
            f"  {_when(entry.starts_at, zone)} – {_when(entry.ends_at, zone)}"
            f"  {entry.role.value:<10}  {entry.name}  (shift {entry.shift_id})"
        )
    if rota.gaps:
        lines.append("")
        lines.append("Gaps in cover")
        for gap in rota.gaps:
            lines.append(
                f"  {gap.role.value:<10}  {_when(gap.starts_at, zone)} – {_when(gap.ends_at, zone)}"
            )
    return lines


def run_rota(args: argparse.Namespace) -> int:
    """Print who is on call now, then the rota."""
    first_day: date | None = None
    if args.first_day:
        try:
            first_day = date.fromisoformat(args.first_day)
        except ValueError:
            raise CommandError(
                f"--from {args.first_day!r} is not a date (YYYY-MM-DD).", EXIT_USAGE
            ) from None
    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        # Staff phones, so staff only (or the service account at the host).
        ctx = service_or_staff_context(store, settings, "rota")
        now = on_call_now(ctx)
        rota = rota_for_days(ctx, first_day, args.days)
    except ServiceError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    finally:
        store.close()
    zone = settings.zone
    for line in [*render_now(now, zone), "", *render_rota(rota, zone)]:
        say(line)
    return EXIT_OK
