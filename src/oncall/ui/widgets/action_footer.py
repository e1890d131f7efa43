"""A footer that wraps onto more lines, so a screen with many actions shows every key."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer


class ActionFooter(Footer):
    """Textual's footer laid out as a grid of equal cells, as many rows as the keys need.

    The stock footer is one line that scrolls sideways: at 80 columns most of a
    busy screen's keys would be off the edge, unseen.
    """

    CELL_WIDTH = 14
    """Columns per key: room for the key and a one- or two-word label."""

    DEFAULT_CSS = """
    ActionFooter {
        layout: grid;
        height: auto;
        max-height: 4;
        grid-rows: 1;
        grid-gutter: 0 0;
    }
    ActionFooter FooterKey { width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)

    def compose(self) -> ComposeResult:
        """The stock footer's keys, in a grid as wide as the screen allows."""
        yield from super().compose()
        self._set_columns(self.size.width or self.app.size.width)

    def _set_columns(self, width: int) -> None:
        self.styles.grid_size_columns = max(1, width // self.CELL_WIDTH)

    def on_resize(self, event: events.Resize) -> None:
        """Re-flow the keys for the new width."""
        self._set_columns(event.size.width)
