"""The live queue (W1): every open alert by severity then age, and the user's open episodes."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from oncall.services.console_reads import my_open_episodes, open_episode_id
from oncall.services.errors import AlreadyAcknowledged, ServiceError, StoreError
from oncall.services.queue import QueueSource, QueueTallies
from oncall.ui.base import OnCallScreen
from oncall.ui.navigation import find_alert_client, open_client, open_episode, open_resources
from oncall.ui.poll_thread import PollThread
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.line_table import LineTable
from oncall.ui.widgets.my_episodes import EpisodeList
from oncall.ui.widgets.queue_table import QueueTable
from oncall.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from oncall.services.alerts import Acknowledgement
    from oncall.services.context import ServiceContext

EPISODE_LIMIT = 50


def _acknowledge(services: ServiceContext, alert_id: int) -> Acknowledgement:
    # Imported on the first acknowledgement, not at start: the queue paints sooner.
    from oncall.services.alerts import acknowledge_alert

    return acknowledge_alert(services, alert_id)


class DashboardScreen(OnCallScreen[None]):
    """The queue a clinician works from."""

    HELP_TITLE = "live queue"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short labels fit the footer's cells; the help screen shows the tooltips.
        Binding("a", "acknowledge", "Ack", tooltip="Acknowledge (claim) the selected alert"),
        Binding("enter", "open_episode", "Open", show=False, tooltip="Open the alert's episode"),
        Binding("c", "open_client", "Client", tooltip="Open the client's record"),
        Binding("r", "open_resources", "Resources", tooltip="Open the resource directory"),
        Binding("e", "focus_episodes", "Episodes", tooltip="Move to my open episodes"),
        Binding("w", "focus_queue", "Back to the queue", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._tallies = QueueTallies(0, 0, 0, 0, 0)
        self._counting = False
        self._counter: PollThread[QueueTallies | None] = PollThread(
            self._count_in_thread, self._counted, name="queue-count"
        )
        self._left_at_id = 0
        """The newest alert when the clinician last left the queue for another screen."""

    def compose(self) -> ComposeResult:
        """Queue title and table, my open episodes, footer."""
        settings = self.services.settings
        # Composed here rather than mounted by the base class afterwards: the queue then
        # gets its final height at the first layout and is read and drawn once at start.
        yield StatusLine()
        yield Label("", id="queue-title", classes="pane-title")
        yield QueueTable(
            QueueSource(self.services.store),
            now=self.services.clock.now,
            privacy=settings.privacy_mode,
            id="queue",
        )
        yield Label("My open episodes", id="episodes-title", classes="pane-title")
        yield EpisodeList(id="my-episodes")
        yield ActionFooter()  # wraps: every key stays visible in an 80-column terminal

    @property
    def queue(self) -> QueueTable:
        """The queue table."""
        return self.query_one(QueueTable)

    @property
    def episodes_table(self) -> EpisodeList:
        """The table of the user's open episodes."""
        return self.query_one(EpisodeList)

    def on_mount(self) -> None:
        """The one-second countdown (the base class does the first read)."""
        self._counter.start()
        self.set_interval(1.0, self._tick, name="queue-countdown")

    def on_unmount(self) -> None:
        """The counting thread ends with the queue."""
        self._counter.stop()

    def refresh_data(self) -> None:
        """Re-read the queue window, the counts and my open episodes."""
        now = self.services.clock.now()
        self._tallies = QueueSource(self.services.store).tallies(now)
        self.queue.privacy = self.services.settings.privacy_mode  # F9 may have toggled it
        self.queue.reload()
        mine = my_open_episodes(self.services, limit=EPISODE_LIMIT)
        privacy = self.services.settings.privacy_mode
        self.episodes_table.show(mine.episodes, mine.client_names, now, privacy=privacy)
        count = len(mine.episodes)
        more = "+" if count >= EPISODE_LIMIT else ""
        self.query_one("#episodes-title", Label).update(
            f"My open episodes: {count}{more}" if count else "My open episodes: none"
        )
        self._show_title()

    def _show_title(self) -> None:
        tallies = self._tallies
        queue = self.queue
        title = Text()
        if tallies.total == 0:
            title.append("Queue: empty. New alerts appear here as they arrive.")
        else:
            clients = "client" if tallies.clients == 1 else "clients"
            noun = "alert" if tallies.total == 1 else "alerts"
            title.append(
                f"Queue: {tallies.clients} {clients}, {tallies.total} {noun},"
                f" {tallies.unacknowledged} waiting"
            )
            if tallies.breached:
                more = "+" if tallies.breached_more else ""
                title.append(f", {tallies.breached}{more} past deadline", style="bold red")
            shown = len(queue.rows_shown)
            if shown < tallies.clients:
                title.append(
                    f"  (rows {queue.first_position + 1}–{queue.first_position + shown})",
                    style="dim",
                )
        self.query_one("#queue-title", Label).update(title)

    @on(QueueTable.Moved)
    def _queue_moved(self) -> None:
        self._show_title()

    def on_screen_suspend(self) -> None:
        """Remember the newest alert the queue had when the clinician went elsewhere."""
        self._left_at_id = self._tallies.latest_alert_id

    def on_screen_resume(self) -> None:
        """Back on the queue: if something more urgent arrived meanwhile, the cursor goes to it."""
        self.oncall_app.live.imminent.seen()
        selected = self.queue.selected
        if selected is None or not self._left_at_id:
            return
        source = self.queue.source
        if self.read_safely(
            lambda: source.more_urgent_since(self._left_at_id, selected.cursor), False
        ):
            self.queue.action_first()  # (a failed read is a message there)
            self.queue.focus()

    def _tick(self) -> None:
        self.queue.tick()
        # Deadlines pass with time alone, so the breach count is re-read every second, in a
        # thread: the connection may be held by a write waiting for another process's lock.
        # One thread for the screen's life (ui/poll_thread.py), not a worker a second.
        if not self._counting:
            self._counting = True
            self._counter.request()

    def _count_in_thread(self) -> QueueTallies | None:
        with contextlib.suppress(StoreError):  # the status line already says it is stale
            return QueueSource(self.services.store).tallies(self.services.clock.now())
        return None

    def _counted(self, tallies: QueueTallies | None) -> None:
        self._counting = False
        if tallies is not None and self.is_attached:
            self._tallies = tallies
            self._show_title()

    def _episodes_focused(self) -> bool:
        return self.focused is self.episodes_table

    def action_acknowledge(self) -> None:
        """Claim the selected alert; if someone was first, say who."""
        alert = self.queue.selected_alert
        if alert is None:
            self.notify("There is no alert to acknowledge.", severity="warning")
            return
        services = self.services
        self.run_service(
            lambda: _acknowledge(services, alert.id),
            on_success=self._acknowledged,
            on_refused=self._ack_refused,
            reason="acknowledged",
        )

    def _acknowledged(self, ack: Acknowledgement) -> None:
        if ack.episode is None:
            message = (
                f"You acknowledged alert {ack.alert.id}. Its client reference is unknown: "
                "c finds or adds its client, and the episode opens."
            )
        elif ack.attached_to_existing:
            message = (
                f"Alert {ack.alert.id} added to open episode #{ack.episode.id} (Enter opens it)."
            )
        else:
            message = (
                f"You acknowledged alert {ack.alert.id}; "
                f"episode #{ack.episode.id} opened (Enter opens it)."
            )
        self.notify(message, title="Acknowledged")

    def _ack_refused(self, error: ServiceError) -> None:
        if isinstance(error, AlreadyAcknowledged):
            self.app.bell()

    def action_open_episode(self) -> None:
        """Open the episode of the selected alert (or of the selected row of my episodes)."""
        if self._episodes_focused():
            episode = self.episodes_table.selected
            if episode is not None:
                open_episode(self.app, episode.id)
            return
        alert = self.queue.selected_alert
        if alert is None:
            return
        episode_id = alert.episode_id
        if episode_id is None and alert.client_id is not None:
            # The row shows the client's waiting alert; an earlier one may have opened an
            # episode already, and that is the one to work in.
            client_id = alert.client_id
            episode_id = self.read_safely(lambda: self._open_episode_of(client_id), None)
        if episode_id is None:
            self.notify(
                "This alert has no episode yet: acknowledge it (a) first.", severity="warning"
            )
            return
        open_episode(self.app, episode_id)

    def _open_episode_of(self, client_id: int) -> int | None:
        return open_episode_id(self.services, client_id)

    @on(LineTable.RowSelected)
    def _row_chosen(self, event: LineTable.RowSelected) -> None:
        event.stop()
        self.action_open_episode()

    def action_open_client(self) -> None:
        """Open the client of the selected alert or episode."""
        client_id: int | None
        if self._episodes_focused():
            episode = self.episodes_table.selected
            client_id = episode.client_id if episode else None
        else:
            alert = self.queue.selected_alert
            if alert is not None and alert.client_id is None:
                find_alert_client(self, alert)
                return
            client_id = alert.client_id if alert else None
        if client_id is not None:
            open_client(self.app, client_id)

    def action_open_resources(self) -> None:
        """Open the resource directory (near the selected episode's client, if any)."""
        episode_id: int | None
        if self._episodes_focused():
            episode = self.episodes_table.selected
            episode_id = episode.id if episode else None
        else:
            alert = self.queue.selected_alert
            episode_id = alert.episode_id if alert else None
        open_resources(self.app, episode_id)

    def action_focus_episodes(self) -> None:
        """Move to the table of my open episodes."""
        self.episodes_table.focus()

    def action_focus_queue(self) -> None:
        """Move to the queue."""
        self.queue.focus()
