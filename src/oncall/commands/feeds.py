"""`oncall feeds`: the configured feeds and targets, how polling and delivery are going."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    add_db_option,
    open_store,
    say,
    service_context,
    settings_for,
)
from oncall.services.feed_status import (
    DIRECTORY,
    FeedState,
    FeedStatus,
    FeedView,
    MessageView,
    feed_status,
)
from oncall.services.outbox_actions import PageReach, page_reach

SHOWN_MESSAGES = 10


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `feeds` command."""
    parser = subparsers.add_parser(
        "feeds",
        help="list alert feeds and notification targets with their state (secrets hidden)",
        description=(
            "Exit status 1 when a feed is failing or overdue, a message failed or has no"
            " target, or someone on the rota cannot be paged."
        ),
    )
    add_db_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print each feed's and target's state and the outbox's delivery counts."""
    settings = settings_for(args)
    store = open_store(settings)
    try:
        ctx = service_context(store, settings, "feeds")  # the service's own state
        status = feed_status(ctx)
        reach = page_reach(ctx)
    finally:
        store.close()
    zone = settings.zone
    _print_feeds(status, zone)
    _print_targets(status, zone)
    unreachable = _print_reach(reach)
    troubled = any(f.health in ("failing", "overdue") for f in status.feeds)
    stuck = any(m.undeliverable for m in status.messages)
    failed = status.outbox_counts.get("failed")
    return EXIT_REJECTED if troubled or failed or stuck or unreachable else EXIT_OK


def _when(moment: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (moment - now).total_seconds()
    ago = abs(seconds)
    span = (
        f"{ago:.0f} s"
        if ago < 120
        else f"{ago / 60:.0f} min"
        if ago < 7200
        else (f"{ago / 3600:.1f} h")
    )
    rel = f"in {span}" if seconds > 0 else f"{span} ago"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S %Z} ({rel})"


def _state_lines(state: FeedState, zone: ZoneInfo, now: datetime) -> list[str]:
    lines = [
        f"last success {_when(state.last_success_at, zone, now)}; "
        f"next try {_when(state.next_attempt_at, zone, now)}",
    ]
    if state.last_attempt_at is not None and state.kind == DIRECTORY:
        lines.append(
            f"last sync: {state.last_accepted} services stored, {state.last_rejected} rejected"
        )
    elif state.last_attempt_at is not None:
        lines.append(
            f"last poll: {state.last_accepted} accepted, {state.last_duplicates} duplicate, "
            f"{state.last_rejected} rejected"
        )
    if state.kind != DIRECTORY and state.last_pages:
        lines.append(
            f"pages: {state.last_pages} checked at the last complete poll, "
            f"{state.last_pages_unchanged} unchanged since the poll before"
        )
    if state.last_error:
        streak = f" ({state.consecutive_failures} in a row)" if state.consecutive_failures else ""
        lines.append(
            f"last error{streak} {_when(state.last_error_at, zone, now)}: {state.last_error}"
        )
    return lines


def _print_feed(feed: FeedView, zone: ZoneInfo, now: datetime) -> None:
    say(
        f"  {feed.name}  [{feed.health}]  {feed.url}  every {feed.interval_s:g} s, auth {feed.auth}"
    )
    for line in _state_lines(feed.state, zone, now):
        say(f"      {line}")


def _print_feeds(status: FeedStatus, zone: ZoneInfo) -> None:
    now = status.read_at
    say(
        f"Alert feeds ({len(status.feeds)}):"
        if status.feeds
        else "Alert feeds: none configured (add [[feeds]] to the settings file)"
    )
    for feed in status.feeds:
        _print_feed(feed, zone, now)
    directory = status.directory
    if directory is None:
        say("Resource directory: never synced (oncall resources sync)")
    else:
        say("Resource directory:")
        for line in _state_lines(directory, zone, now):
            say(f"      {line}")
    if status.quarantined:
        say(f"Quarantine: {status.quarantined} rejected record(s), each kept with its reason")


def _message_line(message: MessageView, zone: ZoneInfo, now: datetime) -> str:
    state = "sending" if message.sending else message.status
    if message.undeliverable:
        state = "UNDELIVERABLE (waits for a target)"
    line = (
        f"  #{message.id} {message.kind} → {message.target}: {state}, {message.attempts} attempt(s)"
    )
    if message.undeliverable:
        return line + f"; {message.undeliverable}"
    if message.status == "pending" and message.next_attempt_at is not None:
        line += f", next try {_when(message.next_attempt_at, zone, now)}"
    if message.last_error:
        line += f"; last error: {message.last_error}"
    return line


def _print_reach(reach: list[PageReach]) -> int:
    """Where a page to each person on the rota goes; returns how many cannot be paged."""
    if not reach:
        say("Pages to staff on the rota: nobody is on the rota for the coming week")
        return 0
    say("Pages to staff on the rota (now to 7 days ahead):")
    for person in reach:
        who = f"  {person.login} ({person.name}; {', '.join(person.roles)})"
        if person.target is None:
            say(f"{who}: CANNOT be paged: {person.how}")
        else:
            say(f"{who}: deliverable to {person.target} ({person.how})")
    return sum(1 for person in reach if person.target is None)


def _print_targets(status: FeedStatus, zone: ZoneInfo) -> None:
    say(
        f"Notification targets ({len(status.targets)}):"
        if status.targets
        else "Notification targets: none configured (add [[targets]] to the settings file)"
    )
    for target in status.targets:
        key = f", routing key {target.routing_key}" if target.kind == "pagerduty" else ""
        takes = " (the default: pages for anyone without a target of their own)"
        if target.staff:
            takes = f" (pages for {target.staff})"
            if not target.staff_known:
                takes += f" — NO active staff member has the login {target.staff!r}"
        elif not target.default:
            takes = ""
        say(f"  {target.name}  {target.kind}  {target.url}{key}{takes}")
    counts = status.outbox_counts
    say(
        f"Outbox: {counts.get('pending', 0)} pending, {counts.get('delivered', 0)} delivered, "
        f"{counts.get('failed', 0)} failed, {counts.get('cancelled', 0)} cancelled"
    )
    troubled = [m for m in status.messages if m.status in ("pending", "failed")][:SHOWN_MESSAGES]
    for message in troubled:
        say(_message_line(message, zone, status.read_at))
