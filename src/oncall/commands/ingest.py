"""`oncall ingest FILE|-`: bring alerts in from a JSON array or JSON lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    say_first,
    settings_for,
    system_actor,
)
from oncall.services.context import ServiceContext
from oncall.services.ingest import IngestReport, write_batches
from oncall.services.ingest_worker import PreparationStopped, prepared_batches
from oncall.store.errors import StoreError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ingest` command."""
    parser = subparsers.add_parser(
        "ingest", help="import alerts from a JSON array or JSON lines file ('-' for stdin)"
    )
    add_db_option(parser)
    parser.add_argument("file", metavar="FILE|-", help="the alert file, or - for standard input")
    parser.add_argument(
        "--origin", default=None, help="what to record as the origin (default: the file name)"
    )
    parser.set_defaults(handler=run)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"There is no file {path}.", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not an alert file.", EXIT_USAGE) from None
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.", EXIT_USAGE) from None


def run(args: argparse.Namespace) -> int:
    """Import the file and print accepted / duplicate / rejected counts with reasons."""
    data = _read(args.file)
    settings = settings_for(args)
    origin = args.origin or ("stdin" if args.file == "-" else Path(args.file).name)
    report = IngestReport()
    stopped: StoreError | PreparationStopped | None = None
    # A large file is read and validated in a worker process, forked before the
    # database is opened, while this process writes what it prepared.
    with prepared_batches(data) as batches:
        del data  # held by whoever reads the records (the worker, or the batches)
        store = open_store(settings)
        ctx = ServiceContext(store, system_actor("ingest"), settings=settings)
        try:
            with store.bulk():
                write_batches(ctx, batches, origin=origin, report=report)
        except (StoreError, PreparationStopped) as error:  # say what was kept, then why
            stopped = error
        finally:
            store.close()
    _print_summary(report)
    if stopped is not None:
        raise CommandError(f"{stopped} {_what_was_saved(report)}", EXIT_REJECTED)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _print_summary(report: IngestReport) -> None:
    """The counts, then every file problem and up to MAX_SHOWN rejected records."""
    file_problems = [r for r in report.rejected if r.number == 0]
    records = [r for r in report.rejected if r.number != 0]
    say(
        f"{report.accepted} accepted, {report.duplicates} duplicate, {len(records)} rejected"
        + (
            f" ({report.unknown_clients} for unknown clients, flagged)"
            if report.unknown_clients
            else ""
        )
    )
    for problem in file_problems:
        say(f"  problem: {problem}")
    say_first(
        records,
        lambda rejection: (
            f"  rejected {rejection}" + (f" [{rejection.field}]" if rejection.field else "")
        ),
        "rejected records (all are kept in the quarantine with their reasons)",
    )
    say_first(
        report.changed_duplicates,
        lambda duplicate: f"  duplicate {duplicate}",
        "duplicates with different content",
    )


def _what_was_saved(report: IngestReport) -> str:
    """After a stop: what is in the database, and that running it again is safe."""
    if report.last_record == 0:
        saved = "No record of this file was saved."
    else:
        saved = (
            f"Records 1 to {report.last_record} were saved ({report.accepted} new alerts); "
            "the rest were not."
        )
    return (
        f"{saved} Run the same import again when the problem is fixed: "
        "alerts already saved are recognised as duplicates."
    )
