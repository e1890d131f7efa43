"""The downtime journal's form: a note, a contact attempt or a disposition, for one client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from oncall.domain.cssrs import PERIOD, QUESTIONS
from oncall.domain.downtime_journal import JournalEntry, JournalKind
from oncall.domain.downtime_pack import PackClient
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services.downtime_journal import make_entry
from oncall.services.errors import ValidationFailed
from oncall.ui.widgets.timeline_text import FOLLOW_UP_LABELS

SKIPPABLE = frozenset({"q3", "q4", "q5", "q6_within_3_months"})
"""Questions the skip logic leaves out (after a no to 2, or to 6)."""


def _words(value: str) -> str:
    return value.replace("_", " ")


class JournalForm(ModalScreen[JournalEntry | None]):
    """One journal entry, checked before it is returned; escape leaves without one."""

    DEFAULT_CSS = """
    JournalForm { align: center middle; }
    JournalForm > VerticalScroll {
        width: 84; height: auto; max-height: 95%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    JournalForm Label { width: 1fr; }
    JournalForm .question { margin-top: 1; }
    JournalForm #journal-error { color: $error; }
    """
    AUTO_FOCUS = "Input, Select"
    """The first field, not the scrolling box around them."""
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
        with VerticalScroll():
            title = f"Downtime journal — {self.kind.label} — {self.packed.client.name}"
            yield Label(Text(title, style="bold"))
            if self.kind is JournalKind.FOLLOW_UP_ATTEMPT:
                yield Select(
                    [
                        (f"F-{f.id} {FOLLOW_UP_LABELS.get(f.kind, f.kind.value)}", f.id)
                        for f in self.packed.follow_ups
                    ],
                    prompt="Which follow-up",
                    id="follow-up",
                )
            if self.kind in (JournalKind.CONTACT_ATTEMPT, JournalKind.FOLLOW_UP_ATTEMPT):
                if self.kind is JournalKind.CONTACT_ATTEMPT:
                    yield Label("Who was contacted")
                    yield Input(self.packed.client.name, id="who")
                yield Select(
                    [(_words(c.value), c) for c in ContactChannel], prompt="How", id="channel"
                )
                yield Select(
                    [(_words(r.value), r) for r in ContactResult], prompt="Result", id="result"
                )
            if self.kind is JournalKind.CSSRS:
                yield Label(Text(f"C-SSRS screener ({PERIOD} for 1-5)", style="bold"))
                for question in QUESTIONS:
                    yield Label(f"{question.number}. {question.wording}", classes="question")
                    yield Select(
                        [("yes", True), ("no", False)],
                        prompt="skipped" if question.key in SKIPPABLE else "answer",
                        id=question.key,
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
        follow_up = self._chosen("#follow-up")
        for pending in self.packed.follow_ups:
            if pending.id == follow_up:
                episode = pending.episode_id  # the attempt goes on its follow-up's episode
        who = self.query("#who")
        channel, result = self._chosen("#channel"), self._chosen("#result")
        disposition = self._chosen("#disposition")
        answers = {q.key: self._chosen(f"#{q.key}") for q in QUESTIONS}
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
                cssrs={k: v if isinstance(v, bool) else None for k, v in answers.items()},
                follow_up_id=follow_up if isinstance(follow_up, int) else None,
            )
        except ValidationFailed as error:
            shown = self.query_one("#journal-error", Static)
            shown.update(Text(str(error)))
            shown.scroll_visible()
            return
        self.dismiss(entry)

    def action_cancel(self) -> None:
        """Leave without an entry."""
        self.dismiss(None)
