"""Covering a shift from a time: when the colleague takes over (the rest stays as it is)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from oncall.services.context import ServiceContext
from oncall.services.drafts import UnsavedForm
from oncall.services.rota import RotaEntry
from oncall.services.rota_changes import RotaChange, cover_shift
from oncall.ui.screens.forms.base import ServiceForm

TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time(text: str, zone_time: datetime) -> datetime | None:
    """`YYYY-MM-DD HH:MM` (or ISO 8601) in the clinic's zone, as `zone_time` carries it."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone_time.tzinfo)


class ShiftCoverForm(ServiceForm[RotaChange]):
    """From when the chosen colleague covers the shift: its start (all of it) or later."""

    FORM_TITLE = "Cover a shift"
    SAVE_LABEL = "Cover"

    def __init__(
        self, services: ServiceContext, entry: RotaEntry, colleague_id: int, colleague: str
    ) -> None:
        # No episode: 0 keys nothing, and unsaved_fields keeps no draft.
        super().__init__(services, 0)
        self.entry = entry
        """The shift covered."""
        self.colleague_id = colleague_id
        """Who covers it."""
        self.colleague = colleague
        """Their name, for the form's words."""

    def form_title(self) -> str:
        """Whose shift, and who covers it."""
        return f"{self.colleague} covers {self.entry.name}'s {self.entry.role.value} shift"

    def _zone_start(self) -> datetime:
        zone = self.services.settings.zone
        start = max(self.entry.starts_at, self.services.clock.now())
        return start.astimezone(zone).replace(second=0, microsecond=0)

    def compose_fields(self) -> ComposeResult:
        """The shift's span, and the time the cover starts."""
        zone = self.services.settings.zone
        span = (
            f"The shift runs {self.entry.starts_at.astimezone(zone):%a %d %b %H:%M} to"
            f" {self.entry.ends_at.astimezone(zone):%a %d %b %H:%M %Z}. Leave the time as it"
            " is to cover the rest of it, or give a later time to split it there."
        )
        yield Static(Text(span), classes="hint")
        yield Label(f"Cover from ({zone.key}, YYYY-MM-DD HH:MM)", classes="field-label")
        yield Input(self._zone_start().strftime(TIME_FORMAT), id="cover-from")

    def on_mount(self) -> None:
        """Start at the time."""
        super().on_mount()
        self.query_one("#cover-from", Input).focus()

    def _from(self) -> datetime | None:
        return local_time(self.query_one("#cover-from", Input).value, self._zone_start())

    def problems(self) -> list[str]:
        """A time, inside the shift."""
        moment = self._from()
        if moment is None:
            return ["The time should read YYYY-MM-DD HH:MM."]
        if moment >= self.entry.ends_at:
            return ["The time is after the shift ends."]
        if moment < self._zone_start():
            return [
                f"The cover cannot start before {self._zone_start():%H:%M}: the hours already"
                " worked stay with whoever worked them."
            ]
        return []

    def saver(self) -> Callable[[], RotaChange]:
        """Cover from the time given: the whole shift when it is the shift's start."""
        moment = self._from()
        ctx, shift_id, colleague_id = self.services, self.entry.shift_id, self.colleague_id
        # A shift under way covered from the minute shown (now) starts as it saves.
        start = None if moment is not None and moment <= ctx.clock.now() else moment
        return lambda: cover_shift(ctx, shift_id, colleague_id, start)

    def unsaved_fields(self) -> UnsavedForm | None:
        """None: a rota change is quick to make again; drafts belong to episodes."""
        return None
