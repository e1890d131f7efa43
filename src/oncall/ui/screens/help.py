"""The keys of the current screen, listed (`?` or F1)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

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
    """A list of the keys of the screen beneath; any of escape, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", key_display="esc"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    HelpScreen DataTable { height: auto; max-height: 30; }
    HelpScreen #help-title { text-style: bold; padding-bottom: 1; }
    """

    def __init__(self, beneath: Screen[Any]) -> None:
        super().__init__()
        self._keys = screen_keys(beneath)
        self._title = getattr(beneath, "HELP_TITLE", None) or type(beneath).__name__

    def compose(self) -> ComposeResult:
        """The title and a two-column table of keys."""
        with Vertical():
            yield Label(f"Keys: {self._title}", id="help-title")
            table: DataTable[Text] = DataTable(cursor_type="row", show_cursor=False)
            table.add_column("Key", width=18)
            table.add_column("What it does", width=46)
            table.add_rows((Text(key, style="bold"), Text(text)) for key, text in self._keys)
            yield table
            yield Label("escape closes this list", classes="dim")

    def action_dismiss_help(self) -> None:
        """Close the list."""
        self.dismiss(None)
