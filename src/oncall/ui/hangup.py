"""A dropped connection loses nothing: SIGHUP keeps open forms as drafts, offered at next login.

sshd sends SIGHUP to the console when the client's connection drops (a phone changing
networks at 3 a.m.); Python's default would end the process and lose what was typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from typing import TYPE_CHECKING

from oncall.domain.timefmt import from_iso
from oncall.services.drafts import Draft, UnsavedForm, keep_drafts, my_drafts
from oncall.services.errors import StoreError
from oncall.ui.screens.forms.base import ServiceForm

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp

HUNG_UP_EXIT = 129
"""128 + SIGHUP, as a shell reports a process ended by a hang-up."""
EXIT_WITHIN_S = 5.0
"""A console whose terminal is gone may stall restoring it: the process ends regardless."""

log = logging.getLogger(__name__)


def unsaved_forms(app: OnCallApp) -> list[UnsavedForm]:
    """Every open form with something typed, bottom of the stack first."""
    found = (s.unsaved_fields() for s in app.screen_stack if isinstance(s, ServiceForm))
    return [form for form in found if form is not None]


def keep_unsaved(app: OnCallApp) -> int:
    """Store every open form's unsaved fields as drafts of the acting user; how many."""
    forms = unsaved_forms(app)
    if forms:
        keep_drafts(app.services, forms, why="connection dropped")
    return len(forms)


def hung_up(app: OnCallApp) -> None:
    """The terminal is gone: keep the drafts (at once, on this thread), then end the console."""
    try:
        kept = keep_unsaved(app)
        log.warning("hang-up: %d unsaved form(s) kept as drafts", kept)
    except StoreError as error:
        log.error("hang-up: drafts not kept: %s", type(error).__name__)
    finally:
        timer = threading.Timer(EXIT_WITHIN_S, os._exit, (HUNG_UP_EXIT,))
        timer.daemon = True
        timer.start()
        app.exit(return_code=HUNG_UP_EXIT)


def install_hangup(app: OnCallApp) -> None:
    """Handle SIGHUP on the app's loop (call from on_mount; the main thread only)."""
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, hung_up, app)


def offer_drafts(app: OnCallApp) -> None:
    """Say at start which forms were kept when the user's last console was cut off."""
    try:
        drafts = my_drafts(app.services)
    except StoreError:
        return
    zone = app.services.settings.zone
    for draft in drafts:
        when = from_iso(draft.saved_at).astimezone(zone).strftime("%a %H:%M")
        app.notify(
            f"“{draft.title}”{_on(draft)} was not saved when your console was cut off "
            f"({when}). {_reopen(draft)}: what you typed is filled back in.",
            title="Draft kept",
            severity="warning",
            timeout=60,
            markup=False,
        )


def _on(draft: Draft) -> str:
    """What the form was about, by reference only (a toast may be read over a shoulder)."""
    if draft.episode_id is not None:
        return f" on episode #{draft.episode_id}"
    if draft.subject.client_id is not None:
        return f" for client {draft.client_ref or draft.subject.client_id}"
    return ""


def _reopen(draft: Draft) -> str:
    """How to get the form back."""
    if draft.episode_id is not None:
        return f"Open episode #{draft.episode_id} and the same form"
    if draft.subject.client_id is not None:
        return "Open their record and the same form"
    return "Open the same form again (F7 for an intake)"
