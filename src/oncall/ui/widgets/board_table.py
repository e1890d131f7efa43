"""A live table of the supervisor board that keeps its cursor and scroll across refreshes.

The board is redrawn every second (ages and deadlines move) and whenever the database
changes. Clearing and refilling a DataTable puts its cursor and scroll back on row 1,
so a supervisor could never reach the row they meant to act on. Each row has a key
(the alert, episode or follow-up it shows): when the rows are the same, only the
cells that changed are rewritten; when rows come and go, the cursor follows its row
to wherever it now is, and the rows on screen keep their place around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

OPEN_TOOLTIP = "Open the selected alert's episode, episode or follow-up"


class BoardTable(DataTable[Text]):
    """A keyed row table for one pane of the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # DataTable's own Enter is hidden; the board's is its main key, so it is listed.
        Binding("enter", "select_cursor", "Open", tooltip=OPEN_TOOLTIP),
    ]

    def __init__(self, columns: Sequence[tuple[str, int]], *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = list(columns)

    def on_mount(self) -> None:
        """Add the columns (keyed by label)."""
        for label, width in self._columns:
            self.add_column(label, width=width, key=label)

    @property
    def keys(self) -> list[str]:
        """The rows' keys, top to bottom."""
        return [str(key.value) for key in self.rows]

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        keys = self.keys
        return keys[self.cursor_row] if 0 <= self.cursor_row < len(keys) else None

    def fill(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Show `rows` (key, cells), keeping the cursor on the same row and the scroll."""
        keys = [key for key, _ in rows]
        if keys == self.keys:
            columns = list(self.columns)
            for key, cells in rows:
                for column, cell in zip(columns, cells, strict=True):
                    if self.get_cell(key, column) != cell:
                        self.update_cell(key, column, cell)
            return
        selected, old_index, old_scroll = self.selected_key, self.cursor_row, self.scroll_y
        self.clear()  # (this puts the cursor and the scroll back at the top)
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if not rows:
            return
        index = keys.index(selected) if selected in keys else min(max(old_index, 0), len(keys) - 1)
        self.move_cursor(row=index, animate=False, scroll=False)
        # The row under the cursor stays where it was on screen: rows arriving above it
        # scroll the view by as many rows. Done after the refresh that measures the rows.
        scroll = max(old_scroll + index - old_index, 0)
        self.call_after_refresh(self.scroll_to, y=scroll, animate=False, immediate=True)

    def select_key(self, key: str) -> bool:
        """Put the cursor on the row with `key`; False if there is none."""
        keys = self.keys
        if key not in keys:
            return False
        self.move_cursor(row=keys.index(key), animate=False)
        return True
