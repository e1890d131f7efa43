"""`oncall staff add|list|rename|set-role|deactivate|activate|set-pin|unlock`: who may use it."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import TypeVar

from oncall.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    acting_context,
    add_db_option,
    open_store,
    say,
    settings_for,
)
from oncall.commands.keys import add_keys_file_option, keys_file
from oncall.domain.timefmt import from_iso
from oncall.domain.types import Role
from oncall.services import pin, staff_admin
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `staff` command group."""
    parser = subparsers.add_parser("staff", help="manage staff accounts and console PINs")
    add_db_option(parser)
    actions = parser.add_subparsers(dest="staff_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a staff member (admins)")
    add_db_option(add)
    add.add_argument("login", metavar="LOGIN", help="their operating-system account name")
    add.add_argument("--name", required=True, help="the name shown in the console")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--phone", default=None, help="a phone number for escalations")
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="list staff accounts (admins)")
    add_db_option(listing)
    listing.set_defaults(handler=run_list)

    rename = actions.add_parser("rename", help="change the name the console shows (admins)")
    add_db_option(rename)
    rename.add_argument("login", metavar="LOGIN")
    rename.add_argument("--name", required=True, help="the new name")
    rename.set_defaults(handler=run_rename)

    set_role = actions.add_parser("set-role", help="change someone's role (admins)")
    add_db_option(set_role)
    set_role.add_argument("login", metavar="LOGIN")
    set_role.add_argument("role", metavar="ROLE", choices=[r.value for r in Role])
    set_role.set_defaults(handler=run_set_role)

    for name, helptext, handler in (
        (
            "deactivate",
            "deactivate an account: no console any more; their follow-ups, open episodes and"
            " shifts go to --reassign-to (admins)",
            run_deactivate,
        ),
        ("activate", "reactivate a deactivated account (admins)", run_activate),
        ("unlock", "clear a PIN lockout (supervisors and admins)", run_unlock),
    ):
        sub = actions.add_parser(name, help=helptext)
        add_db_option(sub)
        sub.add_argument("login", metavar="LOGIN")
        sub.set_defaults(handler=handler)
        if name != "unlock":  # their SSH keys go (and come back) with them
            add_keys_file_option(sub)
        if name == "deactivate":
            sub.add_argument(
                "--reassign-to",
                metavar="LOGIN",
                default=None,
                help="who takes their pending follow-ups, open episodes and shifts not ended",
            )

    set_pin = actions.add_parser(
        "set-pin", help="set your console PIN (admins: anyone's); asked for twice, not echoed"
    )
    add_db_option(set_pin)
    set_pin.add_argument("login", metavar="LOGIN", nargs="?", default=None)
    set_pin.set_defaults(handler=run_set_pin)


def _acting(args: argparse.Namespace, work: Callable[[ServiceContext], T]) -> T:
    """Run `work` as the acting account on the database, turning refusals into messages."""
    settings = settings_for(args)
    store = open_store(settings)
    try:
        ctx = acting_context(store, settings)
        return work(ctx)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    finally:
        store.close()


def run_add(args: argparse.Namespace) -> int:
    """Add a staff member."""
    staff = _acting(
        args,
        lambda ctx: staff_admin.add_staff(ctx, args.login, args.name, Role(args.role), args.phone),
    )
    say(f"Added {staff.login} ({staff.display_name}) as {staff.role.value}.")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Print every account: login, name, role, active, PIN state."""
    rows, zone = _acting(args, lambda ctx: (staff_admin.list_accounts(ctx), ctx.settings.zone))
    header = ("LOGIN", "NAME", "ROLE", "ACTIVE", "PIN")
    table = [header]
    for account in rows:
        if account.locked_out_at is not None:
            pin_state = f"locked out since {account.locked_out_at.astimezone(zone):%Y-%m-%d %H:%M}"
        elif account.has_pin:
            pin_state = "set" + (f" ({account.pin_failures} wrong)" if account.pin_failures else "")
        else:
            pin_state = "not set"
        staff = account.staff
        table.append(
            (
                staff.login,
                staff.display_name,
                staff.role.value,
                "yes" if staff.active else "no",
                pin_state,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _set_keys(ctx: ServiceContext, args: argparse.Namespace, disabled: bool) -> str:
    """Disable or restore the login's SSH keys; a sentence saying what changed, or ''."""
    from oncall.services.ssh_keys import set_keys_disabled

    path = keys_file(args)
    try:
        keys = set_keys_disabled(ctx, args.login, disabled, keys_file=path)
    except OSError as error:  # the account change stands; say what was not done
        return f"Their SSH keys in {path} were not changed: {error.strerror}."
    if not keys:
        return ""
    done = "Disabled" if disabled else "Restored"
    return f"{done} {len(keys)} SSH key(s) of {args.login} in {path}."


