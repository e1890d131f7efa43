"""What a supervisor does from the board: open, acknowledge, reassign, page (W10).

The board screen (supervisor.py) draws the panes; this base class acts on the row
under the cursor, keyed by what it shows ("alert-12", "episode-3", "follow-up-7").
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable

from oncall.domain.models import Alert
from oncall.services import reassignment
from oncall.services.alerts import Acknowledgement, acknowledge_alert
from oncall.services.board import Board, alert_to_open
from oncall.services.errors import AlreadyAcknowledged, ServiceError
from oncall.ui.base import OnCallScreen
from oncall.ui.navigation import find_alert_client, open_episode
from oncall.ui.screens.colleague_chooser import ColleagueChooser
from oncall.ui.widgets.board_table import BoardTable

ACTIONABLE = ("waiting", "episodes", "overdue")
"""The panes whose rows can be opened and reassigned."""


def _split(key: str | None) -> tuple[str, int] | None:
    """("alert", 12) from "alert-12"."""
    if key is None or "-" not in key:
        return None
    kind, _, number = key.rpartition("-")
    return (kind, int(number)) if number.isdigit() else None


class BoardActions(OnCallScreen[None]):
    """The supervisor board's actions on the selected row."""

    _board: Board | None = None

    def _table(self, table_id: str) -> BoardTable:
        return self.query_one(f"#{table_id}", BoardTable)

    def _selected(self, table_id: str | None = None) -> tuple[str, int] | None:
        """The item under the cursor of `table_id`, or of the focused pane."""
        if table_id is None:
            focused = self.focused
            if not isinstance(focused, BoardTable) or focused.id not in ACTIONABLE:
                return None
            table_id = focused.id
        return _split(self._table(table_id).selected_key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens what it shows."""
        event.stop()
        key = str(event.row_key.value)
        if key.startswith("gap-"):
            role = key.removeprefix("gap-")
            self.notify(f"Nobody is on the rota as {role} now: p pages a colleague by hand.")
            return
        self._open(_split(key))

    def action_open(self) -> None:
        """Open the selected item: an alert's episode, an episode, a follow-up."""
        self._open(self._selected())

    def _open(self, item: tuple[str, int] | None) -> None:
        if item is None:
            self.notify(
                "Choose an alert, an episode or a follow-up first (tab moves between panes)."
            )
            return
        kind, number = item
        if kind == "episode":
            open_episode(self.app, number)
        elif kind == "follow-up":
            from oncall.ui.screens.follow_up import FollowUpScreen

            self.app.push_screen(FollowUpScreen(number))
        elif kind == "alert":
            self._open_alert(number)
        elif kind == "staff":
            self._show_episodes_of(number)
        elif kind == "message":
            self.notify("y sends the selected message again; o lists every message.")

    def _show_episodes_of(self, staff_id: int) -> None:
        """Enter on a person: the cursor goes to their first open episode in its pane."""
        board = self._board
        person = (
            next((w for w in board.workload if w.staff_id == staff_id), None) if board else None
        )
        theirs = [e for e in board.episodes if person and e.owner == person.name] if board else []
        if person is None or not theirs:
            self.notify("No open episode is theirs.")
            return
        episodes = self._table("episodes")
        episodes.select_key(f"episode-{theirs[0].episode_id}")
        episodes.focus()

    def _open_alert(self, alert_id: int) -> None:
        """An alert's client's open episode; an unknown client's search; else say what to do."""
        services = self.services
        nothing: tuple[Alert | None, int | None] = (None, None)
        alert, episode_id = self.read_safely(lambda: alert_to_open(services, alert_id), nothing)
        if alert is None:
            return
        if episode_id is not None:
            open_episode(self.app, episode_id)
        elif alert.client_id is None:
            find_alert_client(self, alert)
        else:
            self.notify(
                f"Alert {alert_id} has no episode yet: a acknowledges it (the episode opens),"
                " r asks a colleague to take it.",
                severity="warning",
            )

    def action_acknowledge(self) -> None:
        """Claim the selected waiting alert; if someone was first, say who."""
        item = self._selected("waiting")
        if item is None:
            self.notify("No alert is waiting.", severity="warning")
            return
        services, alert_id = self.services, item[1]
        self.run_service(
            lambda: acknowledge_alert(services, alert_id),
            on_success=self._acknowledged,
            on_refused=self._ack_refused,
            reason="acknowledged",
        )

    def _acknowledged(self, ack: Acknowledgement) -> None:
        where = (
            f"episode #{ack.episode.id} is yours (F5 finds it)"
            if ack.episode is not None
            else "its client reference is unknown: on the live queue, c finds or adds its client"
        )
        self.notify(f"You acknowledged alert {ack.alert.id}; {where}.", title="Acknowledged")

    def _ack_refused(self, error: ServiceError) -> None:
        if isinstance(error, AlreadyAcknowledged):
            self.app.bell()

    def _choose(self, title: str, detail: str, then: Callable[[int], None]) -> None:
        """Ask for a colleague (active staff, on call first), then act."""
        services = self.services
        none: list[reassignment.Colleague] = []
        found = self.read_safely(lambda: reassignment.colleagues(services), none)
        if not found:
            self.notify("No active staff to choose from.", severity="warning")
            return

        def chosen(staff_id: int | None) -> None:
            if staff_id is not None:
                then(staff_id)

        self.app.push_screen(ColleagueChooser(title, detail, found), chosen)

    def _handed(self, handed: reassignment.Handed) -> None:
        self.notify(handed.message, title="Done", markup=False)

    def action_reassign(self) -> None:
        """Reassign the selected alert, episode or follow-up to a colleague."""
        item = self._selected()
        if item is None:
            self.notify(
                "Choose a waiting alert, an open episode or an overdue follow-up first"
                " (tab moves between panes).",
                severity="warning",
            )
            return
        kind, number = item
        services = self.services
        calls = {
            "alert": (
                f"Who should take alert {number}?",
                "They are paged and told in their console; the alert keeps waiting, its"
                " deadline and escalations running, until someone acknowledges it.",
                reassignment.assign_alert,
            ),
            "episode": (
                f"Who should own episode #{number}?",
                "It becomes theirs (escalations and access follow); they are paged and told"
                " in their console; the timeline records the change.",
                reassignment.reassign_episode,
            ),
            "follow-up": (
                f"Who should do follow-up F-{number}?",
                "Their console announces it; its reminder reaches them when it is due.",
                reassignment.reassign_follow_up,
            ),
        }
        title, detail, call = calls[kind]
        self._choose(
            title,
            detail,
            lambda staff_id: self.run_service(
                lambda: call(services, number, staff_id), on_success=self._handed
            ),
        )

    def action_page(self) -> None:
        """Page a colleague by hand, about the selected waiting alert if there is one."""
        item = self._selected()
        alert_id = item[1] if item is not None and item[0] == "alert" else None
        about = f"about alert {alert_id}" if alert_id is not None else "to help with the queue"
        services = self.services
        self._choose(
            f"Page whom {about}?",
            "A page goes to their own pager target (else the program's default target),"
            " and a notice to their console; it is audited.",
            lambda staff_id: self.run_service(
                lambda: reassignment.page_colleague(services, staff_id, alert_id),
                on_success=self._handed,
            ),
        )
