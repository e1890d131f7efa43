"""`oncall rota cover SHIFT --by LOGIN [--from TIME]` and `oncall rota swap SHIFT SHIFT`."""

from __future__ import annotations

import argparse
from datetime import datetime
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
from oncall.services.errors import ServiceError
from oncall.services.rota_changes import RotaChange, cover_shift, staff_id_for, swap_shifts


def register_changes(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `rota cover` and `rota swap` under `rota`."""
    cover = actions.add_parser(
        "cover",
        help="a colleague covers a shift, all of it or from a time (supervisors, admins)",
    )
    add_db_option(cover)
    cover.add_argument(
        "shift", metavar="SHIFT", type=int, help="the shift number `oncall rota` shows"
    )
    cover.add_argument("--by", required=True, metavar="LOGIN", help="who covers it")
    cover.add_argument(
        "--from",
        dest="cover_from",
        metavar="TIME",
        help="cover from this time on, YYYY-MM-DDTHH:MM (clinic time unless an offset is given);"
        " default: the whole shift, or from now if it is under way",
    )
    cover.set_defaults(handler=run_cover)
    swap = actions.add_parser(
        "swap", help="two people trade shifts that have not started (supervisors, admins)"
    )
    add_db_option(swap)
    swap.add_argument("first", metavar="SHIFT", type=int)
    swap.add_argument("second", metavar="SHIFT", type=int)
    swap.set_defaults(handler=run_swap)


def parse_moment(text: str, zone: ZoneInfo, option: str) -> datetime:
    """An ISO 8601 time; without an offset it is clinic time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a time (YYYY-MM-DDTHH:MM, clinic time).", EXIT_USAGE
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def run_cover(args: argparse.Namespace) -> int:
    """Give the shift (or its rest from --from) to --by, and say what changed."""
    settings = settings_for(args)
    start = parse_moment(args.cover_from, settings.zone, "--from") if args.cover_from else None
    store = open_store(settings)
    try:
        ctx = acting_context(store, settings)
        change = cover_shift(ctx, args.shift, staff_id_for(ctx, args.by), start)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    return _done(change)


def run_swap(args: argparse.Namespace) -> int:
    """Trade two shifts between their holders."""
    settings = settings_for(args)
    store = open_store(settings)
    try:
        ctx = acting_context(store, settings)
        change = swap_shifts(ctx, args.first, args.second)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    return _done(change)


def _done(change: RotaChange) -> int:
    say(change.message)
    return EXIT_OK
