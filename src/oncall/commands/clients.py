"""`oncall clients import FILE|-`: clients and emergency contacts from FHIR R4 JSON or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
from oncall.services.client_import import ClientImportReport, Item, import_clients
from oncall.services.errors import ServiceError, StoreError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `clients` command group."""
    parser = subparsers.add_parser("clients", help="bring clients in from the program's EHR")
    add_db_option(parser)
    actions = parser.add_subparsers(dest="clients_action", metavar="ACTION", required=True)
    imports = actions.add_parser(
        "import",
        help="import clients from FHIR R4 JSON (Bundle, resource, NDJSON) or CSV (admins)",
    )
    add_db_option(imports)
    imports.add_argument("file", metavar="FILE|-", help="the file, or - for standard input")
    imports.add_argument(
        "--format",
        choices=("fhir", "csv"),
        default=None,
        help="the file's format (default: csv for a .csv file, else FHIR JSON)",
    )
    imports.add_argument(
        "--mrn-system",
        default=None,
        help="the identifier system of the program's MRN (default: setting client_mrn_system)",
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="check and report, but write nothing"
    )
    imports.set_defaults(handler=run_import)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise CommandError(f"There is no file {name}.", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CommandError(f"{name} is a directory, not a client file.", EXIT_USAGE) from None
    except OSError as error:
        raise CommandError(f"Cannot read {name}: {error.strerror}.", EXIT_USAGE) from None


def run_import(args: argparse.Namespace) -> int:
    """Read, validate and store the clients; print what was added, updated and refused."""
    data = _read(args.file)
    settings = settings_for(args)
    fmt = args.format or ("csv" if args.file.lower().endswith(".csv") else "fhir")
    report = ClientImportReport()
    items: list[Item]
    try:
        if fmt == "csv":
            from oncall.domain.client_csv import read_client_csv

            items = list(read_client_csv(data.decode("utf-8-sig")))
        else:
            from oncall.domain.fhir_clients import read_fhir

            reading = read_fhir(data, args.mrn_system or settings.client_mrn_system)
            items, report.skipped = reading.items, reading.skipped
    except UnicodeDecodeError:
        raise CommandError("The file is not UTF-8 text.", EXIT_USAGE) from None
    origin = "stdin" if args.file == "-" else Path(args.file).name
    store = open_store(settings)
    stopped: str | None = None
    try:
        ctx = acting_context(store, settings)
        import_clients(ctx, items, origin=origin, dry_run=args.dry_run, report=report)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    except StoreError as error:  # say what was kept before the stop
        stopped = str(error)
    finally:
        store.close()
    _print_summary(report, args.dry_run)
    if stopped is not None:
        raise CommandError(
            f"{stopped} The clients counted above were saved; run the same import again "
            "when the problem is fixed (known clients are updated, not added twice).",
            EXIT_REJECTED,
        )
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _print_summary(report: ClientImportReport, dry_run: bool) -> None:
    records = [r for r in report.rejected if r.number != 0]
    prefix = "Dry run, nothing written: would have " if dry_run else ""
    say(
        f"{prefix}{report.added} added, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged, {len(records)} rejected; "
        f"{report.contacts_added} emergency contacts added (no consent to contact on file)"
    )
    if report.skipped:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.skipped.items()))
        say(f"  skipped (not client data): {kinds}")
    for problem in (r for r in report.rejected if r.number == 0):
        say(f"  problem: {problem}")
    say_first(records, lambda r: f"  rejected {r} [{r.field}]", "rejected records")
    say_first(report.updated, lambda u: f"  updated {u}", "updated clients")
