"""An alert whose client reference is unknown: find the client it means, or add them (W1)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from oncall.domain.models import Alert
from oncall.services import alert_matching
from oncall.services.alert_matching import ClientMatch
from oncall.services.alerts import Acknowledgement
from oncall.services.errors import ServiceError
from oncall.ui.base import OnCallScreen
from oncall.ui.format import initials
from oncall.ui.navigation import open_episode
from oncall.ui.screens.confirm import ConfirmScreen
from oncall.ui.screens.forms.client_details import ClientDetailsForm
from oncall.ui.widgets.action_footer import ActionFooter


class AlertMatchScreen(OnCallScreen[None]):
    """Search clients by name, phone, date of birth or reference; link one, or add a new one."""

    HELP_TITLE = "find the alert's client"
    DEFAULT_CSS = """
    AlertMatchScreen #match-alert { height: auto; padding: 0 1; }
    AlertMatchScreen #match-search { margin: 1 1 0 1; }
    AlertMatchScreen #match-hint { color: $text-muted; padding: 0 1; height: auto; }
    AlertMatchScreen #matches { height: 1fr; margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "new_client", "New client", tooltip="Add the client from the alert"),
        Binding("down", "to_matches", "Matches", show=False),
    ]

    def __init__(self, alert: Alert) -> None:
        super().__init__()
        self.alert = alert
        """The alert with the unknown reference."""
        self.matches: list[ClientMatch] = []
        """What the last search found."""

    def compose(self) -> ComposeResult:
        """What the alert says, the search line, the matches."""
        alert = self.alert
        said = Text(f"Alert {alert.id} names client reference ", style="bold")
        said.append(alert.client_ref, style="bold yellow")
        said.append(", which is not on file.\n", style="bold")
        said.append(f"{alert.severity.value.upper()} {alert.kind.value.replace('_', ' ')}: ")
        if self.services.settings.privacy_mode:  # free text may name people and places
            said.append("(summary and place hidden in privacy mode)", style="dim")
        else:
            said.append(alert.summary or "(no summary)")
            if alert.location is not None:
                said.append(f"\nWhere: {alert.location.text}")
        yield Static(said, id="match-alert")
        yield Input(
            placeholder="Name, phone, date of birth (YYYY-MM-DD) or reference; Enter searches",
            id="match-search",
        )
        yield Static(
            Text("↓ the matches · Enter on one links the alert · ctrl+n adds a new client"),
            id="match-hint",
        )
        yield DataTable(id="matches", cursor_type="row", zebra_stripes=True)
        yield ActionFooter()

    def on_mount(self) -> None:
        """Columns; typing goes to the search line."""
        table = self.query_one("#matches", DataTable)
        table.add_columns("Reference", "Name", "Born", "Phone", "Program")
        super().on_mount()
        self.query_one("#match-search", Input).focus()

    @on(Input.Submitted, "#match-search")
    def _search(self, event: Input.Submitted) -> None:
        text, ctx, alert_id = event.value, self.services, self.alert.id
        try:
            none: list[ClientMatch] = []
            found = self.read_safely(
                lambda: alert_matching.find_clients_for_alert(ctx, alert_id, text), none
            )
        except ServiceError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.matches = found
        table = self.query_one("#matches", DataTable)
        table.clear()
        private = self.services.settings.privacy_mode
        for match in found:
            table.add_row(
                Text(match.external_ref),
                Text(initials(match.name) if private else match.name),
                Text("—" if private else match.date_of_birth or "—"),
                Text(f"…{match.phone_end}" if match.phone_end and not private else "—"),
                Text(match.program or ""),
                key=str(match.id),
            )
        if not found:
            self.notify("No client matches. Try another part of the name, or ctrl+n to add one.")
        else:
            table.focus()

    def action_to_matches(self) -> None:
        """Move from the search line to the matches."""
        if self.matches:
            self.query_one("#matches", DataTable).focus()

    @on(DataTable.RowSelected, "#matches")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        chosen = next((m for m in self.matches if str(m.id) == event.row_key.value), None)
        if chosen is None:
            return
        ctx, alert_id = self.services, self.alert.id

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: alert_matching.link_unknown_alert(ctx, alert_id, chosen.id),
                    on_success=self._linked,
                    reason="alert linked",
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Link alert {alert_id} to {chosen.name} ({chosen.external_ref})?",
                detail=(
                    f"Every open alert naming {self.alert.client_ref} goes to this client; "
                    "an acknowledged one opens their episode."
                ),
                yes="Link",
                no="Cancel",
            ),
            answered,
        )

    def action_new_client(self) -> None:
        """Add the client from what the alert says, and link the alert to them."""
        self.app.push_screen(ClientDetailsForm(self.services, alert=self.alert), self._created)

    def _created(self, result: object) -> None:
        if isinstance(result, Acknowledgement):
            self._linked(result)

    def _linked(self, ack: Acknowledgement) -> None:
        where = f"; episode #{ack.episode.id} is open" if ack.episode is not None else ""
        self.notify(f"Alert {ack.alert.id} now belongs to its client{where}.")
        self.dismiss()
        if ack.episode is not None:
            open_episode(self.app, ack.episode.id)

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss()
