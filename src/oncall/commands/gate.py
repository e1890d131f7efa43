"""`oncall gate LOGIN`: the forced command of a staff key on the service account.

sshd runs it for every connection made with that key, whatever the client asked for;
the client's words arrive in SSH_ORIGINAL_COMMAND. LOGIN, written into the key's line
by `oncall keys add`, is the only identity: USER, LOGNAME and the rest are ignored.
`--key FINGERPRINT`, written into the same line, names the key the session rests on: the
console (or board) it opens closes when that key is revoked or disabled, whatever other
keys the login has. A line without it (written before) rests on any key of the login.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from oncall.commands.common import EXIT_REJECTED, open_store, settings_for, system_actor
from oncall.services.context import ServiceContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `gate` command (written into authorized_keys by `oncall keys add`)."""
    parser = subparsers.add_parser(
        "gate", help="the SSH forced command: run the console or an allowed command as LOGIN"
    )
    parser.add_argument("login", metavar="LOGIN")
    parser.add_argument(
        "--key",
        metavar="FINGERPRINT",
        type=_fingerprint,
        default=None,
        help="the SHA256 fingerprint of the key this line is for (written by keys add)",
    )
    parser.set_defaults(handler=run)


def _fingerprint(text: str) -> str:
    from oncall.services.authorized_keys import FINGERPRINT

    if FINGERPRINT.fullmatch(text) is None:
        raise argparse.ArgumentTypeError("expected a SHA256 key fingerprint (SHA256:…)")
    return text


def _refuse(gate: ServiceContext, sentence: str, what: str) -> int:
    """Say one sentence, audit the refusal, exit non-zero."""
    print(f"oncall: {sentence}", file=sys.stderr, flush=True)
    detail = {"command": what[:60], "reason": sentence}
    gate.audit_alone("gate.refused", "gate", detail=detail)
    return EXIT_REJECTED


def run(args: argparse.Namespace) -> int:
    """Act as LOGIN: open the console, or run one allowed oncall command, or refuse."""
    from oncall.services.errors import ServiceError
    from oncall.services.gate_policy import command_name, refusal
    from oncall.services.identity import act_as_gate_login, resolve_staff

    login = str(args.login)
    act_as_gate_login(login)  # before anything else can ask who is acting
    settings = settings_for(args)
    store = open_store(settings)
    # Audited as the login named, staff or not: a refusal is recorded against whoever tried.
    gate = ServiceContext(store, system_actor(login), settings=settings)
    try:
        original = os.environ.get("SSH_ORIGINAL_COMMAND", "").strip()
        try:
            staff = resolve_staff(store, login)
        except ServiceError as error:
            return _refuse(gate, str(error), original or "console")
        try:
            words = shlex.split(original)
        except ValueError:
            return _refuse(gate, "The command could not be read (unbalanced quotes).", "?")
        if words and words[0] == "oncall":
            words = words[1:]  # `ssh oncall@host oncall report …` means the same
        reason = refusal(staff.role, words)
        if reason is not None:
            return _refuse(gate, reason, original)
        board = words == ["board"]
        if (not words or board) and not (sys.stdin.isatty() and sys.stdout.isatty()):
            what = "board" if board else "console"
            sentence = f"The {what} needs a terminal: connect with ssh -t, or name a command."
            return _refuse(gate, sentence, what)
        what = command_name(words) if words else "console"
        detail: dict[str, object] = {"command": what}
        if args.key is not None:
            detail["key"] = args.key
        gate.audit_alone("gate.session", "gate", detail=detail)
    finally:
        store.close()
    if not words or board:
        from oncall.commands.app_factory import make_app
        from oncall.commands.console_watch import run_watched
        from oncall.commands.keys import keys_file
        from oncall.services.access_watch import has_enabled_key

        # sshd read this account's authorized_keys: the session rests on a key there (the
        # one the line names; on older lines, any key of the login). The file is the one
        # to watch when it holds the login's keys; the watch then checks the named key.
        keys = keys_file(args)
        watched = keys if has_enabled_key(keys, login) else None
        if board:  # as `oncall board` opens it, but watched like the console
            app = make_app(settings, actor=staff, board=True)
        else:
            app = make_app(settings, actor=staff, scheduler=True)
        return run_watched(app, keys_file=watched, key=args.key)
    from oncall.commands.dispatch import main

    try:
        return main(["--db", str(settings.db_path), *words])
    except SystemExit as done:  # argparse's usage errors and --help
        return done.code if isinstance(done.code, int) else EXIT_REJECTED
