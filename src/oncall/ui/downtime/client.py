"""One client of the pack: safety plan, emergency contacts, risk, open episodes, follow-ups."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.downtime_journal import JournalEntry, JournalKind
from oncall.domain.downtime_pack import PackClient
from oncall.ui.downtime.base import DowntimeScreen
from oncall.ui.downtime.client_text import (
    contacts_text,
    episode_text,
    follow_ups_text,
    header_text,
    journal_text,
    risk_text,
)
from oncall.ui.widgets.plan_view import plan_body


class PackClientScreen(DowntimeScreen):
    """Everything the pack holds on one client, top to bottom in the order a call needs it."""

    DEFAULT_CSS = """
    PackClientScreen VerticalScroll { height: 1fr; padding: 0 1; }
    PackClientScreen .section { margin-top: 1; text-style: bold; color: $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "journal('note')", "Note"),
        Binding("c", "journal('contact_attempt')", "Contact attempt"),
        Binding("s", "journal('cssrs')", "C-SSRS"),
        Binding("f", "journal('follow_up_attempt')", "Follow-up attempt"),
        Binding("x", "journal('disposition')", "Disposition"),
    ]

    def __init__(self, packed: PackClient) -> None:
        super().__init__()
        self.packed = packed

    def body(self) -> ComposeResult:
        """The sections, each under its title."""
        pack, packed = self.downtime.pack, self.packed
        zone = ZoneInfo(pack.timezone)
        now = self.downtime.clock.now()
        with VerticalScroll(id="client-record"):
            yield Static(header_text(packed), id="client-header")
            yield Static("Safety plan", classes="section")
            if packed.plan is None:
                yield Static(Text("No safety plan on file.", style="bold red"), id="plan")
            else:
                saved = f"v{packed.plan.version}, saved by {packed.plan_saved_by or 'unknown'}"
                yield Static(Text(saved, style="dim"), id="plan-version")
                yield Static(plan_body(packed.plan), id="plan")
            yield Static("Emergency contacts", classes="section")
            yield Static(contacts_text(packed), id="contacts")
            yield Static("Latest risk", classes="section")
            yield Static(risk_text(packed, zone), id="risk")
            yield Static("Open episodes", classes="section")
            if not packed.episodes:
                yield Static(Text("No open episode.", style="dim"), id="episodes")
            for episode in packed.episodes:
                yield Static(episode_text(episode, pack, zone, now), classes="episode")
            yield Static("Follow-ups", classes="section")
            yield Static(follow_ups_text(packed, pack, zone, now), id="follow-ups")
            if self.downtime.journal is not None:
                keys = "n note, c contact, s C-SSRS, f follow-up attempt, x disposition"
                yield Static(f"Logged during downtime ({keys})", classes="section")
                yield Static(self._journal_text(), id="journal")

    def _journal_text(self) -> Text:
        entries = self.downtime.journal_entries(self.packed.client.external_ref)
        return journal_text(entries, ZoneInfo(self.downtime.pack.timezone))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The journal's keys only where a journal is kept."""
        if action == "journal":
            return self.downtime.journal is not None
        return True

    def action_journal(self, kind: str) -> None:
        """Open the journal's form for this client; the entry is written when saved."""
        from oncall.ui.downtime.journal_form import JournalForm

        if kind == JournalKind.FOLLOW_UP_ATTEMPT and not self.packed.follow_ups:
            self.notify("The pack holds no pending follow-up for this client.")
            return

        def saved(entry: JournalEntry | None) -> None:
            if self.downtime.add_journal_entry(entry):
                self.query_one("#journal", Static).update(self._journal_text())

        form = JournalForm(JournalKind(kind), self.packed, self.downtime.clock.now)
        self.app.push_screen(form, saved)
