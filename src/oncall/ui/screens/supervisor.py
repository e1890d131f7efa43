"""The supervisor's live board (W10): who is waiting, what is late, who carries what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

from oncall.domain.figures import Rate, format_duration
from oncall.domain.types import Severity, ShiftRole
from oncall.services.board import (
    Board,
    WaitingAlert,
    Workload,
    audit_board_opened,
    read_board,
)
from oncall.services.feed_status import retry_delivery
from oncall.services.metrics import Figures, compute_figures, today_range
from oncall.ui.format import initials, severity_label, short_duration, words
from oncall.ui.screens.figures_range import FiguresRangeScreen
from oncall.ui.screens.supervisor_actions import BoardActions
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.board_table import OPEN_TOOLTIP, BoardTable

FIGURES_EVERY = timedelta(seconds=30)
# Column widths fit a pane of half a 120-column terminal (cells add one space each side).
WAITING_COLUMNS = [("Severity", 10), ("Client", 14), ("Kind", 8), ("Age", 6), ("Due", 8)]
HANDOFF_COLUMNS = [("Client", 11), ("Hotline", 12), ("Ref", 9), ("Owner", 9), ("Due", 6)]
OVERDUE_COLUMNS = [("Client", 12), ("Follow-up", 11), ("Late", 10), ("Assignee", 9), ("Tries", 5)]
RESPONDER_COLUMNS = [("Staff", 15), ("On call", 9), ("Episodes", 8), ("F-ups", 5), ("Last act", 8)]
ROTA_SHORT = {ShiftRole.PRIMARY: "primary", ShiftRole.BACKUP: "backup", ShiftRole.SUPERVISOR: "sup"}
QUIET_AFTER = timedelta(hours=1)
"""Open episodes and nothing written on them for this long: the last action shows in yellow."""
FAILING_COLUMNS = [("Message", 12), ("Target", 14), ("Tries", 5), ("Last error", 16)]


def _table(table_id: str, columns: list[tuple[str, int]]) -> BoardTable:
    return BoardTable(columns, id=table_id)


def _due(deadline: datetime, now: datetime) -> Text:
    """Time left to a deadline in a narrow column: a minus sign and red once it passed."""
    if deadline > now:
        return Text(short_duration(deadline - now))
    return Text(f"-{short_duration(now - deadline)}", style="bold white on dark_red")


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
            with Vertical(classes="pane", id="handoff-pane"):
                yield Label("", id="handoffs-title")
                yield _table("handoffs", HANDOFF_COLUMNS)
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
        now = self.services.clock.now()
        self._show_figures()
        self._table("waiting").fill(
            [
                (f"alert-{w.alert_id}", self._waiting_cells(w, now))
                for w in sorted(board.waiting, key=lambda w: w.urgency(now))
            ]
        )
        breaches = sum(1 for w in board.waiting if w.breached(now))
        title = Text(f"Waiting for acknowledgement: {len(board.waiting)}")
        if breaches:
            title.append(f"  {breaches} past deadline", style="bold red")
        if board.escalations:
            title.append(f"  {len(board.escalations)} escalating", style="bold yellow")
        self.query_one("#waiting-title", Label).update(title)
        self._table("handoffs").fill(
            [
                (
                    f"episode-{h.episode_id}",
                    [
                        Text(self._who(h.client)),
                        Text(h.org),
                        Text(h.reference),
                        Text(self._who(h.owner)),
                        _due(h.deadline, now) if h.deadline else Text("—"),
                    ],
                )
                for h in board.handoffs
            ]
        )
        self.query_one("#handoffs-title", Label).update(
            f"Hotline handoffs awaiting confirmation: {len(board.handoffs)}"
        )
        self._table("overdue").fill(
            [
                (
                    f"follow-up-{o.follow_up_id}",
                    [
                        Text(self._who(o.client)),
                        Text(words(o.kind)),
                        Text("out of tries", style="bold red")
                        if o.exhausted
                        else Text(short_duration(now - o.due_at), style="red"),
                        Text(self._who(o.assignee)),
                        Text(str(o.attempts)),
                    ],
                )
                for o in board.overdue
            ]
        )
        self.query_one("#overdue-title", Label).update(f"Overdue follow-ups: {len(board.overdue)}")
        responders = [
            (f"staff-{person.staff_id}", self._responder_cells(person, now))
            for person in board.responders
        ]
        gaps = [
            (
                f"gap-{role.value}",
                [
                    Text("nobody", style="bold red"),
                    Text(ROTA_SHORT[role], style="bold red"),
                    Text(""),
                    Text(""),
                    Text(""),
                ],
            )
            for role in board.uncovered
        ]
        self._table("workload").fill([*responders, *gaps])
        self.query_one("#workload-title", Label).update("On call now, and who is responding")
        self._table("failing").fill(
            [
                (
                    f"message-{f.message_id}",
                    [
                        Text(words(f.kind)),
                        Text(f.target),
                        Text(str(f.attempts)),
                        Text(f.last_error or f.status, style="red"),
                    ],
                )
                for f in board.failing
            ]
        )
        failing_title = Text(f"Outbound deliveries failing: {len(board.failing)}")
        if board.failing:
            failing_title.stylize("bold red")
        self.query_one("#failing-title", Label).update(failing_title)

    def _waiting_cells(self, w: WaitingAlert, now: datetime) -> list[Text]:
        severity = severity_label(Severity(w.severity))
        if w.escalation_level:
            severity.append(f"↑{w.escalation_level}", style="bold yellow")
        client = Text(self._who(w.client))
        if w.assigned_to:
            # Staff names only (the rota's kind of data); privacy mode masks clients.
            client.append(f" →{initials(w.assigned_to)}", style="bold cyan")
        return [
            severity,
            client,
            Text(words(w.kind)),
            Text(short_duration(now - w.received_at)),
            _due(w.deadline, now),
        ]

    def _responder_cells(self, person: Workload, now: datetime) -> list[Text]:
        on_call = ", ".join(ROTA_SHORT[role] for role in person.on_call)
        if person.last_action_at is None:
            last = Text(
                "none" if person.open_episodes else "—",
                style="yellow" if person.open_episodes else "dim",
            )
        else:
            quiet = person.open_episodes and now - person.last_action_at >= QUIET_AFTER
            last = Text(
                short_duration(now - person.last_action_at), style="yellow" if quiet else ""
            )
        return [
            Text(self._who(person.name)),
            Text(on_call or "—", style="bold green" if on_call else "dim"),
            Text(str(person.open_episodes)),
            Text(str(person.pending_follow_ups)),
            last,
        ]

    def _show_figures(self) -> None:
        figures = self._figures
        if figures is None:
            return
        zone = self.services.settings.zone
        start, end = figures.start.astimezone(zone), figures.end.astimezone(zone)
        last_day = end - timedelta(days=1)
        span = (
            f"Today {start:%a %d %b}"
            if last_day.date() == start.date()
            else f"{start:%d %b} – {last_day:%d %b %Y}"
        )

        def pct(rate: Rate) -> str:
            return "—" if rate.percent is None else f"{rate.percent:.0f}%"

        ack, contact, handoff = (
            figures.time_to_acknowledge,
            figures.time_to_first_contact,
            figures.time_to_handoff,
        )
        text = Text()
        text.append(f"{span}: ", style="bold")
        text.append(f"{figures.alerts} alert{'' if figures.alerts == 1 else 's'}  ")
        text.append("ack ")
        text.append(
            f"{format_duration(ack.median_s)} median / {format_duration(ack.p90_s)} p90  ",
            style="bold",
        )
        text.append(f"first contact {format_duration(contact.median_s)}  ")
        text.append(f"handoff {format_duration(handoff.median_s)}  ")
        text.append(
            f"follow-ups on time 24h {pct(figures.follow_ups_24h_on_time)} "
            f"72h {pct(figures.follow_ups_72h_on_time)}  "
        )
        text.append(f"C-SSRS {pct(figures.screening_completion)}")
        self.query_one("#figures", Static).update(text)
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

    def action_outbox(self) -> None:
        """Every recent outbound message with its delivery state and last error."""
        from oncall.ui.screens.outbox import OutboxScreen

        self.app.push_screen(OutboxScreen())
