"""`oncall downtime pack|open|file-back|status`: an encrypted copy of what a crisis needs
for when the host or the link is down, and filing back what was done meanwhile (issue 20;
the Epic BCA pattern, docs/deploy-team.md step 10)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from oncall.commands.common import (
    EXIT_OK,
    EXIT_REJECTED,
    CommandError,
    acting_context,
    add_db_option,
    open_store,
    say,
    service_or_staff_context,
    settings_for,
)
from oncall.config import Settings
from oncall.services.context import ServiceContext
from oncall.store.db import Store

PASSPHRASE_ENV = "ONCALL_DOWNTIME_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `downtime pack`, `open`, `file-back` and `status`."""
    downtime = subparsers.add_parser(
        "downtime", help="an encrypted downtime pack of your clients, and opening it offline"
    )
    actions = downtime.add_subparsers(dest="downtime_action", metavar="ACTION", required=True)
    pack = actions.add_parser(
        "pack",
        help="write your encrypted downtime pack (to standard output, or --out FILE)",
        description=(
            "Write one encrypted file holding, for you: your caseload and every client with"
            " an open episode, a follow-up due within 72 hours or an alert in the last 24"
            " hours (safety plan, emergency contacts, latest risk, open episodes, follow-ups),"
            " the rota for 7 days and the crisis resources of their counties. The passphrase"
            f" is asked twice, or read from ${PASSPHRASE_ENV} or --passphrase-stdin."
        ),
    )
    add_db_option(pack)
    pack.add_argument("--out", metavar="FILE", type=Path, help="write here (created 0600)")
    pack.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the first line of standard input",
    )
    pack.set_defaults(handler=run_pack)
    opened = actions.add_parser(
        "open",
        help="show a downtime pack read-only, with no database and no connection",
    )
    opened.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        type=Path,
        default=None,
        help="the pack (default: ~/.oncall/downtime.pack)",
    )
    opened.add_argument(
        "--journal",
        metavar="FILE",
        type=Path,
        default=None,
        help="where notes, contact attempts and dispositions go (default: downtime.journal"
        " beside the pack), encrypted with the pack's passphrase",
    )
    opened.set_defaults(handler=run_open)
    back = actions.add_parser(
        "file-back",
        help="put a downtime journal's entries on their timelines, each once, at its own time",
    )
    add_db_option(back)
    back.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        type=Path,
        default=None,
        help="the journal (default: standard input)",
    )
    back.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="the passphrase is the first line of standard input, the journal follows it",
    )
    back.set_defaults(handler=run_file_back)
    status = actions.add_parser(
        "status", help="who has a downtime pack and how old it is (supervisors, admins)"
    )
    add_db_option(status)
    status.add_argument(
        "--page",
        action="store_true",
        help="page the supervisor about each person on call without a fresh pack (once per"
        " shift and pack; for a check every 15 minutes on the host)",
    )
    status.set_defaults(handler=run_status)


