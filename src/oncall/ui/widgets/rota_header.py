"""Who is on call now: a line for the status line, and a widget for the due-now screen."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from oncall.domain.types import ShiftRole
from oncall.services.rota import OnCallNow

_SHORT = {ShiftRole.PRIMARY: "primary", ShiftRole.BACKUP: "backup", ShiftRole.SUPERVISOR: "sup"}


def on_call_text(now: OnCallNow | None, *, due: int = 0) -> Text:
    """The status line's part: due count, then "on call: A · backup B · sup C", gaps in red."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if due:
        line.append(f" {due} due ", style="bold black on yellow")
        line.append("  ")
    if now is None:
        line.append("on call: not read yet", style="dim")
        return line
    line.append("on call: ", style="dim")
    for number, role in enumerate(ShiftRole):
        if number:
            line.append(" · ", style="dim")
        names = ", ".join(entry.name for entry in now.for_role(role))
        if role is not ShiftRole.PRIMARY:
            line.append(f"{_SHORT[role]} ", style="dim")
        # Staff names only: the rota holds no client data, so privacy mode leaves it be.
        line.append(names or f"no {_SHORT[role]}", style="" if names else "bold red")
    return line


class RotaHeader(Static):
    """Each rota role, who holds it now, their phone and until when."""

    DEFAULT_CSS = """
    RotaHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, now: OnCallNow, zone: ZoneInfo) -> None:
        """Redraw for `now`."""
        text = Text()
        for number, role in enumerate(ShiftRole):
            if number:
                text.append("\n")
            text.append(f"{role.value:<11}", style="bold")
            entries = now.for_role(role)
            if not entries:
                text.append("nobody on the rota", style="bold red")
            for index, entry in enumerate(entries):
                if index:
                    text.append("; ")
                until = entry.ends_at.astimezone(zone).strftime("%a %H:%M %Z")
                text.append(entry.name)
                if entry.phone:
                    text.append(f"  {entry.phone}", style="dim")
                text.append(f"  until {until}", style="dim")
        self.update(text)
