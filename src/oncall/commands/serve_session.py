"""One browser tab of `oncall serve`: the board as the staff member named by `--as`.

Run by `oncall serve` (textual-serve starts one per tab) as `python -m
oncall.commands.serve_session --db DB LOGIN`; not an `oncall` command, so the SSH
gate cannot reach it. LOGIN is fixed for the process the way the gate fixes it, and
privacy mode is on and stays on: the browser is not a terminal its user alone sees.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from oncall.commands.common import EXIT_REJECTED, CommandError, open_store, settings_for


def run(argv: list[str]) -> int:
    """Open the board as LOGIN, privacy locked on; audited as a served session."""
    parser = argparse.ArgumentParser(prog="oncall serve (one tab)")
    parser.add_argument("--db")
    parser.add_argument("login", metavar="LOGIN")
    args = parser.parse_args(argv)
    from oncall.commands.app_factory import make_app
    from oncall.commands.console_watch import run_watched
    from oncall.services.errors import ServiceError
    from oncall.services.identity import act_as_gate_login, resolve_staff

    act_as_gate_login(args.login)  # before anything can ask who is acting
    settings = replace(settings_for(args), privacy_mode=True)
    store = open_store(settings)
    try:
        staff = resolve_staff(store, args.login)
        store.close()
    except ServiceError as error:
        store.close()
        print(f"oncall: {error}", file=sys.stderr)
        return EXIT_REJECTED
    try:
        app = make_app(settings, actor=staff, board=True)
    except CommandError as error:
        print(f"oncall: {error}", file=sys.stderr)
        return EXIT_REJECTED
    app.privacy_locked = True
    app.services.audit_alone("serve.session", "staff", staff.id, detail={"board": True})
    return run_watched(app)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
