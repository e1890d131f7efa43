"""The downtime journal's form: a note, a contact attempt or a disposition, for one client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from oncall.domain.downtime_journal import JournalEntry, JournalKind
from oncall.domain.downtime_pack import PackClient
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services.downtime_journal import make_entry
from oncall.services.errors import ValidationFailed


def _words(value: str) -> str:
    return value.replace("_", " ")


class JournalForm(ModalScreen[JournalEntry | None]):
    """One journal entry, checked before it is returned; escape leaves without one."""

    DEFAULT_CSS = """
    JournalForm { align: center middle; }
    JournalForm > Vertical {
        width: 80; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    JournalForm #journal-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: the key then waits in the focused field's queue behind the
        # keys typed before it (docs PITFALLS: keys arriving in bursts over SSH).
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, kind: JournalKind, packed: PackClient, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.kind, self.packed, self.now = kind, packed, now
        """`now` gives the entry its time when it is saved."""

    def compose(self) -> ComposeResult:
        """The fields this kind of entry needs."""
        with Vertical():
            title = f"Downtime journal — {self.kind.label} — {self.packed.client.name}"
            yield Label(Text(title, style="bold"))
            if self.kind is JournalKind.CONTACT_ATTEMPT:
                yield Label("Who was contacted")
                yield Input(self.packed.client.name, id="who")
                yield Select(
                    [(_words(c.value), c) for c in ContactChannel], prompt="How", id="channel"
                )
                yield Select(
                    [(_words(r.value), r) for r in ContactResult], prompt="Result", id="result"
                )
            if self.kind is JournalKind.DISPOSITION:
                yield Select(
                    [(d.label, d) for d in Disposition], prompt="Disposition", id="disposition"
                )
            yield Label("Note" if self.kind is JournalKind.NOTE else "Note (optional)")
            yield Input(id="text", max_length=4000)
            yield Static("", id="journal-error")
            yield Label(Text("ctrl+s saves to the encrypted journal · escape cancels", style="dim"))

    def _chosen(self, selector: str) -> object:
        found = self.query(selector)
        if not found:
            return None
        value = found.first(Select).value
        return None if value is Select.NULL else value

    def action_save(self) -> None:
        """Check the entry; return it, or say what is missing."""
        episode = self.packed.episodes[0].episode.id if self.packed.episodes else None
        who = self.query("#who")
        channel, result = self._chosen("#channel"), self._chosen("#result")
        disposition = self._chosen("#disposition")
        try:
            entry = make_entry(
                self.kind,
                at=self.now(),
                client_ref=self.packed.client.external_ref,
                episode_id=episode,
                text=self.query_one("#text", Input).value,
                who=who.first(Input).value if who else "",
                channel=channel if isinstance(channel, ContactChannel) else None,
                result=result if isinstance(result, ContactResult) else None,
                disposition=disposition if isinstance(disposition, Disposition) else None,
            )
        except ValidationFailed as error:
            self.query_one("#journal-error", Static).update(Text(str(error)))
            return
        self.dismiss(entry)

    def action_cancel(self) -> None:
        """Leave without an entry."""
        self.dismiss(None)
