"""A footer that wraps onto more lines, so a screen with many actions shows every key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.geometry import Size
    from textual.screen import Screen


@dataclass(frozen=True)
class _Key:
    """One key as the footer shows it."""

    key: str
    """What pressing it sends (`binding.key`)."""
    display: str
    """The key as the user reads it ("esc", "?", "F12")."""
    description: str
    enabled: bool
    """False: drawn dim, and a click does nothing."""
    meta: Style
    """The click action and the tooltip. Kept between drawings: hover highlighting finds
    a key's cell by this style's link id."""


GAP = 2
"""Blank columns between two keys."""
MAX_LINES = 4
"""Lines the footer may take; descriptions are shortened (with "…") to fit the keys in."""
MIN_ROOM = 10
"""Columns a key keeps however short its description is cut: the key and a word."""


def _width(key: _Key) -> int:
    return cell_len(key.display) + 1 + cell_len(key.description)


def _cut(text: str, room: int) -> str:
    """`text` in at most `room` columns, ending in "…" when shortened."""
    if cell_len(text) <= room:
        return text
    return set_cell_size(text, max(0, room - 1)).rstrip() + "…" if room > 0 else ""


def _pack(keys: tuple[_Key, ...], width: int, cap: int) -> list[list[tuple[_Key, int]]]:
    """Keys left to right, none wider than `cap`, a new line when the next would not fit."""
    lines: list[list[tuple[_Key, int]]] = []
    used = width  # forces a first line
    for key in keys:
        room = min(_width(key), cap, width)
        if used + GAP + room > width:
            lines.append([])
            used = -GAP
        lines[-1].append((key, room))
        used += GAP + room
    return lines


def flow(keys: tuple[_Key, ...], width: int) -> list[list[tuple[_Key, int]]]:
    """The keys in as few lines as fit, whole descriptions when MAX_LINES allows.

    The longest descriptions are shortened first, a column at a time, until the keys fit
    in MAX_LINES (or each is down to its key and a few letters).
    """
    if not keys or width <= 0:
        return []
    cap = max(_width(key) for key in keys)
    lines = _pack(keys, width, cap)
    while len(lines) > MAX_LINES and cap > MIN_ROOM:
        cap -= 1
        lines = _pack(keys, width, cap)
    return lines


class ActionFooter(Widget, can_focus=False):
    """The screen's own keys, left to right on as many lines as they need (at most four).

    The stock footer is one line that scrolls sideways: at 80 columns most of a
    busy screen's keys would be off the edge, unseen. App-wide keys (the board,
    feeds, privacy…) are left to the help screen (?), except help and lock, so
    the room goes to what this screen does.

    One widget draws every key (no widget per key, no recompose when bindings
    change): the stock footer's recompose after the first layout cost about 50 ms
    at start.
    """

    APP_ACTIONS: ClassVar[frozenset[str]] = frozenset({"help", "lock_console"})
    """App-wide actions still shown here."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"action-footer--key", "action-footer--description"}
    # The colours of Textual's compact footer; a hovered key is lit like its FooterKey.
    DEFAULT_CSS = """
    ActionFooter {
        dock: bottom;
        width: 1fr;
        height: auto;
        max-height: 4;
        color: $footer-foreground;
        background: $footer-background;
        link-background-hover: $block-hover-background;
        link-color-hover: $footer-key-foreground;
        link-style-hover: not underline;
        .action-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .action-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[_Key, ...] | None = None
        self._flow: tuple[int, tuple[_Key, ...], list[list[tuple[_Key, int]]]] | None = None

    @property
    def keys(self) -> tuple[_Key, ...]:
        """The keys shown, read from the screen's bindings the first time they are needed."""
        if self._keys is None:
            self._keys = self._read_keys()
        return self._keys

    def _read_keys(self) -> tuple[_Key, ...]:
        """One key per action of the screen (and its focused widgets), then help and lock."""
        keys: list[_Key] = []
        shown: set[str] = set()
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in shown:
                continue
            if node is self.app and binding.action not in self.APP_ACTIONS:
                continue
            shown.add(binding.action)
            hint = tooltip or binding.description
            meta: dict[str, Any] = {"tooltip": hint}
            if enabled:
                meta["@click"] = f"press({binding.key!r})"
            display = self.app.get_key_display(binding)
            keys.append(_Key(binding.key, display, binding.description, enabled, Style(meta=meta)))
        return tuple(keys)

    def _lines(self, width: int) -> list[list[tuple[_Key, int]]]:
        """The keys flowed into lines, each with the columns it gets (cached per width)."""
        if self._flow is None or self._flow[0] != width or self._flow[1] is not self.keys:
            self._flow = (width, self.keys, flow(self.keys, width))
        return self._flow[2]

    def _line_count(self, width: int) -> int:
        return max(1, len(self._lines(width)))

    def on_mount(self) -> None:
        """Follow the screen's bindings, as Textual's footer does."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop following the screen's bindings."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = self._read_keys()
        if keys == self._keys:
            return
        width = self.size.width
        lines_before = self._line_count(width)
        self._keys = keys
        self.refresh(layout=self._line_count(width) != lines_before)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the keys need at this width (CSS caps it at 4)."""
        return self._line_count(width)

    def render_line(self, y: int) -> Strip:
        """Line `y`: its keys left to right, GAP columns apart; the rest blank."""
        width = self.size.width
        lines = self._lines(width)
        base = self.rich_style
        if y >= len(lines):
            return Strip.blank(width, base)
        key_style = base + self.get_component_rich_style("action-footer--key")
        description_style = base + self.get_component_rich_style("action-footer--description")
        dim = Style(dim=True)
        segments: list[Segment] = []
        for key, room in lines[y]:
            if segments:
                segments.append(Segment(" " * GAP, base))
            first = key_style if key.enabled else key_style + dim
            rest = description_style if key.enabled else description_style + dim
            display = set_cell_size(key.display, min(room, cell_len(key.display)))
            label = _cut(f" {key.description}", room - cell_len(display))
            segments.append(Segment(display, first + key.meta))
            segments.append(Segment(label, rest + key.meta))
            fill = room - cell_len(display) - cell_len(label)
            if fill > 0:  # a cut that ended at a space
                segments.append(Segment(" " * fill, base + key.meta))
        return Strip(segments).adjust_cell_length(width, base)

    def action_press(self, key: str) -> None:
        """Do what pressing the clicked key does."""
        self.app.simulate_key(key)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Show the tooltip of the key under the pointer."""
        hint = event.style.meta.get("tooltip")
        if self.tooltip != hint:
            self.tooltip = hint
