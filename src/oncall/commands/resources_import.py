"""`oncall resources import PATH`: load HSDS 3.0 JSON or a tabular data package."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
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
    service_context,
    settings_for,
)
from oncall.domain.resource_record import ResourceError
from oncall.services.resource_files import Item, ResourceFileError, read_resource_path
from oncall.services.resources import import_resource_records, keep_existing


def register_import(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `import` to the `resources` command group."""
    parser = group.add_parser(
        "import",
        help="import HSDS 3.0 JSON (an array or a /services page) or a tabular data package",
        description=(
            "Validate every service, add new ones and update existing ones by id, and say "
            "why each rejected record was rejected. Exit 0 when all were imported, 1 when "
            "some were rejected, 2 when the path cannot be read as HSDS."
        ),
    )
    add_db_option(parser)
    parser.add_argument(
        "path",
        metavar="PATH",
        type=Path,
        help="a JSON file, a datapackage.json, or a directory holding a datapackage.json",
    )
    parser.set_defaults(handler=run_import)


def _with_ids(items: list[Item]) -> Iterator[Item]:
    """Name the service id in a rejected record's label when the record had one."""
    for label, item in items:
        if isinstance(item, ResourceError) and item.record_id:
            label = f"{label} (id {item.record_id})"
        yield label, item


def run_import(args: argparse.Namespace) -> int:
    """Import the path and print added / updated / rejected counts with each reason."""
    try:
        source = read_resource_path(Path(args.path).expanduser())
    except ResourceFileError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    settings = settings_for(args)
    store = open_store(settings)
    try:
        ctx = service_context(store, settings, "resources import")
        items = source.items
        if source.unread_tables:
            items = keep_existing(ctx, items, source.unread_tables)
        report = import_resource_records(ctx, _with_ids(items), origin=Path(args.path).name)
    finally:
        store.close()
    say(f"Read {args.path} as {source.form}.")
    say(
        f"{report.added} added, {report.updated} updated, {len(report.rejected)} rejected"
        + (
            f"; {len(source.problems)} problem{'s' if len(source.problems) != 1 else ''}"
            " with the file"
            if source.problems
            else ""
        )
    )
    for problem in source.problems:
        say(f"  problem: {problem}")
    say_first(report.rejected, lambda r: f"  rejected {r[0]}: {r[1]}: {r[2]}", "rejected records")
    return EXIT_REJECTED if report.rejected or source.problems else EXIT_OK
