"""A footer that wraps onto more lines, so a screen with many actions shows every key."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class ActionFooter(Footer):
    """The screen's own keys in a grid of equal cells, as many rows as they need.

    The stock footer is one line that scrolls sideways: at 80 columns most of a
    busy screen's keys would be off the edge, unseen. App-wide keys (the board,
    feeds, privacy…) are left to the help screen (?), except help and lock, so
    the room goes to what this screen does.
    """

    CELL_WIDTH = 12
    """Columns per key: room for the key and a one- or two-word label."""
    APP_ACTIONS: ClassVar[frozenset[str]] = frozenset({"help", "lock_console"})
    """App-wide actions still shown here."""

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
        """One key per action of the screen (and its focused widgets), then help and lock."""
        if not self._bindings_ready:
            return
        shown: set[str] = set()
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in shown:
                continue
            if node is self.app and binding.action not in self.APP_ACTIONS:
                continue
            shown.add(binding.action)
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            ).data_bind(compact=Footer.compact)
        self._set_columns(self.size.width or self.app.size.width)

    def _set_columns(self, width: int) -> None:
        self.styles.grid_size_columns = max(1, width // self.CELL_WIDTH)

    def on_resize(self, event: events.Resize) -> None:
        """Re-flow the keys for the new width."""
        self._set_columns(event.size.width)
