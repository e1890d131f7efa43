"""`oncall keys add|list|revoke`: staff SSH keys on the service account, gated by LOGIN."""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_db_option,
    open_store,
    say,
    service_or_staff_context,
    settings_for,
)
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `keys` command group."""
    parser = subparsers.add_parser(
        "keys", help="staff SSH keys on the service account (admins, or the service account)"
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="install a staff member's public key with the gate")
    add.add_argument("login", metavar="LOGIN", help="the staff login the key will act as")
    add.add_argument("keyfile", metavar="KEYFILE", help="the public key file, or - for stdin")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="the keys oncall installed")
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser("revoke", help="remove a login's keys, or one key by fingerprint")
    revoke.add_argument("target", metavar="LOGIN|FINGERPRINT")
    revoke.set_defaults(handler=run_revoke)
    for sub in (add, listing, revoke):
        add_db_option(sub)
        add_keys_file_option(sub)


def add_keys_file_option(parser: argparse.ArgumentParser) -> None:
    """--authorized-keys PATH (default: this account's ~/.ssh/authorized_keys)."""
    parser.add_argument(
        "--authorized-keys",
        metavar="PATH",
        type=Path,
        default=None,
        help="the file sshd reads (default: ~/.ssh/authorized_keys of this account)",
    )


def keys_file(args: argparse.Namespace) -> Path:
    """The authorized_keys file to manage; home from the password database, not $HOME."""
    given: Path | None = getattr(args, "authorized_keys", None)
    if given is not None:
        return given.expanduser().absolute()
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / ".ssh" / "authorized_keys"


def oncall_program() -> Path:
    """The absolute path of the `oncall` program to name in forced commands."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "oncall" and argv0.is_file():
        return argv0.absolute()
    beside = Path(sys.executable).parent / "oncall"
    if beside.is_file():
        return beside.absolute()
    found = shutil.which("oncall")
    if found:
        return Path(found).absolute()
    raise CommandError("Cannot find the oncall program to name in the forced command.")


def as_key_manager(args: argparse.Namespace, work: Callable[[ServiceContext], T]) -> T:
    """Run `work` as an admin, or as the service account that owns the database."""
    settings = settings_for(args)
    store = open_store(settings)
    try:
        # The account that owns the data sets up the first keys (after `oncall init`).
        ctx = service_or_staff_context(store, settings, "keys")
        return work(ctx)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()


def run_add(args: argparse.Namespace) -> int:
    """Install a key for LOGIN."""
    from oncall.services.authorized_keys import gate_command
    from oncall.services.ssh_keys import add_key

    try:
        text = sys.stdin.read() if args.keyfile == "-" else Path(args.keyfile).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read the key {args.keyfile}: {error}", EXIT_USAGE) from None
    path = keys_file(args)
    db = settings_for(args).db_path.absolute()
    program = oncall_program()
    try:
        gate_command(program, db, args.login)  # the paths can be written into the line
    except ValueError as error:
        raise CommandError(str(error)) from None

    def command(fingerprint: str) -> str:
        # The line names its own key: the session it opens ends when that key goes.
        return gate_command(program, db, args.login, fingerprint)

    key = as_key_manager(
        args, lambda ctx: add_key(ctx, args.login, text, keys_file=path, command=command)
    )
    say(f"Added {key.key_type} key {key.fingerprint} for {key.login} to {path}.")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Print the installed keys."""
    from oncall.services.ssh_keys import list_keys

    path = keys_file(args)
    keys = as_key_manager(args, lambda ctx: list_keys(ctx, keys_file=path))
    table = [("LOGIN", "TYPE", "FINGERPRINT", "STATE", "COMMENT")]
    for key in keys:
        state = "disabled" if key.disabled else "active"
        table.append((key.login, key.key_type, key.fingerprint, state, key.comment))
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    """Remove keys by login or fingerprint."""
    from oncall.services.ssh_keys import revoke_keys

    path = keys_file(args)
    gone = as_key_manager(args, lambda ctx: revoke_keys(ctx, args.target, keys_file=path))
    for key in gone:
        say(f"Revoked {key.key_type} key {key.fingerprint} of {key.login}.")
    return EXIT_OK
