"""Every episode the user may see, newest first, one screenful at a time from SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Label

from oncall.services.episode_history import HistoryPage, HistoryRow, read_history_page
from oncall.ui.base import OnCallScreen
from oncall.ui.format import clinic_datetime, initials, words
from oncall.ui.navigation import open_episode
from oncall.ui.widgets.action_footer import ActionFooter

COLUMNS = [
    ("Episode", 8),
    ("Opened", 18),
    ("Client", 22),
    ("Status", 15),
    ("Risk", 8),
    ("Disposition", 30),
    ("Opened by", 16),
]


class HistoryTable(DataTable[Any]):
    """A table that asks its screen for another page when the cursor leaves an edge."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open episode"),
        Binding("home", "first_page", "Newest", show=False),
    ]

    @dataclass
    class PageWanted(Message):
        """The user moved past an edge: `older` True for the page below, None for the first."""

        older: bool | None

    def action_cursor_down(self) -> None:
        """Past the last row, the next (older) page."""
        if self.cursor_row >= self.row_count - 1:
            self.post_message(self.PageWanted(older=True))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Above the first row, the previous (newer) page."""
        if self.cursor_row <= 0:
            self.post_message(self.PageWanted(older=False))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        """The next (older) page."""
        self.post_message(self.PageWanted(older=True))

    def action_page_up(self) -> None:
        """The previous (newer) page."""
        self.post_message(self.PageWanted(older=False))

    def action_first_page(self) -> None:
        """Back to the newest episodes."""
        self.post_message(self.PageWanted(older=None))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel turns pages too."""
        event.stop()
        self.post_message(self.PageWanted(older=True))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel turns pages too."""
        event.stop()
        self.post_message(self.PageWanted(older=False))


class EpisodeHistoryScreen(OnCallScreen[None]):
    """Episode history: paged by key, so 100,000 episodes cost what one page costs."""

    HELP_TITLE = "episode history"
    DEFAULT_CSS = """
    EpisodeHistoryScreen HistoryTable { height: 1fr; }
    EpisodeHistoryScreen #history-title { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[HistoryRow] = []
        self._offset = 0
        self._total = 0

    def compose(self) -> ComposeResult:
        """Title and table."""
        yield Label("", id="history-title")
        table = HistoryTable(id="history", cursor_type="row", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield ActionFooter()

    @property
    def table(self) -> HistoryTable:
        """The history table."""
        return self.query_one(HistoryTable)

    def _page_size(self) -> int:
        return max(5, self.table.size.height - 2 or 20)

    def on_mount(self) -> None:
        """The newest page once the table knows its height."""
        self.call_after_refresh(self.first_page)

    def refresh_data(self) -> None:
        """Another process opened or closed episodes: re-read the page in view."""
        if not self._rows:
            self.first_page()
            return
        top = self._rows[0].key
        page = self._read(older_than=(top[0], top[1] + 1), count=True)
        self._show(page.rows, page.total, keep_cursor=True)

    def first_page(self) -> None:
        """The newest episodes."""
        page = self._read(count=True)
        self._offset = 0
        self._show(page.rows, page.total)

    def turn_page(self, *, older: bool) -> None:
        """The next page down (older) or up (newer), keeping the cursor at the edge."""
        if not self._rows:
            return
        if older:
            page = self._read(older_than=self._rows[-1].key)
            if not page.rows:
                return
            self._offset += len(self._rows)
            self._show(page.rows, self._total, cursor=0)
        else:
            page = self._read(newer_than=self._rows[0].key)
            if not page.rows:
                return
            self._offset = max(0, self._offset - len(page.rows))
            self._show(page.rows, self._total, cursor=len(page.rows) - 1)

    def _read(self, **keys: Any) -> HistoryPage:
        count = keys.pop("count", False)
        return self.read_safely(
            lambda: read_history_page(self.services, limit=self._page_size(), count=count, **keys),
            HistoryPage(self._rows, self._total),
        )

    def _show(
        self,
        rows: list[HistoryRow],
        total: int,
        *,
        cursor: int | None = None,
        keep_cursor: bool = False,
    ) -> None:
        table = self.table
        keep = table.cursor_row
        self._rows = rows
        if total >= 0:
            self._total = total
        zone = self.services.settings.zone
        privacy = self.services.settings.privacy_mode
        table.clear()
        table.add_rows(
            [
                Text(f"#{r.episode_id}"),
                Text(clinic_datetime(r.opened_at, zone)),
                Text(initials(r.client_name) if privacy else r.client_name),
                Text(words(r.status.value)),
                Text(r.risk_level.value if r.risk_level else "—"),
                Text(r.disposition.label if r.disposition else "—"),
                Text(initials(r.opened_by) if privacy else r.opened_by),
            ]
            for r in rows
        )
        if rows:
            row = keep if keep_cursor else (cursor or 0)
            table.move_cursor(row=min(max(row, 0), len(rows) - 1), scroll=False)
        title = Text(f"Episode history: {self._total:,} episodes", style="bold")
        if rows:
            title.append(f"  (rows {self._offset + 1:,}–{self._offset + len(rows):,})", style="dim")
        self.query_one("#history-title", Label).update(title)

    def on_history_table_page_wanted(self, message: HistoryTable.PageWanted) -> None:
        """Turn the page the table asked for."""
        if message.older is None:
            self.first_page()
        else:
            self.turn_page(older=message.older)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter opens the episode."""
        row = event.cursor_row
        if 0 <= row < len(self._rows):
            open_episode(self.app, self._rows[row].episode_id)
