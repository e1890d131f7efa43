"""Confirming a referral from the directory before it goes on the episode's timeline."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from oncall.services.directory import DirectoryEntry
from oncall.ui.screens.confirm import confirm_discard
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.directory_rows import phone_summary


class ReferralConfirmScreen(ModalScreen[str | None]):
    """Asks for an optional note; Enter returns it (the referral is recorded), Esc cancels.

    The timeline is append-only, so a referral made by a stray key would need an
    amendment: one more key press is the cheaper guard.
    """

    DEFAULT_CSS = """
    ReferralConfirmScreen { align: center middle; background: $background 60%; }
    ReferralConfirmScreen #referral {
        width: 80; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ReferralConfirmScreen #referral-title { text-style: bold; }
    ReferralConfirmScreen Input { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, entry: DirectoryEntry, episode_id: int) -> None:
        super().__init__()
        self.entry = entry
        """The resource the client is referred to."""
        self.episode_id = episode_id
        """The episode whose timeline records it."""

    def compose(self) -> ComposeResult:
        """Who the referral is to, and a note field."""
        title = Text(f"Refer to {self.entry.record.name} ")
        title.append_text(phone_summary(self.entry))
        with Vertical(id="referral"):
            yield Static(title, id="referral-title")
            yield Static(
                Text(
                    f"Recorded on episode #{self.episode_id}'s timeline. "
                    "Enter records it, Esc cancels."
                )
            )
            yield Input(placeholder="Note (optional): what was agreed", max_length=500)
        yield ActionFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Record the referral with the note typed (possibly empty)."""
        event.stop()
        self.dismiss(event.value)

    def unsaved_work(self) -> str | None:
        """ "the referral note" when one was typed (and not yet recorded)."""
        return "the referral note" if self.query_one(Input).value.strip() else None

    def action_cancel(self) -> None:
        """Do not record anything (asked first when a note was typed)."""
        work = self.unsaved_work()
        if work is None:
            self.dismiss(None)
        else:
            confirm_discard(self, work, lambda: self.dismiss(None))
