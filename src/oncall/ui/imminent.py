"""A new IMMINENT alert while the queue is out of sight: the terminal bell and a notice that stays.

A clinician working an episode does not see the queue; an overdose in progress must not
wait for them to go back. Every database change (the live refresh calls `check`) reads
the waiting IMMINENT alerts that arrived since the last look, a primary-key range. When
the queue is not the screen on top, the terminal bell rings and a notification names
them; it stays until clicked away or until the clinician is back on the queue, where the
alert is at the top. Behind the lock the bell still rings: it says nothing about whom.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from oncall.domain.models import Alert
from oncall.services.errors import StoreError
from oncall.services.queue import imminent_since, latest_alert_id
from oncall.ui.format import initials, words

if TYPE_CHECKING:
    from textual.notifications import Notification

    from oncall.ui.app import OnCallApp

STAYS_S = 12 * 3600.0
"""How long the notice stays if nobody looks: a shift (the queue or a click takes it sooner)."""
MAX_NAMED = 3
"""Alerts named in one notice; more are counted."""
TITLE = "New IMMINENT alert"


def notice_text(alerts: list[Alert], names: dict[int, str], *, privacy: bool) -> str:
    """Who and what, one line per alert (initials and no summary in privacy mode)."""
    lines = []
    for alert in alerts[:MAX_NAMED]:
        name = names.get(alert.client_id, "?") if alert.client_id is not None else None
        who = f"{alert.client_ref} (unknown client)" if name is None else name
        line = f"{initials(who) if privacy and name else who} — {words(alert.kind.value)}"
        if not privacy and alert.summary:
            line += f": {' '.join(alert.summary.split())}"
        lines.append(line)
    if len(alerts) > MAX_NAMED:
        lines.append(f"… and {len(alerts) - MAX_NAMED} more.")
    lines.append("The queue shows it at the top.")
    return "\n".join(lines)


class ImminentWatch:
    """Notices IMMINENT alerts that arrive while the clinician is away from the queue."""

    def __init__(self, app: OnCallApp) -> None:
        self.app = app
        self.seen_id = 0
        """The newest alert looked at: only later ones can be news."""
        self._shown: list[Notification] = []
        # What is queued already is on the queue: only later arrivals are news.
        with contextlib.suppress(StoreError):
            self.seen_id = latest_alert_id(app.services)

    def check(self) -> None:
        """Read what arrived since the last look; ring and tell if the queue is out of sight."""
        try:
            arrived = imminent_since(self.app.services, self.seen_id, limit=100)
        except StoreError:
            return  # the status line says the data is stale; the next change tries again
        if arrived is None:
            return
        self.seen_id = arrived.latest_id
        if arrived.alerts and not self._queue_on_screen():
            self._tell(arrived.alerts, arrived.client_names)

    def _queue_on_screen(self) -> bool:
        from oncall.ui.screens.dashboard import DashboardScreen

        return isinstance(self.app.screen, DashboardScreen)

    def _tell(self, alerts: list[Alert], names: dict[int, str]) -> None:
        from textual.notifications import Notification, Notify

        privacy = self.app.services.settings.privacy_mode
        text = notice_text(alerts, names, privacy=privacy)
        notice = Notification(text, TITLE, "error", STAYS_S, markup=False)
        self._shown.append(notice)
        self.app.post_message(Notify(notice))
        self.app.bell()

    def seen(self) -> None:
        """The clinician is back on the queue: the notices have done their work."""
        shown, self._shown = self._shown, []
        for notice in shown:
            # Textual has no public call to withdraw one notification (only all of them).
            with contextlib.suppress(KeyError):
                self.app._unnotify(notice)
