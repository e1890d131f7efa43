"""The pack's rota: seven days of shifts with the phone of whoever works each."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.downtime_pack import DowntimePack
from oncall.domain.types import ShiftRole
from oncall.ui.downtime.base import DowntimeScreen

ROLE_STYLES = {ShiftRole.PRIMARY: "bold", ShiftRole.BACKUP: "", ShiftRole.SUPERVISOR: "italic"}


def rota_text(pack: DowntimePack) -> Text:
    """Shifts by day, each with its role, who, when and their phone."""
    zone = ZoneInfo(pack.timezone)
    text = Text()
    if not pack.rota:
        return Text("Nobody is on the rota in the pack's seven days.", style="bold red")
    day = None
    for shift in sorted(pack.rota, key=lambda s: (s.starts_at, s.role.value)):
        start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
        if start.date() != day:
            day = start.date()
            text.append(f"{'' if not text else chr(10)}{start:%A %d %B}\n", style="bold underline")
        text.append(f"  {start:%H:%M}–{end:%H:%M}  ")
        text.append(f"{shift.role.value:<10}", style=ROLE_STYLES[shift.role])
        text.append(f" {shift.name:<24}")
        text.append(shift.phone or "no phone on file", style="" if shift.phone else "bold red")
        text.append("\n")
    return text


class PackRotaScreen(DowntimeScreen):
    """Who is primary, backup and supervisor, and how to reach them."""

    DEFAULT_CSS = "PackRotaScreen VerticalScroll { height: 1fr; padding: 0 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def body(self) -> ComposeResult:
        """The rota."""
        with VerticalScroll():
            yield Static(rota_text(self.downtime.pack), id="rota")
