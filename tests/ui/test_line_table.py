"""The light table under the dashboard's queue and episodes: keys, mouse, scrolling, drawing."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult

from oncall.ui.widgets.line_table import Column, LineTable

ROWS = 20


class TableApp(App[None]):
    """One table five rows high (and its header), with ROWS rows; records what is selected."""

    CSS = "LineTable { height: 6; }"

    def __init__(self) -> None:
        super().__init__()
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        table = LineTable(zebra_stripes=True)
        table.set_columns([Column("Name", 8), Column("State", 6)])
        table.set_rows(
            [Text(f"row {n}"), Text("late", style="red") if n == 1 else Text("ok")]
            for n in range(ROWS)
        )
        yield table

    @on(LineTable.RowSelected)
    def _chosen(self, event: LineTable.RowSelected) -> None:
        self.selected.append(event.cursor_row)


def lines(table: LineTable) -> list[str]:
    """The text of each line the table draws, header first."""
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_the_cursor_moves_with_the_keys_and_the_rows_scroll_to_keep_it_in_view() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        table.focus()
        assert lines(table)[0] == " Name      State"
        assert lines(table)[1:] == [f" row {n}     {'late' if n == 1 else 'ok'}" for n in range(5)]
        await pilot.press(*["down"] * 7)
        assert table.cursor_row == 7
        assert lines(table)[-1].startswith(" row 7")  # scrolled: the cursor's row is the last
        await pilot.press("pagedown")
        assert table.cursor_row == 12
        await pilot.press("end")
        assert table.cursor_row == ROWS - 1
        assert lines(table)[-1].startswith(f" row {ROWS - 1}")
        await pilot.press("down")  # past the last row: stays
        assert table.cursor_row == ROWS - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        assert lines(table)[1].startswith(" row 0")
        await pilot.press("enter")
        assert app.selected == [0]


async def test_a_click_moves_the_cursor_and_a_second_click_selects_the_row() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        await pilot.click(LineTable, offset=(2, 3))  # line 0 is the header: row 2
        assert table.cursor_row == 2
        assert app.selected == []
        await pilot.click(LineTable, offset=(2, 3))
        assert app.selected == [2]
        await pilot.click(LineTable, offset=(2, 0))  # the header selects nothing
        assert table.cursor_row == 2
        assert app.selected == [2]
        await pilot.click(LineTable, offset=(2, 4))  # a row not under the cursor
        assert app.selected == [2]


async def test_long_cells_are_cut_with_an_ellipsis_and_their_colours_kept() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        long_name = [Text("a name far too long"), Text("late", style="red")]
        table.set_rows([[Text("first"), Text("")], long_name])
        await pilot.pause()
        assert lines(table)[2] == " a name …  late"
        late = next(s for s in table.render_line(2) if s.text.startswith("late"))
        assert late.style is not None and late.style.color is not None
        assert late.style.color.name == "red"
        # Under the cursor the cursor's colour wins, as in a DataTable.
        table.move_cursor(row=1)
        late = next(s for s in table.render_line(2) if s.text.startswith("late"))
        assert late.style is not None and late.style.color is not None
        assert late.style.color.name != "red"
        assert table.row_count == 2
        assert [str(cell) for cell in table.get_row_at(1)] == ["a name far too long", "late"]


async def test_new_rows_keep_the_cursor_where_it_was_unless_there_are_fewer() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        table.move_cursor(row=3)
        table.set_rows([[Text(f"new {n}"), Text("")] for n in range(10)])
        assert table.cursor_row == 3
        table.set_rows([[Text("only"), Text("")]])
        assert table.cursor_row == 0
        table.clear()
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("enter")
        assert app.selected == []  # nothing to select
        assert lines(table) == [" Name      State", "", "", "", "", ""]
