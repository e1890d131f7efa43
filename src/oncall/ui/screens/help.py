"""The keys of the current screen, listed (`?` or F1)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

# Keys every screen has through Textual itself; listed so nothing is hidden.
ALWAYS: list[tuple[str, str]] = [
    ("tab / shift+tab", "Move between parts of the screen"),
    ("ctrl+p", "Find a client, episode or resource by name; commands"),
    ("ctrl+q", "Quit the console"),
]


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """Every key active on `screen` (its widgets, the screen, the app), with what it does."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    # The screen's own actions first, then the console's, then moving about in a widget.
    order = {screen: 0, screen.app: 1}
    ranked = sorted(screen.active_bindings.items(), key=lambda item: order.get(item[1].node, 2))
    for key, active in ranked:
        binding = active.binding
        text = binding.tooltip or binding.description  # the tooltip is the longer wording
        if not text or text in seen:
            continue
        seen.add(text)
        rows.append((screen.app.get_key_display(binding) or key, text))
    rows.extend((key, text) for key, text in ALWAYS if text not in seen)
    return rows


class HelpScreen(ModalScreen[None]):
    """A list of the keys of the screen beneath; any of escape, q, ? or F1 closes it.

    The list scrolls (arrows, PgUp/PgDn, Home/End, the wheel): on an 80x24 terminal the
    episode screen has more keys than rows.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", key_display="esc"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 72; max-width: 95%; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-keys { height: 1fr; }
    HelpScreen #help-title { text-style: bold; padding-bottom: 1; }
    """

    def __init__(self, beneath: Screen[Any]) -> None:
        super().__init__()
        self.keys = screen_keys(beneath)
        """Each key listed, with what it does."""
        self._title = getattr(beneath, "HELP_TITLE", None) or type(beneath).__name__

    def compose(self) -> ComposeResult:
        """The title, the keys (scrolling when they do not fit), how to close."""
        with Vertical() as box:
            # As tall as the list needs (title, rows, closing line, border), at most 90%.
            box.styles.height = len(self.keys) + 5
            yield Label(f"Keys: {self._title}", id="help-title")
            with VerticalScroll(id="help-keys"):
                yield Static(self._table(), id="help-rows")
            yield Label("↑ ↓ PgUp PgDn scroll · escape closes this list", classes="dim")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(width=18, no_wrap=True)
        table.add_column(width=46)
        for key, text in self.keys:
            table.add_row(Text(key, style="bold"), Text(text))
        return table

    def on_mount(self) -> None:
        """Scroll keys go to the list."""
        self.query_one("#help-keys", VerticalScroll).focus()

    def action_dismiss_help(self) -> None:
        """Close the list."""
        self.dismiss(None)