def read_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    """The passphrase from --passphrase-stdin, the environment, or the terminal (no echo)."""
    if getattr(args, "passphrase_stdin", False):
        line = sys.stdin.readline()
        passphrase = line.rstrip("\r\n")
        if not passphrase:
            raise CommandError("No passphrase came on standard input.")
        return passphrase
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CommandError(
            f"A passphrase is needed: run this at a terminal, set {PASSPHRASE_ENV},"
            " or give it on standard input with --passphrase-stdin."
        )
    import getpass

    passphrase = getpass.getpass("Downtime pack passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
        raise CommandError("The two passphrases differ; nothing was written.")
    return passphrase


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, owner-only, replacing it whole or not at all."""
    path = path.expanduser()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None


def run_pack(args: argparse.Namespace) -> int:
    """Build, encrypt and write the acting staff member's downtime pack."""
    from oncall.domain.downtime_pack import pack_summary
    from oncall.services.downtime import build_pack, pack_bytes
    from oncall.services.downtime_crypto import check_passphrase

    if args.out is None and sys.stdout.isatty():
        raise CommandError(
            "The pack is an encrypted file, not text: give --out FILE, or redirect standard"
            " output to a file."
        )
    settings = settings_for(args)
    passphrase = read_passphrase(args, confirm=True)
    check_passphrase(passphrase)  # before the pack is read and audited
    store = open_store(settings)
    try:
        ctx = acting_context(store, settings)
        pack = build_pack(ctx)
    finally:
        store.close()
    data = pack_bytes(pack, passphrase)
    if args.out is not None:
        _write_private(args.out, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    summary = pack_summary(pack)
    made = pack.made_at.astimezone(settings.zone)
    say(
        f"Downtime pack for {pack.made_for}, made {made:%a %d %b %H:%M %Z}:"
        f" {summary['clients']} clients, {summary['shifts']} shifts on the rota,"
        f" {summary['resources']} resources; {len(data):,} bytes, encrypted"
        + (f", written to {args.out}." if args.out is not None else "."),
        sys.stderr,
    )
    return EXIT_OK


def default_pack_path() -> Path:
    """Where `downtime open` looks when no FILE is given (where the shipped timer writes)."""
    return Path("~/.oncall/downtime.pack").expanduser()


def run_open(args: argparse.Namespace) -> int:
    """Show a pack read-only in the console's screens, with the downtime banner."""
    from zoneinfo import ZoneInfo

    from oncall.services.downtime import MAX_PACK_BYTES, read_pack
    from oncall.services.downtime_crypto import DowntimeFileError

    path: Path = (args.file or default_pack_path()).expanduser()
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise CommandError(f"{path.name} is larger than any downtime pack could be.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"There is no downtime pack at {path}.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a downtime pack.") from None
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    settings = settings_for(args)
    passphrase = read_passphrase(args, confirm=False)
    try:
        pack = read_pack(data, passphrase, path.name)
    except DowntimeFileError as error:
        raise CommandError(str(error), EXIT_REJECTED) from None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        made = pack.made_at.astimezone(ZoneInfo(pack.timezone))
        raise CommandError(
            f"The pack opens ({len(pack.clients)} clients, made {made:%a %d %b %H:%M %Z}),"
            " but downtime open needs a terminal to show it."
        )
    from oncall.services.downtime_journal import JournalFile
    from oncall.ui.downtime.app import DowntimeApp

    journal_path = (args.journal or path.with_name("downtime.journal")).expanduser()
    try:
        journal = JournalFile.open(journal_path, passphrase, pack.made_for)
    except DowntimeFileError as error:
        raise CommandError(str(error)) from None
    app = DowntimeApp(
        pack,
        stale_after_minutes=settings.downtime_stale_minutes,
        journal=journal,
        passphrase=passphrase,
        lock_after_minutes=settings.idle_lock_minutes,
    )
    app.run()
    return EXIT_OK if app.return_code in (None, 0) else EXIT_REJECTED


def _journal_input(args: argparse.Namespace) -> tuple[bytes, str, str]:
    """The journal's bytes, its passphrase, and a name for it in messages."""
    from oncall.services.downtime_journal import MAX_JOURNAL_BYTES

    if args.file is not None:
        path: Path = args.file.expanduser()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        return data, read_passphrase(args, confirm=False), path.name
    if not args.passphrase_stdin:
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if not passphrase:
            raise CommandError(
                "With the journal on standard input, give the passphrase as its first line"
                f" (--passphrase-stdin) or in ${PASSPHRASE_ENV}."
            )
        return sys.stdin.buffer.read(MAX_JOURNAL_BYTES + 1), passphrase, "the journal"
    first, _, data = sys.stdin.buffer.read(MAX_JOURNAL_BYTES + 4096).partition(b"\n")
    passphrase = first.decode("utf-8", "replace").rstrip("\r")
    if not passphrase:
        raise CommandError("No passphrase came on standard input.")
    return data, passphrase, "the journal"


def run_file_back(args: argparse.Namespace) -> int:
    """File a downtime journal back: what was filed, what was already, what needs a person."""
    from oncall.services.downtime_crypto import DowntimeFileError
    from oncall.services.downtime_fileback import file_back
    from oncall.services.downtime_journal import read_journal

    data, passphrase, name = _journal_input(args)
    try:
        journal = read_journal(data, passphrase, name)
    except DowntimeFileError as error:
        raise CommandError(str(error)) from None
    settings = settings_for(args)
    store = open_store(settings)
    try:
        report = file_back(acting_context(store, settings), journal)
    finally:
        store.close()
    zone = settings.zone

    def when(at: datetime) -> str:
        return at.astimezone(zone).strftime("%a %d %b %H:%M")

    say(
        f"Filed {len(report.filed)} of {len(journal.entries)} entries, each at its own time"
        f" and marked entered after downtime; {len(report.already_filed)} were filed before."
    )
    for entry in report.filed:
        say(f"  filed: {when(entry.at)} {entry.client_ref} {entry.kind.label}")
    if report.conflicts:
        say(f"Not filed ({len(report.conflicts)}), for you to resolve:")
        for conflict in report.conflicts:
            say(f"  {conflict.reason}")
    for item in report.to_do:
        say(f"To do: {item}")
    return EXIT_REJECTED if report.conflicts else EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    """Who has a pack, how old; exit 1 when someone on call now has none or a stale one."""
    from oncall.services.downtime_status import pack_status, page_stale_packs

    settings = settings_for(args)
    store = open_store(settings)
    try:
        ctx = _status_context(store, settings)
        rows = pack_status(ctx)
        now = ctx.clock.now()
        paged = page_stale_packs(ctx, rows) if args.page else []
    finally:
        store.close()
    limit = f"{settings.downtime_stale_minutes:g} min"
    say(f"Downtime packs (stale when older than {limit} for whoever is on call now):")
    if not rows:
        say("  nobody is on call now and nobody made a pack in the last 7 days")
    for row in rows:
        if row.made_at is None:
            made = "no pack in the last 7 days"
        else:
            age = int((now - row.made_at).total_seconds() // 60)
            local = row.made_at.astimezone(settings.zone)
            made = f"made {local:%a %d %b %H:%M}, {age} min ago, {row.clients} clients"
        flags = ("  on call now" if row.on_call_now else "") + ("  STALE" if row.stale else "")
        say(f"  {row.login:<12} {row.name:<24} {made}{flags}")
    for name in paged:
        say(f"Paged the supervisor: {name} is on call without a fresh downtime pack.")
    return EXIT_REJECTED if any(row.stale for row in rows) else EXIT_OK


def _status_context(store: Store, settings: Settings) -> ServiceContext:
    """A supervisor or admin; or the service account that owns the database (its cron job)."""
    return service_or_staff_context(store, settings, "downtime status")
