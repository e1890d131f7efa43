"""A yes / no question before something that cannot be undone: discard typing, quit, record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from oncall.ui.widgets.action_footer import ActionFooter


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; `y` (or its button) answers True, `n` or Esc answers False.

    "No" is focused first: Enter pressed out of habit must not discard or record anything.
    """

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; background: $background 70%; }
    ConfirmScreen #confirm {
        width: 72; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen #confirm-question { text-style: bold; }
    ConfirmScreen #confirm-detail { color: $text-muted; margin-top: 1; }
    ConfirmScreen #confirm-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen #confirm-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, detail: str = "", yes: str = "Yes", no: str = "No"):
        super().__init__()
        self.question = question
        """What is asked, as a sentence ending in a question mark."""
        self.detail = detail
        """What follows from each answer, in a line or two."""
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        """The question, what it means, and the two answers."""
        with Vertical(id="confirm"):
            yield Static(Text(self.question), id="confirm-question")
            if self.detail:
                yield Static(Text(self.detail), id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="confirm-yes", variant="warning")
                yield Button(f"{self.no_label} (n)", id="confirm-no", variant="primary")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Start on "No"."""
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)


def confirm_discard(screen: Screen[Any], what: str, discard: Callable[[], object]) -> None:
    """Ask before throwing away what was typed in `what`; call `discard` on yes."""

    def answered(yes: bool | None) -> None:
        if yes:
            discard()

    screen.app.push_screen(
        ConfirmScreen(
            f"Discard what you typed in “{what}”?",
            detail="Nothing of it has been saved. n or Esc goes back to it.",
            yes="Discard",
            no="Keep editing",
        ),
        answered,
    )
