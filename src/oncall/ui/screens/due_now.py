"""Due now (W4, W8): who is on call, the user's follow-ups that have come due, plans to review."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label

from oncall.services.reminders import DueNow, due_now
from oncall.services.rota import OnCallNow, on_call_now
from oncall.store.errors import StoreError
from oncall.ui.base import OnCallScreen
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.due_now import DueNowList
from oncall.ui.widgets.rota_header import RotaHeader


class DueNowScreen(OnCallScreen[None]):
    """The rota now, then what is due for the user; re-read on every change and reminder."""

    HELP_TITLE = "due now"
    DEFAULT_CSS = """
    DueNowScreen #due-body { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        """Rota header, the due-now list, footer."""
        yield Label("On call now", classes="pane-title")
        yield RotaHeader()
        yield Label("Due now", classes="pane-title")
        with VerticalScroll(id="due-body"):
            yield DueNowList()
        yield ActionFooter()

    def refresh_data(self) -> None:
        """Re-read the rota and the due list (called on every change)."""
        services = self.services
        try:
            rota: OnCallNow = on_call_now(services)
            due: DueNow = due_now(services)
        except StoreError as error:
            self.query_one(DueNowList).show_failure(str(error))
            return
        self.query_one(RotaHeader).show(rota, services.settings.zone)
        self.query_one(DueNowList).show(
            due, services.settings.zone, privacy=services.settings.privacy_mode
        )
