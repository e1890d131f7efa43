"""Whose caseload a client is: primary clinician, care team, program (supervisors, admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from oncall.domain.models import Client, Staff
from oncall.services import client_care
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.client_form import ClientForm
from oncall.ui.widgets.toggles import MarkedCheckbox


class CareTeamForm(ClientForm):
    """The primary clinician, who else is on the care team, and the program."""

    FORM_TITLE = "Care team and program"

    def __init__(
        self, services: ServiceContext, client: Client, staff: list[Staff], team: set[int]
    ) -> None:
        super().__init__(services)
        self.client = client
        """Whose care it is."""
        self.staff = [s for s in staff if s.active]
        """Active staff, by display name."""
        self.team = team
        """The care team now (staff ids)."""

    def compose_fields(self) -> ComposeResult:
        """Primary clinician, the team as boxes, and the program."""
        yield Static(
            Text("Their record opens to the primary clinician and the care team."), classes="hint"
        )
        yield Label("Primary clinician", classes="field-label")
        options = [
            (f"{s.display_name} ({s.role.value})", s.id)
            for s in self.staff
            if s.role in client_care.PRIMARY_ROLES
        ]
        current = self.client.primary_clinician_id
        yield Select(
            options,
            value=current if current in {v for _, v in options} else Select.NULL,
            prompt="(none)",
            id="primary",
        )
        yield Label("Care team", classes="field-label")
        for person in self.staff:
            label = Text(f"{person.display_name} ({person.role.value.replace('_', ' ')})")
            yield MarkedCheckbox(
                label, person.id in self.team, id=f"member-{person.id}", compact=True
            )
        yield Label("Program", classes="field-label")
        yield Input(self.client.program or "", id="program")

    def on_mount(self) -> None:
        """Start at the primary clinician."""
        super().on_mount()
        self.query_one("#primary", Select).focus()

    def saver(self) -> Callable[[], Any]:
        """Assign them all in one transaction."""
        primary = self.query_one("#primary", Select).value
        primary_id = primary if isinstance(primary, int) else None
        team = {s.id for s in self.staff if self.query_one(f"#member-{s.id}", MarkedCheckbox).value}
        program = self.query_one("#program", Input).value
        ctx, client_id = self.services, self.client.id
        return lambda: client_care.assign_care(
            ctx, client_id, primary_clinician_id=primary_id, team=team, program=program
        )