def run_deactivate(args: argparse.Namespace) -> int:
    """Deactivate an account (its work handed over) and disable its SSH keys."""

    def work(ctx: ServiceContext) -> tuple[str, str]:
        try:
            staff = staff_admin.deactivate_staff(ctx, args.login, args.reassign_to)
        except staff_admin.WorkToHandOver as refusal:
            zone = ctx.settings.zone
            say(str(refusal))
            for item in refusal.work.all():
                when = from_iso(item.when).astimezone(zone)
                say(f"  {item.kind} {item.id}  {when:%a %d %b %H:%M}  {item.what}")
            raise CommandError("Nothing was changed.") from None
        return staff.login, _set_keys(ctx, args, True)

    login, keys = _acting(args, work)
    moved = f"; their work went to {args.reassign_to}" if args.reassign_to else ""
    say(f"Deactivated {login}: they can no longer open the console{moved}.")
    if keys:
        say(keys)
    return EXIT_OK


def run_rename(args: argparse.Namespace) -> int:
    """Change a staff member's display name."""
    staff = _acting(args, lambda ctx: staff_admin.rename_staff(ctx, args.login, args.name))
    say(f"{staff.login} is now shown as {staff.display_name}.")
    return EXIT_OK


def run_set_role(args: argparse.Namespace) -> int:
    """Change a staff member's role."""
    staff = _acting(args, lambda ctx: staff_admin.set_staff_role(ctx, args.login, Role(args.role)))
    say(f"{staff.login} is now {staff.role.value}.")
    return EXIT_OK


def run_activate(args: argparse.Namespace) -> int:
    """Reactivate an account and restore its SSH keys."""

    def work(ctx: ServiceContext) -> tuple[str, str]:
        staff = staff_admin.reactivate_staff(ctx, args.login)
        return staff.login, _set_keys(ctx, args, False)

    login, keys = _acting(args, work)
    say(f"Reactivated {login}.")
    if keys:
        say(keys)
    return EXIT_OK


def run_unlock(args: argparse.Namespace) -> int:
    """Clear a PIN lockout."""
    cleared = _acting(args, lambda ctx: staff_admin.unlock_staff(ctx, args.login))
    if cleared:
        say(f"Cleared the PIN lockout of {args.login}; they can unlock their console again.")
    else:
        say(f"{args.login} was not locked out; nothing changed.")
    return EXIT_OK


def _ask_pin() -> str:
    """Read a new PIN twice without echo."""
    try:
        first = getpass.getpass("New PIN (4 to 12 digits): ")
        second = getpass.getpass("The same PIN again: ")
    except EOFError:
        raise CommandError("No PIN was entered.", EXIT_USAGE) from None
    if first != second:
        raise CommandError("The two PINs differ; nothing was changed.", EXIT_USAGE)
    try:
        return pin.check_pin_format(first)
    except ServiceError as error:
        raise CommandError(str(error), EXIT_USAGE) from None


def run_set_pin(args: argparse.Namespace) -> int:
    """Set a console PIN, read with getpass."""

    def work(ctx: ServiceContext) -> str:
        target = args.login or ctx.actor.login
        if target != ctx.actor.login and ctx.actor.role is not Role.ADMIN:
            # Refuse before asking for a PIN that could not be used.
            raise CommandError("Only admins may set another person's PIN.")
        pin.set_pin(ctx, _ask_pin(), login=target)
        return target

    target = _acting(args, work)
    say(f"The console PIN of {target} is set.")
    return EXIT_OK
