"""Choosing a named colleague (active staff, on call first) for a supervisor's board action."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oncall.services.reassignment import Colleague
from oncall.ui.format import words
from oncall.ui.widgets.action_footer import ActionFooter


def colleague_line(colleague: Colleague) -> Text:
    """Name, role, and the rota roles they hold now."""
    line = Text(colleague.name, style="bold")
    line.append(f"  {words(colleague.role.value)}", style="dim")
    if colleague.on_call:
        roles = ", ".join(role.value for role in colleague.on_call)
        line.append(f"  on call: {roles}", style="green")
    return line


class ColleagueList(OptionList):
    """The colleagues; Enter (shown in the footer) chooses the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Choose", tooltip="Choose the highlighted colleague"),
    ]


class ColleagueChooser(ModalScreen[int | None]):
    """A list of colleagues; Enter answers with the chosen one's staff id, Esc with None."""

    DEFAULT_CSS = """
    ColleagueChooser { align: center middle; background: $background 60%; }
    ColleagueChooser #chooser {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ColleagueChooser #chooser-title { text-style: bold; }
    ColleagueChooser #chooser-detail { color: $text-muted; }
    ColleagueChooser OptionList { height: auto; max-height: 14; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything"),
    ]

    def __init__(self, title: str, detail: str, colleagues: list[Colleague]) -> None:
        super().__init__()
        self.title_text = title
        """What the choice is for, as a question."""
        self.detail = detail
        """What happens once a colleague is chosen."""
        self.colleagues = colleagues
        """Who may be chosen, in the order shown."""

    def compose(self) -> ComposeResult:
        """The question, what follows, and the colleagues."""
        with Vertical(id="chooser"):
            yield Static(Text(self.title_text), id="chooser-title")
            yield Static(Text(self.detail), id="chooser-detail")
            yield ColleagueList(
                *[Option(colleague_line(c), id=str(c.staff_id)) for c in self.colleagues],
                id="colleagues",
            )
        yield ActionFooter()

    def on_mount(self) -> None:
        """Start on the first colleague (the first on call)."""
        options = self.query_one(OptionList)
        options.focus()
        if self.colleagues:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
