"""The supervisor's live board (W10): who is waiting, what is late, who carries what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

from oncall.services.board import Board, FailingDelivery, audit_board_opened, read_board
from oncall.services.feed_status import retry_delivery
from oncall.services.metrics import Figures, compute_figures, today_range
from oncall.ui.format import initials
from oncall.ui.screens.figures_range import FiguresRangeScreen
from oncall.ui.screens.message_actions import ask_cancel, ask_readdress
from oncall.ui.screens.supervisor_actions import BoardActions
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.board_cells import (
    EPISODE_COLUMNS,
    FAILING_COLUMNS,
    OVERDUE_COLUMNS,
    RESPONDER_COLUMNS,
    WAITING_COLUMNS,
    episode_row,
    failing_row,
    gap_row,
    overdue_row,
    responder_row,
    waiting_row,
)
from oncall.ui.widgets.board_table import OPEN_TOOLTIP, BoardTable
from oncall.ui.widgets.figures_text import figures_text

FIGURES_EVERY = timedelta(seconds=30)


def _table(table_id: str, columns: list[tuple[str, int]]) -> BoardTable:
    return BoardTable(columns, id=table_id)


class SupervisorScreen(BoardActions):
    """Everything a supervisor watches, live for everyone on shift."""

    HELP_TITLE = "supervisor board"
    DEFAULT_CSS = """
    SupervisorScreen #board { grid-size: 2 3; grid-rows: auto 1fr 1fr; height: 1fr; }
    SupervisorScreen #figures-pane { column-span: 2; height: auto; }
    SupervisorScreen #figures { height: auto; }
    SupervisorScreen #volume-row { height: 3; }
    SupervisorScreen #volume { height: 3; width: 1fr; margin: 0 1; }
    SupervisorScreen .pane { height: 1fr; border: round $primary-darken-2; }
    SupervisorScreen .pane DataTable { height: 1fr; }
    SupervisorScreen #failing { height: auto; max-height: 6; }
    SupervisorScreen.-narrow #board { grid-size: 1; grid-rows: auto 12 8 8 12; overflow-y: auto; }
    SupervisorScreen.-narrow #figures-pane { column-span: 1; }
    SupervisorScreen.-narrow #volume-row, SupervisorScreen.-narrow #volume { height: 2; }
    """
    # Below 100 columns the four panes stack in one scrolling column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it)
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown by the focused pane (BoardTable); listed here for when none has focus.
        Binding("enter", "open", "Open", show=False, tooltip=OPEN_TOOLTIP),
        Binding(
            "a", "acknowledge", "Ack", tooltip="Acknowledge (claim) the selected waiting alert"
        ),
        Binding(
            "r",
            "reassign",
            "Reassign",
            tooltip="Reassign the selected alert, episode or follow-up to a named colleague",
        ),
        Binding(
            "p",
            "page",
            "Page",
            tooltip="Page a colleague by hand (a backup), about the selected alert",
        ),
        Binding("f", "choose_range", "Figures for a range"),
        Binding("t", "today", "Today"),
        Binding("y", "retry_delivery", "Retry delivery"),
        Binding(
            "m",
            "readdress_message",
            "Re-address",
            show=False,  # named in the failing pane's title when something is failing
            tooltip="Send the selected failing or undeliverable message to a colleague or target",
        ),
        Binding(
            "x",
            "cancel_message",
            "Cancel message",
            show=False,
            tooltip="Cancel the selected failing or undeliverable message, with a reason",
        ),
        Binding("o", "outbox", "Messages"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._board: Board | None = None
        self._figures: Figures | None = None
        self._figures_read_at: datetime | None = None
        self._range: tuple[datetime, datetime] | None = None

    def compose(self) -> ComposeResult:
        """Figures across the top; four live tables below."""
        with Grid(id="board"):
            with Vertical(id="figures-pane"):
                yield Static(id="figures")
                with Horizontal(id="volume-row"):
                    yield Label("Alerts by hour ", classes="dim")
                    yield Sparkline([0] * 24, id="volume", summary_function=max)
            with Vertical(classes="pane", id="waiting-pane"):
                yield Label("", id="waiting-title")
                yield _table("waiting", WAITING_COLUMNS)
            with Vertical(classes="pane", id="episodes-pane"):
                yield Label("", id="episodes-title")
                yield _table("episodes", EPISODE_COLUMNS)
            with Vertical(classes="pane", id="overdue-pane"):
                yield Label("", id="overdue-title")
                yield _table("overdue", OVERDUE_COLUMNS)
            with Vertical(classes="pane", id="workload-pane"):
                yield Label("", id="workload-title")
                yield _table("workload", RESPONDER_COLUMNS)
                yield Label("", id="failing-title")
                yield _table("failing", FAILING_COLUMNS)
        yield ActionFooter()

    def on_mount(self) -> None:
        """Audit the opening, read everything, and keep the clocks moving."""
        self.read_safely(lambda: audit_board_opened(self.services), None)
        self.refresh_data()
        self.set_interval(1.0, self._redraw, name="board-clock")

    def refresh_data(self) -> None:
        """Re-read the board; the figures at most every 30 s (they scan a whole day)."""
        self._board = self.read_safely(lambda: read_board(self.services), self._board)
        now = self.services.clock.now()
        if self._figures_read_at is None or now - self._figures_read_at >= FIGURES_EVERY:
            self._read_figures()
        self._redraw()

    def _read_figures(self) -> None:
        start, end = self._range or today_range(self.services)
        self._figures = self.read_safely(
            lambda: compute_figures(self.services, start, end), self._figures
        )
        self._figures_read_at = self.services.clock.now()

    def _who(self, name: str) -> str:
        return initials(name) if self.services.settings.privacy_mode else name

    def _redraw(self) -> None:
        board = self._board
        if board is None:
            return
        now, who = self.services.clock.now(), self._who
        self._show_figures()
        waiting = sorted(board.waiting, key=lambda w: w.urgency(now))
        self._table("waiting").fill([waiting_row(w, now, who) for w in waiting])
        breaches = sum(1 for w in board.waiting if w.breached(now))
        title = Text(f"Waiting for acknowledgement: {len(board.waiting)}")
        if breaches:
            title.append(f"  {breaches} past deadline", style="bold red")
        if board.escalations:
            title.append(f"  {len(board.escalations)} escalating", style="bold yellow")
        self.query_one("#waiting-title", Label).update(title)
        self._table("episodes").fill([episode_row(e, now, who) for e in board.episodes])
        handoffs = sum(1 for e in board.episodes if e.handoff_reference is not None)
        episodes_title = Text(f"Open episodes: {len(board.episodes)}")
        if handoffs:
            plural = "s" if handoffs != 1 else ""
            episodes_title.append(f"  {handoffs} hotline handoff{plural} unconfirmed", style="bold")
        self.query_one("#episodes-title", Label).update(episodes_title)
        self._table("overdue").fill([overdue_row(o, now, who) for o in board.overdue])
        self.query_one("#overdue-title", Label).update(f"Overdue follow-ups: {len(board.overdue)}")
        people = [responder_row(person, now, who) for person in board.responders]
        self._table("workload").fill([*people, *(gap_row(role) for role in board.uncovered)])
        self.query_one("#workload-title", Label).update("On call now, and who is responding")
        self._table("failing").fill([failing_row(f) for f in board.failing])
        failing_title = Text(f"Outbound deliveries failing: {len(board.failing)}")
        if board.failing:
            failing_title.stylize("bold red")
            failing_title.append("  y retry  m re-address  x cancel", style="dim")
        self.query_one("#failing-title", Label).update(failing_title)

    def _show_figures(self) -> None:
        figures = self._figures
        if figures is None:
            return
        zone = self.services.settings.zone
        self.query_one("#figures", Static).update(figures_text(figures, zone))
        volume = [sum(figures.volume_by_hour[h].values()) for h in range(24)]
        self.query_one("#volume", Sparkline).data = volume

    def action_choose_range(self) -> None:
        """Ask for a date range and show its figures."""

        def chosen(result: tuple[datetime, datetime] | None) -> None:
            if result is not None:
                self._range = result
                self._read_figures()
                self._redraw()

        self.app.push_screen(FiguresRangeScreen(self.services.settings.zone), chosen)

    def action_today(self) -> None:
        """Back to today's figures."""
        self._range = None
        self._read_figures()
        self._redraw()

    def action_retry_delivery(self) -> None:
        """Send the selected failing message again (its idempotency key stays the same)."""
        key = self._table("failing").selected_key
        if key is None:
            self.notify("No outbound delivery is failing.")
            return
        message_id = int(key.removeprefix("message-"))
        services = self.services
        self.run_service(
            lambda: retry_delivery(services, message_id),
            on_success=lambda _: self.notify(f"Message {message_id} will be retried."),
        )

    def _failing_selected(self) -> FailingDelivery | None:
        key = self._table("failing").selected_key
        board = self._board
        if key is None or board is None:
            self.notify("No outbound delivery is failing.")
            return None
        message_id = int(key.removeprefix("message-"))
        return next((f for f in board.failing if f.message_id == message_id), None)

    def action_readdress_message(self) -> None:
        """Send the selected failing or undeliverable message elsewhere (audited)."""
        failing = self._failing_selected()
        if failing is not None:
            ask_readdress(self, failing.message_id, failing.kind, failing.target)

    def action_cancel_message(self) -> None:
        """Cancel the selected failing or undeliverable message, with a reason (audited)."""
        failing = self._failing_selected()
        if failing is not None:
            ask_cancel(self, failing.message_id, failing.kind, failing.target)

    def action_outbox(self) -> None:
        """Every recent outbound message with its delivery state and last error."""
        from oncall.ui.screens.outbox import OutboxScreen

        self.app.push_screen(OutboxScreen())
