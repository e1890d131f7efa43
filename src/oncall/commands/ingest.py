"""`oncall ingest FILE|-`: bring alerts in from a JSON array or JSON lines."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    say_first,
    service_context,
    settings_for,
)
from oncall.services.errors import StoreError
from oncall.services.ingest import IngestReport, write_batches
from oncall.services.ingest_worker import PreparationStopped, prepared_batches

WAITING_NOTICE_S = 3.0
"""Seconds of silence from the input before the command says it is waiting for it."""
CHUNK_BYTES = 1 << 20


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


def _check_input(name: str) -> None:
    """Refuse a missing file or a folder before anything else (exit 2)."""
    path = Path(name)
    if name == "-":
        return
    if not os.path.lexists(path):
        raise CommandError(f"There is no file {path}.", EXIT_USAGE)
    if path.is_dir():
        raise CommandError(f"{path} is a directory, not an alert file.", EXIT_USAGE)


def _read(name: str, limit: int) -> bytes:
    """The whole input, at most `limit` bytes; a pipe or FIFO that stays silent is said."""
    path = Path(name)
    notice = threading.Timer(
        WAITING_NOTICE_S,
        say,
        (f"oncall: waiting for input on {'standard input' if name == '-' else path} …", sys.stderr),
    )
    notice.daemon = True
    notice.start()  # open() of a FIFO with no writer blocks, and so does a silent pipe
    try:
        if name == "-":
            return _read_capped(sys.stdin.buffer, "standard input", limit, notice.cancel)
        with path.open("rb") as source:
            return _read_capped(source, str(path), limit, notice.cancel)
    except FileNotFoundError:
        raise CommandError(f"There is no file {path}.", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not an alert file.", EXIT_USAGE) from None
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.", EXIT_USAGE) from None
    finally:
        notice.cancel()


def _read_capped(source: BinaryIO, what: str, limit: int, arrived: Callable[[], None]) -> bytes:
    """Read in chunks and stop past `limit`: memory stays bounded (`ingest /dev/zero`)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := source.read(CHUNK_BYTES):
        arrived()
        size += len(chunk)
        if size > limit:
            raise CommandError(
                f"{what} is longer than {limit:,} bytes (max_input_bytes): nothing was "
                "imported. Split it, or raise max_input_bytes in the settings file.",
                EXIT_USAGE,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def run(args: argparse.Namespace) -> int:
    """Import the file and print accepted / duplicate / rejected counts with reasons."""
    settings = settings_for(args)
    _check_input(args.file)  # a usage error comes first
    # Who may bring alerts in is checked before the input is read: the service account
    # or an admin only, audited by name (a non-staff account forged alerts as "ingest").
    store = open_store(settings)
    try:
        service_context(store, settings, "ingest")
    finally:
        store.close()
    data = _read(args.file, settings.max_input_bytes)
    origin = args.origin or ("stdin" if args.file == "-" else Path(args.file).name)
    report = IngestReport()
    stopped: StoreError | PreparationStopped | None = None
    # A large file is read and validated in a worker process, forked before the
    # database is opened, while this process writes what it prepared.
    with prepared_batches(data, max_record=settings.max_record_bytes) as batches:
        del data  # held by whoever reads the records (the worker, or the batches)
        store = open_store(settings)
        try:
            ctx = service_context(store, settings, "ingest")
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
