"""`oncall seed`: load the synthetic demo data."""

from __future__ import annotations

import argparse

from oncall.commands.common import EXIT_OK, add_db_option, open_store, say, settings_for
from oncall.services.seed import SeedError, seed_people


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `seed` command."""
    parser = subparsers.add_parser(
        "seed",
        help="load the synthetic demo data (staff, rota, clients, resources, and four weeks "
        "of alerts, episodes, follow-ups and pages)",
    )
    add_db_option(parser)
    parser.add_argument(
        "--no-alerts", action="store_true", help="leave the alert queue and its history empty"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="seed even a database with real (non-demo) staff (admins; audited)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Seed the database and say what was loaded."""
    from oncall.commands.common import CommandError
    from oncall.feeds.demo_pager import DemoPager
    from oncall.services import demo
    from oncall.services.demo_guard import allow_demo_data, real_staff
    from oncall.services.errors import ServiceError

    settings = settings_for(args)
    # A demo database may be made here; a real clinic's is refused unless an admin forces it.
    store = open_store(settings, create=True)
    try:
        allow_demo_data(store, force=args.force)
        # A made-up past would skew a real clinic's figures: only a demo database gets one.
        history = None if real_staff(store) else DemoPager
        report = demo.seed_everything(
            store, settings=settings, alerts=not args.no_alerts, history=history
        )
    except (SeedError, ServiceError) as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    say(f"Seeded {settings.db_path}:")
    for line in report:
        say(f"  {line}")
    return EXIT_OK


__all__ = ["register", "seed_people"]
