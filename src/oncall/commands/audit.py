"""`oncall audit`: who looked at whom (`--client REF --since DATE`), `--verify` the log,
`audit anchor` its head, and `audit key` to key an older database's chain."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    acting_context,
    add_db_option,
    open_store,
    say,
    service_context,
    settings_for,
)
from oncall.config import Settings
from oncall.services.audit_report import (
    AccessLogRow,
    AccessReport,
    access_report,
    verify_audit_log,
)
from oncall.services.errors import ServiceError

DETAIL_WIDTH = 70


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `audit` command."""
    parser = subparsers.add_parser(
        "audit",
        help="who looked at or changed a client's record (supervisors, admins); --verify the log",
    )
    add_db_option(parser)
    parser.add_argument(
        "task",
        nargs="?",
        choices=("anchor", "key"),
        help="anchor: append the log's head to DB.auditanchors (the worker does it every few "
        "minutes); key: create the key of an older database's chain (DB.auditkey)",
    )
    parser.add_argument("--client", metavar="REF", help="the client's reference, e.g. C-1042")
    parser.add_argument(
        "--since", metavar="DATE", help="from this day (YYYY-MM-DD, clinic time) or ISO time"
    )
    parser.add_argument("--actor", metavar="LOGIN", help="only what this account did")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check the keyed hash chain, the row ids, the append-only triggers and the "
        "anchors; exit 1 naming any altered, missing or deleted row",
    )
    parser.set_defaults(handler=run)


def _since(text: str, settings: Settings) -> datetime:
    """A day in the clinic's zone (its midnight) or an ISO time (naive: clinic zone)."""
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=settings.zone)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--since {text!r} is not a date (YYYY-MM-DD) or an ISO time.", EXIT_USAGE
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


def _detail(row: AccessLogRow) -> str:
    text = " ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in sorted(row.detail.items())
        if value not in (None, "", [], {})
    )
    return text if len(text) <= DETAIL_WIDTH else text[: DETAIL_WIDTH - 1] + "…"


def _print_table(report: AccessReport, settings: Settings) -> None:
    header = ("WHEN", "WHO", "ACTION", "RECORD", "CLIENT", "DETAIL")
    table = [header]
    for row in report.rows:
        record = row.object_type + (f" {row.object_id}" if row.object_id else "")
        table.append(
            (
                f"{row.at.astimezone(settings.zone):%Y-%m-%d %H:%M:%S}",
                row.actor,
                row.action,
                record,
                row.client_ref or "",
                _detail(row),
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        say("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _anchor(args: argparse.Namespace) -> int:
    """Append the head to the anchor file (and the system log or webhook, if configured)."""
    from oncall.feeds.anchor_post import post_anchor
    from oncall.services.audit_anchors import AnchorFileError, anchor_audit_head

    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        ctx = service_context(store, settings, "audit anchor")  # the worker's work, by hand
        result = anchor_audit_head(ctx, post=post_anchor)
    except (AnchorFileError, ServiceError) as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    if result.anchor is None:
        say("The audit log is empty: nothing to anchor.")
    elif result.written:
        say(f"Anchored audit row {result.anchor.row} in {result.path}.")
    else:
        say(f"Audit row {result.anchor.row} is already the last anchor in {result.path}.")
    for problem in result.problems:
        say(f"Not done: {problem}.", sys.stderr)
    return EXIT_REJECTED if result.problems else EXIT_OK


def _key(args: argparse.Namespace) -> int:
    """Create the key of an older database's chain; later rows are keyed."""
    from oncall.services.audit_report import create_audit_key

    settings = settings_for(args)
    store = open_store(settings, create=False)
    try:
        path = create_audit_key(acting_context(store, settings))
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    say(f"Created the audit key {path} (readable by this account only).")
    say("  Rows from now on are keyed; earlier rows keep the plain hash, checked as before.")
    say("  Back it up apart from the database: without it, keyed rows cannot be checked.")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the matching audit entries as a table, verify the log, anchor it or key it."""
    if args.task == "anchor":
        return _anchor(args)
    if args.task == "key":
        return _key(args)
    if not args.verify and not args.since:
        raise CommandError("Give --since DATE (with --client REF and/or --actor), or --verify.")
    settings = settings_for(args)
    since = _since(args.since, settings) if args.since else None
    store = open_store(settings, create=False)
    try:
        ctx = acting_context(store, settings)
        if args.verify:
            found = verify_audit_log(ctx)
            for problem in found.problems:
                say(problem)
            if found.problems:
                say(f"The audit log was altered: {len(found.problems)} problems found.")
                return EXIT_REJECTED
            ids = {0: "it has no rows", 1: "row 1 is there"}.get(
                found.rows, f"rows 1-{found.rows} are all there"
            )
            anchors = f"every anchor ({found.anchors})" if found.anchors else "no anchor yet"
            say(
                f"The audit log is intact: every row matches its hash and its link, {ids}, "
                f"the append-only triggers are in place, and it agrees with {anchors}."
            )
            for notice in found.notices:
                say(notice)
            if since is None:
                return EXIT_OK
        assert since is not None
        report = access_report(ctx, since=since, client_ref=args.client, actor=args.actor)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()
    who = f"client {args.client}" if args.client else "every client"
    by = f" by {args.actor}" if args.actor else ""
    say(f"Audit entries for {who}{by} since {since.astimezone(settings.zone):%Y-%m-%d %H:%M}:")
    if not report.rows:
        say("  none")
        return EXIT_OK
    _print_table(report, settings)
    say(f"{len(report.rows)} entries" + (" (the first 10,000 only)" if report.truncated else ""))
    return EXIT_OK
