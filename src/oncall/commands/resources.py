"""`oncall resources …`: the resource directory's commands.

Each action registers itself on the group (`import` from resources_import.py, `sync`
from resources_sync.py); add further actions the same way.
"""

from __future__ import annotations

import argparse

from oncall.commands.common import EXIT_USAGE
from oncall.commands.resources_import import register_import
from oncall.commands.resources_sync import register_sync


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `resources` command group and its actions."""
    parser = subparsers.add_parser(
        "resources", help="the resource directory: import or sync from HSDS"
    )
    group = parser.add_subparsers(dest="resources_action", metavar="ACTION")

    def usage(_args: argparse.Namespace) -> int:
        parser.print_usage()
        return EXIT_USAGE

    parser.set_defaults(handler=usage)
    register_import(group)
    register_sync(group)
