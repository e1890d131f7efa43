"""The resource directory (W9): search as you type, filters, nearest first, national lines."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from oncall.domain.types import ResourceCategory
from oncall.services import directory
from oncall.services.directory import DirectoryEntry, DirectoryPage, DirectoryQuery
from oncall.services.directory_origin import DistanceOrigin, origin_for_episode
from oncall.services.errors import ServiceError
from oncall.ui.base import OnCallScreen
from oncall.ui.screens.referral import ReferralConfirmScreen
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.directory_rows import COLUMNS, category_label, detail_text, row_cells
from oncall.ui.widgets.toggles import MarkedCheckbox

OPEN_NOW_RECHECK_S = 60.0
"""How often "open now" is re-read while the screen is up: opening hours move with the clock."""


class ResourceDirectoryScreen(OnCallScreen[None]):
    """Local help near the client, national lines always on top; a key copies a number."""

    HELP_TITLE = "resource directory"
    DEFAULT_CSS = """
    ResourceDirectoryScreen #filters { height: 1; }
    ResourceDirectoryScreen #category { width: 26; }
    ResourceDirectoryScreen #county { width: 20; }
    ResourceDirectoryScreen.-narrow #category { width: 20; }
    ResourceDirectoryScreen.-narrow #county { width: 14; }
    ResourceDirectoryScreen Checkbox { width: auto; margin-left: 1; }
    ResourceDirectoryScreen #origin { height: 1; padding: 0 1; }
    ResourceDirectoryScreen #directory { height: 1fr; }
    ResourceDirectoryScreen #page { height: 1; padding: 0 1; background: $boost; }
    ResourceDirectoryScreen #detail { height: 3; padding: 0 1; }
    ResourceDirectoryScreen #detail.-damaged { height: auto; max-height: 6; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("down", "to_results", "Results", key_display="↓"),
        Binding("y", "copy_phone", "Copy num."),
        Binding("f", "refer", "Referral"),
        Binding("right_square_bracket", "next_page", "Next page", key_display="]"),
        Binding("left_square_bracket", "previous_page", "Prev page", key_display="["),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it)

    def __init__(self, episode_id: int | None = None, *, query: str | None = None) -> None:
        super().__init__()
        self.episode_id = episode_id
        """The episode the directory was opened from (referrals go on its timeline)."""
        self.origin = DistanceOrigin(None, "")
        """Where distances are measured from, or why there are none."""
        self.page: DirectoryPage | None = None
        """The page of results shown."""
        self.national: list[DirectoryEntry] = []
        """The pinned national lines."""
        self._initial_query = query or ""
        self._offset = 0
        self._entries: dict[str, DirectoryEntry] = {}

    def compose(self) -> ComposeResult:
        """Search box, filters, where distances come from, the table, the selected entry."""
        yield Input(
            self._initial_query,
            placeholder="Search: name, service, organization, category (type to narrow)",
            id="search",
            compact=True,
        )
        categories = [(category_label(c.value), c.value) for c in ResourceCategory]
        with Horizontal(id="filters"):
            yield Select(categories, prompt="Any category", id="category", compact=True)
            yield Select([], prompt="Any county", id="county", compact=True)
            yield MarkedCheckbox("24/7", id="always", compact=True)
            yield MarkedCheckbox("Open now", id="open-now", compact=True)
            yield MarkedCheckbox("Nearest first", id="nearest", compact=True)
        yield Static(id="origin")
        yield DataTable(id="directory", cursor_type="row", zebra_stripes=True)
        yield Static(id="page")
        yield Static(id="detail")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Columns, the counties, where distances come from; then the first search."""
        table = self.query_one("#directory", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        self.read_safely(self._read_counties, None)
        self._read_origin()
        nearest = self.query_one("#nearest", Checkbox)
        nearest.value = self.origin.position is not None
        nearest.disabled = self.origin.position is None
        super().on_mount()
        self.set_interval(
            OPEN_NOW_RECHECK_S, lambda: self.oncall_app.refresh_screen(self), name="open-now"
        )
        self.query_one("#search", Input).focus()

    def _read_counties(self) -> None:
        counties = directory.directory_counties(self.services)
        self.query_one("#county", Select).set_options((c, c) for c in counties)

    def _read_origin(self) -> None:
        try:
            self.origin = self.read_safely(
                lambda: origin_for_episode(self.services, self.episode_id), self.origin
            )
        except ServiceError as error:
            self.origin = DistanceOrigin(None, f"No distances: {error}")
        style = "yellow" if self.origin.approximate or self.origin.position is None else "green"
        self.query_one("#origin", Static).update(Text(self.origin.description, style=style))

    # Searching ---------------------------------------------------------------------------

    def current_query(self) -> DirectoryQuery:
        """What the search box and the filters say now."""
        category = self.query_one("#category", Select).value
        county = self.query_one("#county", Select).value
        return DirectoryQuery(
            text=self.query_one("#search", Input).value,
            category=category if isinstance(category, str) else None,
            county=county if isinstance(county, str) else None,
            twenty_four_seven=self.query_one("#always", Checkbox).value,
            open_now=self.query_one("#open-now", Checkbox).value,
            by_distance=self.query_one("#nearest", Checkbox).value,
        )

    def refresh_data(self) -> None:
        """Re-run the search: a sync or an import may have changed the directory."""
        self._read_origin()
        self.national = directory.national_lines(self.services, self.origin)
        self._search()

    def _search(self) -> None:
        """One page of results for what is typed and chosen (runs on every key)."""
        page = directory.search_directory(
            self.services, self.current_query(), self.origin, offset=self._offset
        )
        if not page.entries and self._offset > 0:
            self._offset = 0  # the results shrank under us: back to the first page
            page = directory.search_directory(self.services, self.current_query(), self.origin)
        self.page = page
        self._fill(page)

    def _restart(self) -> None:
        self._offset = 0
        self.read_safely(self._search, None)

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _criteria_changed(self) -> None:
        if self.is_mounted and self.page is not None:
            self._restart()

    def _fill(self, page: DirectoryPage) -> None:
        table = self.query_one("#directory", DataTable)
        selected = self._selected_key()
        table.clear()
        self._entries = {}
        for entry in [*self.national, *page.entries]:
            key = ("national:" if entry.pinned else "") + entry.record.id
            self._entries[key] = entry
            table.add_row(*row_cells(entry), key=key)
        if selected in self._entries:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        self.query_one("#page", Static).update(self._page_text(page))
        self._show_detail()
        self.refresh_bindings()

    @staticmethod
    def _page_text(page: DirectoryPage) -> Text:
        if not page.entries:
            return Text(
                "No local resources match. The national lines (★) are always available.",
                style="bold yellow",
            )
        total = f"{page.total:,}+" if page.total_capped else f"{page.total:,}"
        text = Text(f"Local results {page.offset + 1}–{page.offset + len(page.entries)} of {total}")
        if page.has_more:
            text.append(" · ] next page")
        if page.offset:
            text.append(" · [ previous page")
        return text

    # The selected entry ------------------------------------------------------------------

    def _selected_key(self) -> str | None:
        table = self.query_one("#directory", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key is not None else None

    def selected_entry(self) -> DirectoryEntry | None:
        """The entry under the cursor."""
        key = self._selected_key()
        return self._entries.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        entry = self.selected_entry()
        detail = self.query_one("#detail", Static)
        detail.update(detail_text(entry) if entry else "")
        # room for the warning above the usual three lines
        detail.set_class(entry is not None and bool(entry.record.damaged), "-damaged")

    # Keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A referral needs an episode; paging needs somewhere to go."""
        if action == "to_results":
            return isinstance(self.focused, Input)
        if action == "refer":
            return self.episode_id is not None
        if action == "next_page":
            return True if self.page is not None and self.page.has_more else None
        if action == "previous_page":
            return True if self._offset > 0 else None
        return True

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.action_to_results()

    def action_to_results(self) -> None:
        """From the search box down to the results (↓ or Enter)."""
        self.query_one("#directory", DataTable).focus()

    def action_focus_search(self) -> None:
        """Back to the search box."""
        self.query_one("#search", Input).focus()

    def action_next_page(self) -> None:
        """The next page of local results."""
        if self.page is not None and self.page.has_more:
            self._offset += len(self.page.entries)
            self.read_safely(self._search, None)

    def action_previous_page(self) -> None:
        """The page before."""
        if self._offset > 0:
            self._offset = max(0, self._offset - directory.PAGE_SIZE)
            self.read_safely(self._search, None)

    def action_copy_phone(self) -> None:
        """Copy the selected entry's first number, and show it (a clipboard may not reach SSH)."""
        entry = self.selected_entry()
        if entry is None:
            self.notify("The selected entry has no phone number.", severity="warning")
            return
        # names come from feeds: never read as markup
        unreadable = "phones" in entry.record.damaged
        if not entry.record.phones and unreadable:
            self.notify(
                f"The stored phone numbers of {entry.record.name} could not be read. Find the"
                " number elsewhere before calling; an admin can re-sync the directory.",
                severity="warning",
                timeout=12,
                markup=False,
            )
            return
        if not entry.record.phones:
            self.notify("The selected entry has no phone number.", severity="warning")
            return
        number, kind = entry.record.phones[0]
        self.app.copy_to_clipboard(number)
        others = [f"{p} ({k})" for p, k in entry.record.phones[1:]]
        more = f"\nAlso: {', '.join(others)}" if others else ""
        if unreadable:
            more += "\nSome of its stored numbers could not be read."
        self.notify(
            f"{number}{f' ({kind})' if kind else ''} — {entry.record.name}{more}",
            title="Copied phone number",
            timeout=12,
            markup=False,
        )

    def action_refer(self) -> None:
        """Record a referral to the selected entry on the episode's timeline."""
        entry, episode_id = self.selected_entry(), self.episode_id
        if entry is None or episode_id is None:
            return

        def confirmed(note: str | None) -> None:
            if note is None:
                return
            self.run_service(
                lambda: directory.record_referral(self.services, episode_id, entry.record.id, note),
                on_success=lambda _event: self.notify(
                    f"Referral to {entry.record.name} recorded on episode #{episode_id}."
                ),
                reason="referral",
            )

        self.app.push_screen(ReferralConfirmScreen(entry, episode_id), confirmed)

    def action_back(self) -> None:
        """Back to the screen this one was opened from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
