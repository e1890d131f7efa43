"""One line asked for before an action: a reason to cancel, a colleague to re-address to."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from oncall.ui.widgets.action_footer import ActionFooter


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line; Enter answers it (trimmed, never empty), Esc answers None."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; background: $background 70%; }
    TextPrompt #prompt {
        width: 72; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    TextPrompt #prompt-question { text-style: bold; }
    TextPrompt #prompt-detail { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, question: str, *, detail: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        """What is asked, as a sentence."""
        self.detail = detail
        """What the answer is used for."""
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """The question, what it is for, and the line to type in."""
        with Vertical(id="prompt"):
            yield Static(Text(self.question), id="prompt-question")
            if self.detail:
                yield Static(Text(self.detail), id="prompt-detail")
            yield Input(placeholder=self.placeholder, id="prompt-input", max_length=500)
        yield ActionFooter()

    def on_mount(self) -> None:
        """Start typing at once."""
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        answer = " ".join(event.value.split())
        if not answer:
            self.notify("Type an answer, or press Esc to leave it.", severity="warning")
            return
        self.dismiss(answer)

    def action_dismiss_none(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
