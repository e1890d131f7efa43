"""The episode timeline: newest first, amendments linked both ways, one page at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oncall.domain.models import TimelineEvent
from oncall.logs import PHONE
from oncall.ui.widgets.timeline_text import event_line


@dataclass(frozen=True)
class _Shown:
    """What the timeline was last given, kept so a page change can redraw it."""

    events: Sequence[TimelineEvent]
    names: Mapping[int, str]
    zone: ZoneInfo
    now: datetime
    privacy: bool = False


class Timeline(Vertical, can_focus=False):
    """An episode's events, newest first, paged so a long episode never floods the widget."""

    PAGE_SIZE = 100
    """Events on one page; the option list measures every line it holds."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; border: round $primary; border-title-style: bold; }
    Timeline > #timeline-status { height: 1; color: $text-muted; }
    Timeline > OptionList { height: 1fr; padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "older", "Older events"),
        Binding("right_square_bracket", "newer", "Newer events"),
    ]

    class EventChosen(Message):
        """The clinician pressed enter on an event (the screen offers to amend it)."""

        def __init__(self, event: TimelineEvent) -> None:
            super().__init__()
            self.event = event

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Timeline"
        self._shown: _Shown | None = None
        self._page = 0
        self._by_id: dict[int, TimelineEvent] = {}

    def compose(self) -> ComposeResult:
        """A status line and the list of events."""
        yield Static(id="timeline-status")
        yield OptionList(id="timeline-events", compact=True)

    @property
    def page_count(self) -> int:
        """How many pages the timeline has (at least one)."""
        total = len(self._shown.events) if self._shown else 0
        return max(1, -(-total // self.PAGE_SIZE))

    @property
    def highlighted_event(self) -> TimelineEvent | None:
        """The event under the cursor, if any."""
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return self._by_id.get(int(option.id))

    def show(
        self,
        events: Sequence[TimelineEvent],
        names: Mapping[int, str],
        zone: ZoneInfo,
        now: datetime,
        *,
        privacy: bool = False,
    ) -> None:
        """Show `events` (oldest first, as stored), keeping the cursor on the same event.

        In privacy mode phone numbers in the events' text are masked.
        """
        self._shown = _Shown(events, names, zone, now, privacy)
        self._by_id = {event.id: event for event in events}
        self._page = min(self._page, self.page_count - 1)
        self._draw()
        self.refresh_bindings()

    def _draw(self) -> None:
        if self._shown is None:
            return
        shown = self._shown
        numbers = {event.id: n for n, event in enumerate(shown.events, 1)}
        amended_by: dict[int, list[int]] = {}
        for event in shown.events:
            if event.amends is not None:
                amended_by.setdefault(event.amends, []).append(numbers[event.id])
        newest_first = list(reversed(shown.events))
        start = self._page * self.PAGE_SIZE
        page = newest_first[start : start + self.PAGE_SIZE]
        options = self.query_one(OptionList)
        keep = self.highlighted_event
        options.set_options(
            Option(
                self._masked(
                    event_line(
                        event,
                        numbers[event.id],
                        self._actor(event, shown.names),
                        shown.zone,
                        shown.now,
                        amends_number=numbers.get(event.amends) if event.amends else None,
                        amended_by=amended_by.get(event.id),
                    ),
                    shown.privacy,
                ),
                id=str(event.id),
            )
            for event in page
        )
        if keep is not None and keep.id in {e.id for e in page}:
            options.highlighted = options.get_option_index(str(keep.id))
        elif page:
            options.highlighted = 0
        self._status(len(shown.events), start, len(page))

    @staticmethod
    def _masked(line: Text, privacy: bool) -> Text:
        """The line as it is, or with phone numbers masked in privacy mode."""
        if not privacy or not PHONE.search(line.plain):
            return line
        return Text(PHONE.sub("•••", line.plain))

    @staticmethod
    def _actor(event: TimelineEvent, names: Mapping[int, str]) -> str:
        if event.actor_id is None:
            return "system"
        return names.get(event.actor_id, f"staff {event.actor_id}")

    def _status(self, total: int, start: int, on_page: int) -> None:
        if total == 0:
            text = "No events yet."
        elif self.page_count == 1:
            text = f"{total} event{'s' if total != 1 else ''}, newest first."
        else:
            text = (
                f"Events {start + 1}–{start + on_page} of {total}, newest first"
                f" (page {self._page + 1} of {self.page_count}: [ older, ] newer)."
            )
        self.query_one("#timeline-status", Static).update(Text(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer the paging keys only when the timeline has more than one page."""
        if action == "older":
            return self._page + 1 < self.page_count
        if action == "newer":
            return self._page > 0
        return True

    def action_older(self) -> None:
        """Show the next page of older events."""
        if self._page + 1 < self.page_count:
            self._page += 1
            self._draw()
            self.refresh_bindings()

    def action_newer(self) -> None:
        """Show the previous page of newer events."""
        if self._page > 0:
            self._page -= 1
            self._draw()
            self.refresh_bindings()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        """Enter on an event: tell the screen which one."""
        message.stop()
        if message.option.id is not None:
            event = self._by_id.get(int(message.option.id))
            if event is not None:
                self.post_message(self.EventChosen(event))
