"""`oncall resources sync [BASE_URL]`: bring the resource directory up to date from HSDS."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from oncall.feeds.directory_sync import DirectorySyncReport


def register_sync(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sync` to the `resources` command group."""
    parser = group.add_parser(
        "sync",
        help="update the directory from an HSDS 3.0 API or a datapackage.json URL",
        description=(
            "Upsert every service by id; services not active, and services this same "
            "directory added that it no longer lists, are marked inactive (never deleted). "
            "Entries from another source or imported from a file are never marked inactive "
            "by a sync. A page that fails is reported, the others are kept, and then "
            "nothing is marked inactive for being missing."
        ),
    )
    add_db_option(parser)
    parser.add_argument(
        "base_url",
        nargs="?",
        metavar="BASE_URL",
        help="the HSDS API base URL or datapackage.json (default: resource_directory_url)",
    )
    parser.add_argument(
        "--auth-header",
        metavar="VALUE",
        default=None,
        help="an Authorization header value; write ${VAR} to read it from the environment",
    )
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    """Sync once and print added / updated / inactivated / rejected counts and failed pages."""
    # httpx and the sync load only for this command, not for every `oncall` start.
    from oncall.feeds.directory_sync import DirectorySyncBusy, sync_directory
    from oncall.secrets import SecretMissing

    settings = settings_for(args)
    url = args.base_url or settings.resource_directory_url
    if not url:
        raise CommandError(
            "Give the directory's BASE_URL, or set resource_directory_url in the settings "
            "file (or ONCALL_RESOURCE_DIRECTORY_URL).",
            EXIT_USAGE,
        )
    if not url.lower().startswith(("http://", "https://")):
        raise CommandError(f"{url!r} is not an http or https URL.", EXIT_USAGE)
    store = open_store(settings)
    try:
        ctx = service_context(store, settings, "resources sync")
        report = asyncio.run(sync_directory(ctx, url, auth_header=args.auth_header))
    except DirectorySyncBusy as error:
        raise CommandError(f"Not synced: {error}.") from None
    except SecretMissing as error:
        raise CommandError(f"Not synced: {error}.", EXIT_USAGE) from None
    finally:
        store.close()
    _print(report)
    return EXIT_OK if report.complete and not report.resources.rejected else EXIT_REJECTED


def _print(report: DirectorySyncReport) -> None:
    counts = report.resources
    say(
        f"{report.source}: {report.pages_read} page(s) read; {counts.added} added, "
        f"{counts.updated} updated, {report.inactivated} inactivated, "
        f"{len(counts.rejected)} rejected, {len(report.failed_pages)} failed page(s)"
    )
    say_first(counts.rejected, lambda r: f"  rejected {r[0]} [{r[1]}]: {r[2]}", "rejected services")
    for label, reason in report.failed_pages:
        say(f"  failed {label}: {reason}")
    if report.left_to_others:
        say(
            f"  {report.left_to_others} active service(s) from other sources (another "
            "directory, a file imported by hand) were not listed and were left as they are"
        )
    if report.missing_not_checked:
        say(
            f"  services missing from this sync were not marked inactive: "
            f"{report.missing_not_checked}"
        )
