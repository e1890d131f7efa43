"""Breaking the glass: opening a record outside one's care, for a stated reason (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from oncall.services.access import BREAK_GLASS_HOURS, MAX_REASON, OutsideCare, break_glass
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError, StoreError
from oncall.ui import crash
from oncall.ui.widgets.action_footer import ActionFooter


class BreakGlassScreen(ModalScreen[bool]):
    """Asks why the user needs a record outside their care; True once access is granted."""

    DEFAULT_CSS = """
    BreakGlassScreen { align: center middle; background: $background 80%; }
    BreakGlassScreen #glass {
        width: 80; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    BreakGlassScreen #glass-title { text-style: bold; color: $warning; }
    BreakGlassScreen #glass-reason { margin: 1 0; }
    BreakGlassScreen #glass-error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, services: ServiceContext, refusal: OutsideCare) -> None:
        super().__init__()
        self.services = services
        self.refusal = refusal
        self._granting = False

    def compose(self) -> ComposeResult:
        """What breaking the glass means, a reason field, and what went wrong."""
        ref = self.refusal.client_ref
        with Vertical(id="glass"):
            yield Static(Text(f"Break the glass: client {ref}"), id="glass-title")
            yield Static(
                Text(
                    f"{ref} is not on your caseload, episodes or follow-ups. You may open the "
                    f"record for {BREAK_GLASS_HOURS:g} hours if you say why; your reason and "
                    "every view are kept in the audit log that supervisors review."
                )
            )
            yield Input(
                placeholder="Why do you need this record? (Enter to open, Esc to cancel)",
                max_length=MAX_REASON,
                id="glass-reason",
            )
            yield Static("", id="glass-error")
        yield ActionFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Ask the service for the grant (it checks the reason and writes the audit entry)."""
        event.stop()
        if not self._granting:
            self._granting = True
            self._grant(event.value)

    @work(thread=True, exit_on_error=False, group="break-glass")
    def _grant(self, reason: str) -> None:
        try:
            break_glass(self.services, self.refusal.client_id, reason)
            outcome = ""
        except (ServiceError, StoreError) as error:
            outcome = str(error)
        except Exception as error:  # the dialog stays usable whatever happens
            outcome = crash.incident_message(crash.report_exception(error))
        self.app.call_from_thread(self._granted, outcome)

    def _granted(self, problem: str) -> None:
        self._granting = False
        if problem:
            self.query_one("#glass-error", Static).update(Text(problem))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Leave without opening the record."""
        self.dismiss(False)


def offer_break_glass(
    screen: Screen[Any],
    services: ServiceContext,
    refusal: OutsideCare,
    on_granted: Callable[[], None],
) -> None:
    """Show the break-the-glass dialog over `screen`; call `on_granted` once access is granted."""

    def done(granted: bool | None) -> None:
        if granted:
            on_granted()

    screen.app.push_screen(BreakGlassScreen(services, refusal), done)
