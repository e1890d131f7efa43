"""Due now (W4, W8): who is on call, the user's follow-ups to work, plans to review."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList

from oncall.services.errors import StoreError
from oncall.services.reminders import DueNow, due_now
from oncall.services.rota import OnCallNow, on_call_now
from oncall.ui.base import OnCallScreen
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.due_now import DueNowList
from oncall.ui.widgets.follow_up_list import FollowUpList, follow_up_id_of
from oncall.ui.widgets.rota_header import RotaHeader


class DueNowScreen(OnCallScreen[None]):
    """The rota now, the user's follow-ups (Enter works one), then plans due for review."""

    HELP_TITLE = "due now"
    DEFAULT_CSS = """
    DueNowScreen #due-body { height: auto; max-height: 8; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding(
            "enter",
            "open_follow_up",
            "Work it",
            tooltip="Open the selected follow-up: attempt, complete, reschedule, hand over",
        ),
    ]

    def __init__(self, focus_follow_up: int | None = None) -> None:
        super().__init__()
        self.focus_follow_up = focus_follow_up
        """The follow-up to put the cursor on first (the one a reminder just named)."""

    def compose(self) -> ComposeResult:
        """Rota header, the follow-ups, plans due for review, footer."""
        yield Label("On call now", classes="pane-title")
        yield RotaHeader()
        yield Label("Your follow-ups (Enter to work one)", classes="pane-title")
        yield FollowUpList(id="follow-ups")
        with VerticalScroll(id="due-body"):
            yield DueNowList()
        yield ActionFooter()

    def on_mount(self) -> None:
        """Start with the cursor in the follow-ups; the reminded one if a reminder named one."""
        scheduling = self.oncall_app.scheduling
        if self.focus_follow_up is None and scheduling is not None:
            self.focus_follow_up = scheduling.last_reminded
        self.query_one(FollowUpList).focus()

    def refresh_data(self) -> None:
        """Re-read the rota and what is due (called on every change)."""
        services = self.services
        listing = self.query_one(FollowUpList)
        try:
            rota: OnCallNow = on_call_now(services)
            due: DueNow = due_now(services)
        except StoreError as error:
            listing.show_failure(str(error))
            self.query_one(DueNowList).show_failure(str(error))
            return
        privacy = services.settings.privacy_mode
        self.query_one(RotaHeader).show(rota, services.settings.zone)
        listing.show(due, services.settings.zone, privacy=privacy)
        if self.focus_follow_up is not None:
            listing.select_follow_up(self.focus_follow_up)
            self.focus_follow_up = None
        self.query_one(DueNowList).show(due, services.settings.zone, privacy=privacy)

    @on(OptionList.OptionSelected, "#follow-ups")
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        self._open(follow_up_id_of(message.option.id))

    def action_open_follow_up(self) -> None:
        """Open the highlighted follow-up's workspace."""
        self._open(self.query_one(FollowUpList).selected_follow_up)

    def _open(self, follow_up_id: int | None) -> None:
        from oncall.ui.screens.follow_up import FollowUpScreen

        if follow_up_id is None:
            self.notify("Choose a follow-up first (↑ ↓).", severity="warning")
            return
        self.app.push_screen(FollowUpScreen(follow_up_id))
