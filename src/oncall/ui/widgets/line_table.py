"""A light table of fixed-width columns, drawn line by line: the dashboard's queue and episodes.

Textual's DataTable measures, stores and styles every cell as a renderable, and costs the
console a tenth of a second at start (benchmarks/bench_startup.py). The dashboard's
tables hold one screenful (the queue is paged from SQLite) with widths fixed in advance,
so this widget keeps the rows' cells as Rich Text and turns each visible line into a
Strip when Textual asks for it. Keys and the mouse work as in a DataTable with a row
cursor: arrows, page keys, home/end, Enter; a click moves the cursor, a click on the
row under the cursor selects it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

PADDING = 1
"""Blank columns either side of every cell, as in a DataTable."""


@dataclass(frozen=True)
class Column:
    """A column heading and its width in cells (not counting the padding)."""

    label: str
    width: int


class LineTable(Widget, can_focus=True):
    """Rows of Rich Text cells under a header, with a row cursor; the rows fit in memory."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the selected row"),
        Binding("up", "cursor_up", "Up", show=False, tooltip="Up one row"),
        Binding("down", "cursor_down", "Down", show=False, tooltip="Down one row"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="The previous screenful"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="The next screenful"),
        Binding("home,ctrl+home", "first", "First", show=False, tooltip="The first row"),
        Binding("end,ctrl+end", "last", "Last", show=False, tooltip="The last row"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--cursor",
        "line-table--even-row",
    }
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .line-table--even-row { background: $surface-darken-1 40%; }
        & > .line-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .line-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .line-table--even-row { background: $surface-lighten-1 50%; }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    header_height = 1
    """Lines taken by the header."""

    @dataclass
    class RowSelected(Message):
        """Enter, or a click on the row under the cursor."""

        table: LineTable
        """The table the row is in."""
        cursor_row: int
        """The index of the selected row."""

        @property
        def control(self) -> LineTable:
            """The table (for `@on(..., "#id")` selectors)."""
            return self.table

    def __init__(self, *, zebra_stripes: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zebra_stripes = zebra_stripes
        self._columns: list[Column] = []
        self._rows: list[list[Text]] = []
        self._cursor = 0
        self._top = 0
        """The index of the first row on screen (rows scroll when they outnumber the lines)."""
        self._strips: dict[tuple[int, int], Strip] = {}

    # What the table holds

    def set_columns(self, columns: Iterable[Column]) -> None:
        """Replace the columns (the rows are kept: give new ones to match)."""
        self._columns = list(columns)
        self._changed()

    def set_rows(self, rows: Iterable[Sequence[Text]], *, cursor_row: int | None = None) -> None:
        """Replace every row; the cursor stays at its index (or moves to `cursor_row`)."""
        self._rows = [list(cells) for cells in rows]
        self._cursor = self._clamp(self._cursor if cursor_row is None else cursor_row)
        self._top = self._clamp(min(self._top, self._cursor))
        self._scroll_to_cursor()
        self._changed()

    def clear(self) -> None:
        """Remove every row."""
        self.set_rows([], cursor_row=0)

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self._rows)

    def get_row_at(self, index: int) -> list[Text]:
        """The cells of the row at `index`."""
        return list(self._rows[index])

    @property
    def cursor_row(self) -> int:
        """The index of the row under the cursor (0 when there are no rows)."""
        return self._cursor

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on row `row` (clamped to the rows there are), scrolled into view."""
        self._cursor = self._clamp(row)
        self._scroll_to_cursor()
        self._changed()

    @property
    def visible_rows(self) -> int:
        """How many rows fit under the header."""
        return max(0, self.size.height - self.header_height)

    def _clamp(self, index: int) -> int:
        return max(0, min(index, len(self._rows) - 1))

    def _scroll_to_cursor(self) -> None:
        lines = self.visible_rows
        if lines <= 0:
            return
        if self._cursor < self._top:
            self._top = self._cursor
        elif self._cursor >= self._top + lines:
            self._top = self._cursor - lines + 1
        self._top = max(0, min(self._top, len(self._rows) - lines))

    def _changed(self) -> None:
        self._strips.clear()
        self.refresh()

    # Keys and the mouse

    def action_cursor_up(self) -> None:
        """Up one row."""
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Down one row."""
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        """Up a screenful."""
        self.move_cursor(row=self._cursor - max(1, self.visible_rows))

    def action_page_down(self) -> None:
        """Down a screenful."""
        self.move_cursor(row=self._cursor + max(1, self.visible_rows))

    def action_first(self) -> None:
        """The first row."""
        self.move_cursor(row=0)

    def action_last(self) -> None:
        """The last row."""
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        """Say that the row under the cursor was chosen."""
        if self._rows:
            self.post_message(self.RowSelected(self, self._cursor))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the row under the cursor selects it."""
        row = self._top + event.y - self.header_height
        if event.y < self.header_height or not 0 <= row < len(self._rows):
            return
        event.stop()
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel moves the cursor a row."""
        event.stop()
        self.action_cursor_down()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel moves the cursor a row."""
        event.stop()
        self.action_cursor_up()

    def on_focus(self) -> None:
        """The cursor changes colour with focus."""
        self._changed()

    def on_blur(self) -> None:
        """The cursor changes colour with focus."""
        self._changed()

    def on_resize(self, event: events.Resize) -> None:
        """Keep the cursor in view at the new height."""
        self._scroll_to_cursor()
        self._changed()

    # Drawing

    def notify_style_update(self) -> None:
        """The theme or a pseudo-class changed: draw again with the new colours."""
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        """Line `y`: the header, a row, or blank below the last row."""
        width = self.size.width
        key = (y, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._draw_line(y, width)
        return strip

    def _draw_line(self, y: int, width: int) -> Strip:
        base = self.rich_style
        if y < self.header_height:
            header = self.get_component_rich_style("line-table--header")
            cells = [Text(column.label) for column in self._columns]
            return self._strip(cells, base + header, Style.null(), width)
        index = self._top + y - self.header_height
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = base
        if self.zebra_stripes and index % 2 == 0:
            style += self.get_component_rich_style("line-table--even-row")
        over = Style.null()
        if index == self._cursor:  # as a DataTable: the cursor's colour wins over the cells'
            cursor = self.get_component_rich_style("line-table--cursor")
            style += cursor
            over = Style.from_color(cursor.color)
        return self._strip(self._rows[index], style, over, width)

    def _strip(self, cells: Sequence[Text], style: Style, over: Style, width: int) -> Strip:
        """One line of cells, each padded and cut to its column: `style` under, `over` on top."""
        console = self.app.console
        segments: list[Segment] = []
        pad = Segment(" " * PADDING, style + over)
        for column, cell in zip(self._columns, cells, strict=False):
            text = cell.copy()
            text.no_wrap = True
            text.truncate(column.width, overflow="ellipsis", pad=True)
            # Text.render leaves the text's own style to the caller (its spans it applies).
            own = console.get_style(text.style, default=Style.null()) if text.style else None
            segments.append(pad)
            segments.extend(
                Segment.apply_style(text.render(console), style + own if own else style, over)
            )
            segments.append(pad)
        return Strip(segments).extend_cell_length(width, style + over).crop(0, width)
