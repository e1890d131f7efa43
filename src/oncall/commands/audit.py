"""`oncall audit`: who looked at whom (`--client REF --since DATE`), and `--verify` the chain."""

from __future__ import annotations

import argparse
import json
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
    settings_for,
)
from oncall.config import Settings
from oncall.services.audit_report import AccessReport, access_report, verify_audit_log
from oncall.services.errors import ServiceError
from oncall.store.access import AccessLogRow

DETAIL_WIDTH = 70


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `audit` command."""
    parser = subparsers.add_parser(
        "audit",
        help="who looked at or changed a client's record (supervisors, admins); --verify the log",
    )
    add_db_option(parser)
    parser.add_argument("--client", metavar="REF", help="the client's reference, e.g. C-1042")
    parser.add_argument(
        "--since", metavar="DATE", help="from this day (YYYY-MM-DD, clinic time) or ISO time"
    )
    parser.add_argument("--actor", metavar="LOGIN", help="only what this account did")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="recompute the audit log's hash chain; exit 1 naming any altered row",
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


def run(args: argparse.Namespace) -> int:
    """Print the matching audit entries as a table, or verify the chain."""
    if not args.verify and not args.since:
        raise CommandError("Give --since DATE (with --client REF and/or --actor), or --verify.")
    settings = settings_for(args)
    since = _since(args.since, settings) if args.since else None
    store = open_store(settings, create=False)
    try:
        ctx = acting_context(store, settings)
        if args.verify:
            problems = verify_audit_log(ctx)
            for problem in problems:
                say(problem)
            if problems:
                say(f"The audit log was altered: {len(problems)} rows do not match their hashes.")
                return EXIT_REJECTED
            say("The audit log is intact: every row matches its hash and its link.")
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
