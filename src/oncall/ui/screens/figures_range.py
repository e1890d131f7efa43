"""A small modal asking for the date range of the supervisor's figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class FiguresRangeScreen(ModalScreen[tuple[datetime, datetime] | None]):
    """Returns (start, end) as clinic midnights, end exclusive; None when cancelled."""

    DEFAULT_CSS = """
    FiguresRangeScreen { align: center middle; }
    FiguresRangeScreen > Vertical { width: 50; height: auto; border: thick $primary;
                                    background: $surface; padding: 1 2; }
    FiguresRangeScreen #range-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self._zone = zone

    def compose(self) -> ComposeResult:
        """Two date fields and the buttons."""
        with Vertical():
            yield Label("Figures from (YYYY-MM-DD)")
            yield Input(placeholder="2026-11-01", id="since")
            yield Label("to, inclusive (empty for today)")
            yield Input(placeholder="2026-11-22", id="until")
            yield Label("", id="range-error")
            yield Button("Show figures", variant="primary", id="show")

    def _parse(self) -> tuple[datetime, datetime] | str:
        since = self.query_one("#since", Input).value.strip()
        until = self.query_one("#until", Input).value.strip()
        try:
            first = date.fromisoformat(since)
        except ValueError:
            return "The first day must be a date like 2026-11-01."
        try:
            last = date.fromisoformat(until) if until else datetime.now(self._zone).date()
        except ValueError:
            return "The last day must be a date like 2026-11-22, or empty."
        if last < first:
            return "The last day is before the first."
        start = datetime.combine(first, time(0), tzinfo=self._zone)
        return start, datetime.combine(last + timedelta(days=1), time(0), tzinfo=self._zone)

    @on(Input.Changed)
    def _validate(self) -> None:
        result = self._parse()
        message = result if isinstance(result, str) else ""
        self.query_one("#range-error", Label).update(message)

    @on(Button.Pressed, "#show")
    @on(Input.Submitted)
    def _submit(self) -> None:
        result = self._parse()
        if isinstance(result, str):
            self.query_one("#range-error", Label).update(result)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
