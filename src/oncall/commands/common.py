"""What every subcommand shares: --db, opening the store, printing, exit codes."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from oncall.clock import SystemClock
from oncall.config import Settings, SettingsError, load_settings
from oncall.domain.models import Staff
from oncall.domain.terminal_text import safe_text
from oncall.domain.types import Role
from oncall.secrets import remember_settings_secrets, scrub_secrets
from oncall.services.context import ServiceContext
from oncall.services.errors import StoreError
from oncall.store.db import Store, connect

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A command cannot go on; the message is printed as it is, with the exit code."""

    def __init__(self, message: str, code: int = EXIT_REJECTED) -> None:
        super().__init__(message)
        self.code = code


def add_db_option(parser: argparse.ArgumentParser, *, root: bool = False) -> None:
    """Every command takes --db PATH (default: ONCALL_DB, then the user's data directory).

    Only the root parser sets a default: a subcommand's default would overwrite a --db
    given before the command name (`oncall --db demo.db ingest FILE` wrote elsewhere).
    """
    parser.add_argument(
        "--db",
        metavar="PATH",
        type=Path,
        default=None if root else argparse.SUPPRESS,
        help="the database file (default: $ONCALL_DB, else the user's data directory)",
    )


def settings_for(args: argparse.Namespace) -> Settings:
    """Settings with --db applied on top of the file and the environment."""
    from dataclasses import replace

    try:
        settings = load_settings()
    except SettingsError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    if getattr(args, "db", None):
        settings = replace(settings, db_path=Path(args.db).expanduser())
    remember_settings_secrets(settings)  # scrubbed from all a command prints (say)
    return settings


def open_store(settings: Settings, *, create: bool = False) -> Store:
    """Open the database named by the settings, turning failures into a CommandError.

    Only `oncall init` (and the demo commands) create a database: a file made by any
    other command had no staff, and whoever ran a command next became its admin.
    """
    path = settings.db_path
    if not create and not os.path.lexists(path):
        raise CommandError(
            f"There is no database at {path}. Create one with: oncall init --db {path}"
        )
    try:
        return connect(path, create=create)
    except StoreError as error:
        raise CommandError(str(error)) from None


def system_actor(login: str = "system") -> Staff:
    """An actor that nobody checked, for tests and the demo's own made-up work.

    Commands never use it: they act as the person (`acting_context`) or as the service
    account (`service_context`), each checked against the process's account.
    """
    return Staff(id=0, login=login, display_name=login, role=Role.ADMIN)


def acting_context(store: Store, settings: Settings) -> ServiceContext:
    """The service context for the person running the command (OS account → staff)."""
    from oncall.services.identity import resolve_console_user

    return ServiceContext(store, _checked(resolve_console_user, store), SystemClock(), settings)


def service_context(store: Store, settings: Settings, command: str) -> ServiceContext:
    """The context of a service-side command (worker, ingest, feeds, resources, backup, …).

    Only the service account (the owner of the database file) or an active admin runs
    one; it is audited as "service:ACCOUNT (COMMAND)". Anyone else is refused by name
    (exit 1), before the command reads or changes the database.
    """
    from oncall.services.identity import service_actor

    actor = _checked(lambda s: service_actor(s, command), store)
    return ServiceContext(store, actor, SystemClock(), settings)


def service_or_staff_context(store: Store, settings: Settings, command: str) -> ServiceContext:
    """The service account's context (its setup and cron jobs), else the staff member's."""
    from oncall.services.identity import service_or_staff

    actor = _checked(lambda s: service_or_staff(s, command), store)
    return ServiceContext(store, actor, SystemClock(), settings)


def _checked(resolve: Callable[[Store], Staff], store: Store) -> Staff:
    """The actor `resolve` finds; its refusal (naming the account) as the command's error."""
    from oncall.services.errors import ServiceError

    try:
        return resolve(store)
    except (ServiceError, StoreError) as error:
        raise CommandError(str(error)) from None


def say(message: str, stream: TextIO | None = None, *, secret_shown: bool = False) -> None:
    """Print one line of a command's summary, without terminal control characters or secrets.

    Summaries quote stored names, feed messages and file contents: an escape sequence in
    any of them must not reach the terminal (issue 16: `oncall handoff` printed one raw),
    nor a token a server echoed back (`scrub_secrets`). `secret_shown` is for the one line
    whose purpose is a secret, such as the link with its token that `oncall serve` prints.
    """
    text = safe_text(message, multiline=True)
    try:
        print(text if secret_shown else scrub_secrets(text), file=stream or sys.stdout, flush=True)
    except OSError as error:
        if error.errno in (errno.EIO, errno.ENXIO):
            raise TerminalGone from None
        raise


class TerminalGone(Exception):
    """The terminal went away (the SSH connection or tmux closed): nothing can be shown."""


MAX_SHOWN = 50
"""Rejected or changed records a summary lists one by one; the rest are counted."""

_Item = TypeVar("_Item")


def say_first(items: Sequence[_Item], line: Callable[[_Item], str], more: str) -> None:
    """Say the line of each of the first MAX_SHOWN items, then how many `more` were left out."""
    for item in items[:MAX_SHOWN]:
        say(line(item))
    if len(items) > MAX_SHOWN:
        say(f"  … and {len(items) - MAX_SHOWN} more {more}")
