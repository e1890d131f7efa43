"""`oncall` (no command) and `oncall demo`: open the console."""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.clock import Clock
from oncall.commands.common import (
    CommandError,
    add_db_option,
    open_store,
    say,
    settings_for,
)
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.services.errors import ServiceError
from oncall.store.db import Store

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp

DEMO_LOGIN = "demo"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command (the console itself is the default)."""
    parser = subparsers.add_parser(
        "demo",
        help="open the console on a freshly seeded demo database, four weeks of history "
        "included, with a simulated feed",
    )
    add_db_option(parser)
    parser.add_argument("--no-feed", action="store_true", help="do not simulate incoming alerts")
    parser.add_argument(
        "--feed-interval",
        type=float,
        default=6.0,
        metavar="SECONDS",
        help="seconds between simulated alerts (default 6)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --db: seed even a database with real (non-demo) staff (admins; audited)",
    )
    parser.add_argument(
        "--as",
        dest="as_",
        default=DEMO_LOGIN,
        metavar="ROLE|LOGIN",
        help="whom the console acts for: a role (supervisor, clinician, peer, case_manager, "
        "admin) or a demo staff login such as hcho (default: demo, a clinician)",
    )
    parser.set_defaults(handler=run_demo)


def console_user(
    store: Store, actor: Staff | str | None = None, *, clock: Clock | None = None
) -> Staff:
    """Who the console acts for: the given staff, or the process's OS account mapped to staff.

    The identity service decides: the gate's login, else the real user id's account, maps
    to an active staff row. A refusal is a CommandError naming the account.
    """
    if isinstance(actor, Staff):
        return actor
    from oncall.services import identity

    try:
        if actor is not None:
            return identity.resolve_staff(store, actor)
        return identity.resolve_console_user(store, clock=clock)
    except ServiceError as error:
        raise CommandError(str(error)) from None


def _run(app: OnCallApp) -> int:
    """Run the console until the user quits; the connections close whatever happens."""
    try:
        app.run()
    finally:
        app.services.store.close()
        if app.demo_feed is not None:
            app.demo_feed.ctx.store.close()
    return int(app.return_code or 0)


def run_console(args: argparse.Namespace) -> int:
    """Open the console on the configured database."""
    from oncall.commands.app_factory import make_app
    from oncall.commands.console_watch import run_watched

    return run_watched(make_app(settings_for(args), scheduler=True))


def give_demo_a_pin(store: Store, settings: Settings, person: Staff | None = None) -> str | None:
    """Set the demo user's idle-lock PIN if none is set; returns it (None: left alone)."""
    from oncall.services.context import ServiceContext
    from oncall.services.pin import DEMO_PIN, PinOutcome, pin_status, set_pin
    from oncall.services.seed import demo_context

    ctx = demo_context(store, settings=settings)
    if person is not None:
        ctx = ServiceContext(store, person, ctx.clock, settings)
    if not ctx.actor.id or pin_status(ctx).outcome is not PinOutcome.NO_PIN:
        return None
    set_pin(ctx, DEMO_PIN)
    return DEMO_PIN


def run_demo(args: argparse.Namespace) -> int:
    """Seed a fresh demo database and open the console on it as the demo clinician (or --as)."""
    from oncall.commands.common import EXIT_USAGE
    from oncall.feeds.demo_pager import DemoPager
    from oncall.services.demo import check_demo_identity, demo_identity, seed_everything

    try:
        check_demo_identity(args.as_)
    except ServiceError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    # Made-up alerts must never page a real person, poll a real feed or post anywhere:
    # the demo keeps the settings file's other choices but none of its endpoints.
    settings = replace(
        settings_for(args),
        feeds=(),
        targets=(),
        resource_directory_url=None,
        audit_anchor_url=None,
        audit_anchor_syslog=None,
    )
    if not args.db:
        folder = Path(tempfile.mkdtemp(prefix="oncall-demo-"))
        settings = replace(settings, db_path=folder / "demo.db")
    from oncall.services.demo_guard import allow_demo_data, real_staff

    store = open_store(settings, create=True)
    try:
        try:
            allow_demo_data(store, force=args.force)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        started = time.perf_counter()
        # A made-up past would skew a real clinic's figures: only a demo database gets one.
        history = None if real_staff(store) else DemoPager
        lines = seed_everything(store, settings=settings, history=history)
        took = time.perf_counter() - started
        try:
            person = demo_identity(store, args.as_)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        demo_pin = give_demo_a_pin(store, settings, person)
    finally:
        store.close()
    say(f"Demo database: {settings.db_path} (made in {took:.1f} s)")
    for line in lines:
        say(f"  {line}")
    if demo_pin:
        idle = f"{settings.idle_lock_minutes:g} idle minutes"
        say(f"  F12 (or {idle}) locks the console; the demo PIN is {demo_pin}")
    from oncall.commands.app_factory import make_app

    say(f"  The console acts for {person.display_name} ({person.login}, {person.role.value})")
    say("  It sends nothing: the settings file's feeds and notification targets are not used")
    app = make_app(
        settings,
        actor=person,
        demo=True,
        feed=not args.no_feed,
        feed_interval_s=args.feed_interval,
        scheduler=True,
    )
    code = _run(app)
    say(f"The demo database is kept at {settings.db_path}")
    return code
