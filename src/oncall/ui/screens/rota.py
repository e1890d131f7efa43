"""The rota for the next two weeks, where a supervisor covers or swaps a shift."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label, Static

from oncall.services.reassignment import Colleague, colleagues
from oncall.services.rota import Rota, RotaEntry, rota_between
from oncall.services.rota_changes import SUPERVISING, RotaChange, swap_shifts
from oncall.ui.base import OnCallScreen
from oncall.ui.screens.colleague_chooser import ColleagueChooser
from oncall.ui.screens.forms.shift_cover import ShiftCoverForm
from oncall.ui.widgets.action_footer import ActionFooter

DAYS = 14
"""How far ahead the screen shows the rota (a fortnight is what a swap usually spans)."""
GAP_LINES = 5
"""Gaps listed under the table; the rest are counted (the shifts keep the room)."""


class RotaScreen(OnCallScreen[None]):
    """Shifts not yet ended, soonest first; c covers the selected one, s swaps two."""

    HELP_TITLE = "rota"
    DEFAULT_CSS = """
    RotaScreen DataTable { height: 1fr; }
    RotaScreen #rota-title, RotaScreen #rota-gaps { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cover", "Cover", tooltip="A colleague covers this shift, or its rest"),
        Binding("s", "swap", "Swap", tooltip="Mark this shift, then swap it with another"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[RotaEntry] = []
        self.marked: RotaEntry | None = None
        """The first shift of a swap, waiting for the second."""

    def compose(self) -> ComposeResult:
        """Title, the shifts, and the gaps in cover."""
        yield Label("", id="rota-title")
        table: DataTable[Text] = DataTable(id="rota", cursor_type="row", zebra_stripes=True)
        # Fits 80 columns: a day and a time ("Sun 22 08:00") say enough within two weeks.
        for label, width in [
            ("Shift", 5),
            ("Role", 10),
            ("Who", 16),
            ("From", 12),
            ("To", 12),
            ("", 9),
        ]:
            table.add_column(label, width=width)
        yield table
        yield Static("", id="rota-gaps")
        yield ActionFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Covering and swapping are for supervisors and admins; others read the rota."""
        if action in ("cover", "swap") and self.services.actor.role not in SUPERVISING:
            return False
        return super().check_action(action, parameters)

    def refresh_data(self) -> None:
        """Re-read the shifts from now on."""
        now = self.services.clock.now()
        rota = self.read_safely(
            lambda: rota_between(self.services, now, now + timedelta(days=DAYS)), None
        )
        if rota is not None:
            self._show(rota)

    def _show(self, rota: Rota) -> None:
        zone = self.services.settings.zone
        now = self.services.clock.now()
        table = self.query_one("#rota", DataTable)
        keep = table.cursor_row
        self._entries = [e for e in rota.entries if e.ends_at > now]
        ids = {e.shift_id for e in self._entries}
        if self.marked is not None and self.marked.shift_id not in ids:
            self.marked = None
        table.clear()
        for entry in self._entries:
            state = "under way" if entry.starts_at <= now else ""
            if self.marked is not None and entry.shift_id == self.marked.shift_id:
                state = "to swap"
            table.add_row(
                Text(str(entry.shift_id)),
                Text(entry.role.value),
                Text(entry.name, style="bold"),
                Text(f"{entry.starts_at.astimezone(zone):%a %d %H:%M}"),
                Text(f"{entry.ends_at.astimezone(zone):%a %d %H:%M}"),
                Text(state, style="bold yellow" if state == "to swap" else "green"),
            )
        if self._entries:
            table.move_cursor(row=min(keep, len(self._entries) - 1), scroll=False)
        self.query_one("#rota-title", Label).update(
            Text(f"Rota, the next {DAYS} days ({zone.key}): {len(self._entries)} shifts", "bold")
        )
        gaps = Text()
        for gap in rota.gaps[:GAP_LINES]:
            gaps.append(
                f"no {gap.role.value}: {gap.starts_at.astimezone(zone):%a %d %b %H:%M} –"
                f" {gap.ends_at.astimezone(zone):%a %d %b %H:%M}\n",
                style="bold red",
            )
        if len(rota.gaps) > GAP_LINES:
            gaps.append(f"and {len(rota.gaps) - GAP_LINES} more gaps in cover\n", style="bold red")
        self.query_one("#rota-gaps", Static).update(gaps or Text("No gaps in cover.", "dim"))

    def _selected(self) -> RotaEntry | None:
        row = self.query_one("#rota", DataTable).cursor_row
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def action_cover(self) -> None:
        """Choose who covers the selected shift, then from when."""
        entry = self._selected()
        if entry is None:
            return
        found: list[Colleague] = self.read_safely(lambda: colleagues(self.services), [])
        choices = [c for c in found if c.staff_id != entry.staff_id]
        names = {c.staff_id: c.name for c in choices}

        def chosen(staff_id: int | None) -> None:
            if staff_id is not None:
                form = ShiftCoverForm(self.services, entry, staff_id, names[staff_id])
                self.app.push_screen(form, self._changed)

        self.app.push_screen(
            ColleagueChooser(
                f"Who covers {entry.name}'s {entry.role.value} shift {entry.shift_id}?",
                "Next: from when (the whole shift, or its rest from a time). Their console"
                " announces it.",
                choices,
            ),
            chosen,
        )

    def action_swap(self) -> None:
        """The first press marks a shift; the second, on another, swaps the two."""
        entry = self._selected()
        if entry is None:
            return
        marked = self.marked
        if marked is None or marked.shift_id == entry.shift_id:
            self.marked = None if marked is not None else entry
            if self.marked is not None:
                self.notify(
                    f"Shift {entry.shift_id} ({entry.name}) marked: move to the shift to trade"
                    " it for and press s again (s on it again unmarks it)."
                )
            self.refresh_data()
            return
        self.marked = None
        services = self.services
        self.run_service(
            lambda: swap_shifts(services, marked.shift_id, entry.shift_id),
            on_success=self._changed,
            reason="rota swapped",
        )

    def _changed(self, change: RotaChange | None) -> None:
        if change is not None:
            self.notify(change.message, title="Rota changed", markup=False)
