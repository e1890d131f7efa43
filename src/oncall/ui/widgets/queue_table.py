"""The live queue as a table that holds only the rows on screen, paged from SQLite by keyset.

A DataTable measures and stores every row it is given, so filling it with the whole
queue freezes the console (PITFALLS: 10k rows ≈ 1.8 s). This table keeps exactly one
screenful: moving past its edge, paging, or scrolling the wheel asks the database for
the next rows after (or before) a sort key and draws them (a LineTable, light enough
that the console starts sooner).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, ParamSpec

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from oncall.domain.models import Alert
from oncall.services.errors import StoreError
from oncall.services.queue import QueueCursor, QueueRow, QueueSource
from oncall.ui.widgets.line_table import Column, LineTable
from oncall.ui.widgets.queue_cells import QueueLayout, layout_for, row_cells

WHEEL_ROWS = 3

P = ParamSpec("P")


def _store_errors_shown(method: Callable[P, None]) -> Callable[P, None]:
    """Keys, the wheel and resizing read the database: a failure is a message, not a crash.

    (A refresh's failure is not caught here: it reaches the live refresh, which marks the
    data stale.)
    """

    @functools.wraps(method)
    def shown(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            method(*args, **kwargs)
        except StoreError as error:
            table = args[0]
            if isinstance(table, QueueTable):
                table.notify(str(error), severity="error", timeout=10, markup=False)

    return shown


class QueueTable(LineTable):
    """The queue, one client a row, one screenful at a time, sorted by severity then age."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the alert's episode"),
        Binding(
            "home,ctrl+home,g", "first", "Top", show=False, tooltip="The most urgent, oldest alert"
        ),
        Binding(
            "end,ctrl+end,G", "last", "Bottom", show=False, tooltip="The least urgent, newest alert"
        ),
    ]

    @dataclass
    class Moved(Message):
        """The window moved or was re-read; the screen updates its counts."""

        table: QueueTable
        """The table that moved."""

    def __init__(
        self,
        source: QueueSource,
        *,
        now: Callable[[], datetime],
        privacy: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, zebra_stripes=True)
        self.source = source
        self._now = now
        self.privacy = privacy
        self._anchor: QueueCursor | None = None
        self._window: list[QueueRow] = []
        self._has_more = False
        self.first_position = 0
        """The queue position of the first row shown."""
        self._layout: QueueLayout | None = None
        self._loaded_page = 0

    def on_mount(self) -> None:
        """Set up the columns for the width the table has."""
        self._set_columns()

    @property
    def narrow(self) -> bool:
        """Whether the table uses its narrow columns (no source; status and who in one cell)."""
        return self._layout is not None and self._layout.narrow

    @property
    def column_keys(self) -> list[str]:
        """The columns shown, by key ("severity", "client", "summary", …), left to right."""
        return [column.key for column in self._layout.columns] if self._layout else []

    def _set_columns(self) -> bool:
        """Lay the columns out for the current width (the summary takes the rest); True if new."""
        layout = layout_for(self.size.width)
        if layout == self._layout:
            return False
        self._layout = layout
        self.set_columns(
            Column(column.short if layout.narrow and column.short else column.label, width)
            for column, width in zip(layout.columns, layout.widths, strict=True)
        )
        return True

    @property
    def rows_shown(self) -> list[QueueRow]:
        """The rows in the window, in queue order."""
        return list(self._window)

    @property
    def selected(self) -> QueueRow | None:
        """The row under the cursor."""
        if 0 <= self.cursor_row < len(self._window):
            return self._window[self.cursor_row]
        return None

    @property
    def selected_alert(self) -> Alert | None:
        """The alert under the cursor."""
        row = self.selected
        return row.alert if row else None

    def _page_rows(self) -> int:
        return max(self.visible_rows, 5)

    def reload(self, *, select_index: int | None = None) -> None:
        """Re-read the window from the database, keeping the selected alert where it can."""
        if not self.size.height:
            return  # not laid out yet: the first resize reads exactly one screenful
        keep = self.selected
        keep_index = self.cursor_row if select_index is None else select_index
        page = self._loaded_page = self._page_rows()
        rows = self.source.after(self._anchor, page + 1)
        self._has_more = len(rows) > page
        rows = rows[:page]
        if len(rows) < page and self._anchor is not None:
            rows, self._has_more = self.source.before(None, page), False
            earlier = self.source.before(rows[0].cursor, 1) if rows else []
            self._anchor = earlier[0].cursor if earlier else None
        self._window = rows
        self.first_position = self.source.position(rows[0].cursor) if rows and self._anchor else 0
        index = keep_index
        if select_index is None and keep is not None:
            # The same client's row, even when another of their alerts is now the one shown.
            index = next(
                (i for i, r in enumerate(rows) if r.client_key == keep.client_key), keep_index
            )
        self._rebuild(max(0, min(index, len(rows) - 1)))

    def _rebuild(self, cursor_index: int) -> None:
        self.set_rows(self._cells(self._now()), cursor_row=cursor_index)
        self.post_message(self.Moved(self))

    def _cells(self, now: datetime) -> list[list[Text]]:
        layout = self._layout or layout_for(self.size.width)
        return [row_cells(row, now, layout, privacy=self.privacy) for row in self._window]

    def tick(self) -> None:
        """Move the age and time-left cells on by the clock (called every second)."""
        self.set_rows(self._cells(self._now()))

    def shift(self, delta: int, *, select_index: int | None = None) -> None:
        """Move the window `delta` rows down (or up when negative) through the queue."""
        if delta > 0:
            if not self._has_more:
                return
            skipped = self.source.after(self._anchor, delta)
            if not skipped:
                return
            self._anchor = skipped[-1].cursor
        elif delta < 0:
            if self._anchor is None:
                return
            if self._window:
                earlier = self.source.before(self._window[0].cursor, -delta + 1)
                self._anchor = earlier[0].cursor if len(earlier) == -delta + 1 else None
            else:
                self._anchor = None
        self.reload(select_index=select_index)

    @_store_errors_shown
    def action_cursor_down(self) -> None:
        """Down one row; past the last row on screen, the window moves down."""
        if self.cursor_row >= len(self._window) - 1 and self._has_more:
            self.shift(1, select_index=self.cursor_row)
        else:
            super().action_cursor_down()

    @_store_errors_shown
    def action_cursor_up(self) -> None:
        """Up one row; above the first row on screen, the window moves up."""
        if self.cursor_row <= 0 and self._anchor is not None:
            self.shift(-1, select_index=0)
        else:
            super().action_cursor_up()

    @_store_errors_shown
    def action_page_down(self) -> None:
        """The next screenful."""
        if self._has_more:
            self.shift(len(self._window), select_index=self.cursor_row)
        else:
            self.move_cursor(row=len(self._window) - 1)

    @_store_errors_shown
    def action_page_up(self) -> None:
        """The previous screenful."""
        if self._anchor is not None:
            self.shift(-len(self._window), select_index=self.cursor_row)
        else:
            self.move_cursor(row=0)

    @_store_errors_shown
    def action_first(self) -> None:
        """The most urgent, oldest alert."""
        self._anchor = None
        self.reload(select_index=0)

    @_store_errors_shown
    def action_last(self) -> None:
        """The least urgent, newest alert."""
        rows = self.source.before(None, self._page_rows() + 1)
        self._anchor = rows[0].cursor if len(rows) > self._page_rows() else None
        self.reload(select_index=self._page_rows())

    @_store_errors_shown
    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel moves the window, not the cursor."""
        event.stop()
        event.prevent_default()
        self.shift(WHEEL_ROWS)

    @_store_errors_shown
    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel moves the window, not the cursor."""
        event.stop()
        event.prevent_default()
        self.shift(-WHEEL_ROWS)

    @_store_errors_shown
    def on_resize(self, event: events.Resize) -> None:
        """A taller table holds more rows; a wider one, more columns and a longer summary."""
        if self._page_rows() != self._loaded_page:
            self._set_columns()
            self.reload()
        elif self._set_columns():
            self._rebuild(self.cursor_row)  # the same rows, cut to the new widths
