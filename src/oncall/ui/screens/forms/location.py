"""Asking where the client is right now, at the start of every contact (W2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, Label, Static

from oncall.domain.models import Episode, Location
from oncall.services import episodes
from oncall.services.context import ServiceContext
from oncall.services.errors import ValidationFailed
from oncall.ui.screens.forms.base import ServiceForm

_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def parse_coordinates(raw: str) -> tuple[float, float] | None:
    """ "33.75, -117.87" as (lat, lon); None when blank; ValueError naming what is wrong."""
    if not raw.strip():
        return None
    parts = [p.strip() for p in raw.replace(";", ",").split(",")]
    if len(parts) != 2:
        raise ValueError("Coordinates are two numbers, latitude then longitude: 33.75, -117.87.")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError("Coordinates must be numbers: 33.75, -117.87.") from None
    if not -90 <= lat <= 90:
        raise ValueError("Latitude must be between -90 and 90.")
    if not -180 <= lon <= 180:
        raise ValueError("Longitude must be between -180 and 180.")
    return lat, lon


class LocationForm(ServiceForm[Episode]):
    """Confirm the client's current location; "Not yet" leaves it unconfirmed, on purpose."""

    FORM_TITLE = "Where is the client right now?"
    SAVE_LABEL = "Confirm location"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "same_as_last", "Same as last known"),
        Binding("ctrl+n", "not_yet", "Not yet"),
    ]

    def __init__(self, services: ServiceContext, episode_id: int, last_known: Location | None):
        super().__init__(services, episode_id)
        self.last_known = last_known
        """Where the alert or an earlier contact placed the client; shown, never assumed."""

    def compose_fields(self) -> ComposeResult:
        """Place, zip, coordinates, and what was known before."""
        if self.last_known is not None:
            known = self.last_known.text + (
                f" ({self.last_known.zip})" if self.last_known.zip else ""
            )
            yield Static(Text(f"Last known, not confirmed: {known}"), classes="hint")
        else:
            yield Static(Text("No earlier location on record."), classes="hint")
        yield Label("Where the client says they are (address or place)", classes="field-label")
        yield Input(id="where", placeholder="e.g. home; sister's apartment on Main St")
        yield Label("Zip code (optional)", classes="field-label")
        yield Input(id="zip", placeholder="92701", max_length=10)
        yield Label("Coordinates (optional): latitude, longitude", classes="field-label")
        yield Input(id="coordinates", placeholder="33.75, -117.87")
        yield Button("Not yet: ask later (ctrl+n)", id="not-yet", variant="warning", compact=True)

    def on_mount(self) -> None:
        """Start in the place field."""
        super().on_mount()
        self.query_one("#where").focus()

    def problems(self) -> list[str]:
        """The place is required; a zip and coordinates must be well formed when given."""
        found = []
        if not self.query_one("#where", Input).value.strip():
            found.append("Ask the client where they are and type it (or choose Not yet).")
        zip_code = self.query_one("#zip", Input).value.strip()
        if zip_code and not _ZIP.match(zip_code):
            found.append("The zip code must be 5 digits (or 5+4: 92701-1234).")
        try:
            parse_coordinates(self.query_one("#coordinates", Input).value)
        except ValueError as error:
            found.append(str(error))
        return found

    def saver(self) -> Callable[[], Episode]:
        """Confirm the location through the episode service."""
        try:
            coords = parse_coordinates(self.query_one("#coordinates", Input).value)
        except ValueError as error:
            raise ValidationFailed(str(error)) from None
        location = Location(
            text=self.query_one("#where", Input).value,
            zip=self.query_one("#zip", Input).value.strip() or None,
            lat=coords[0] if coords else None,
            lon=coords[1] if coords else None,
        )
        return lambda: episodes.confirm_location(self.services, self.episode_id, location)

    def action_same_as_last(self) -> None:
        """Fill the fields from the last known location, once the client has said it still holds."""
        known = self.last_known
        if known is None:
            self.notify("There is no earlier location to copy.", severity="warning")
            return
        self.query_one("#where", Input).value = known.text
        self.query_one("#zip", Input).value = known.zip or ""
        coords = (
            f"{known.lat}, {known.lon}" if known.lat is not None and known.lon is not None else ""
        )
        self.query_one("#coordinates", Input).value = coords

    @on(Button.Pressed, "#not-yet")
    def action_not_yet(self) -> None:
        """Leave the location unconfirmed; the header says so until it is confirmed."""
        self.dismiss(None)
