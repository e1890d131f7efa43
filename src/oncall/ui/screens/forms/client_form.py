"""What the client record's forms share: they belong to a client, not to an episode.

In privacy mode (F9) a form keeps the client's and their contacts' personal values off
the screen: each such field is masked (typing still works and is saved as typed) until
the user reveals that one field with ctrl+r, and names are shown as initials. Turning
privacy mode on while a form is open masks it again at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from oncall.domain.models import Client
from oncall.services.context import ServiceContext
from oncall.services.drafts import DraftSubject
from oncall.ui.format import initials
from oncall.ui.screens.forms.base import ServiceForm


class ClientForm(ServiceForm[Any]):
    """A form about a client's record (details, contacts, consent, care team)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reveal_field", "Reveal field", tooltip="Privacy mode: show this field"),
        # A modal form hides the console's keys; someone walking up must still be met by F9.
        Binding("f9", "app.toggle_privacy", "Privacy", show=False),
    ]

    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """Ids of the inputs holding a name, phone, address or the like: masked in privacy mode."""

    def __init__(self, services: ServiceContext) -> None:
        # These forms have no episode (0): their drafts are keyed by `draft_subject`.
        super().__init__(services, 0)
        self.revealed: set[str] = set()
        """Private fields the user chose to show while privacy mode is on."""

    @property
    def private(self) -> bool:
        """Whether privacy mode is on now (F9 changes the shared settings)."""
        return self.services.settings.privacy_mode

    def shown_name(self, name: str) -> str:
        """A person's name as this form may show it: initials in privacy mode."""
        return initials(name) if self.private else name

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reveal is offered only in privacy mode."""
        if action == "reveal_field":
            return self.private
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        """Mask what privacy mode hides."""
        super().on_mount()
        self.apply_privacy()

    def apply_privacy(self) -> None:
        """Mask (or show) the private fields and names as privacy mode now says."""
        for field in self.query(Input):
            if field.id in self.PRIVATE_FIELDS:
                field.password = self.private and field.id not in self.revealed
        title = self.query("#form-title")
        if title:
            title.first(Static).update(Text(self.form_title()))
        self.refresh_bindings()

    def privacy_changed(self) -> None:
        """F9 was pressed with the form open: everything is masked again (or shown)."""
        self.revealed.clear()
        self.apply_privacy()

    def action_reveal_field(self) -> None:
        """Show the focused field's value (only that one), on purpose."""
        field = self.focused
        if not isinstance(field, Input) or field.id not in self.PRIVATE_FIELDS:
            self.notify("Move to a masked field first, then press ctrl+r to show it.")
            return
        self.revealed.add(field.id)
        field.password = False

    def record_client_id(self) -> int | None:
        """The client whose record the form changes (None: a new client, not saved yet)."""
        # The forms keep their client as `client` (details, consent, care team; None for
        # a new client) or as `client_id` (emergency contacts).
        client: Client | None = getattr(self, "client", None)
        if client is not None:
            return client.id
        client_id: int | None = getattr(self, "client_id", None)
        return client_id

    def draft_subject(self) -> DraftSubject:
        """A draft of this form is about the client's record, or a new client (intake)."""
        return DraftSubject(client_id=self.record_client_id())

    def draft_title(self) -> str:
        """The form's name without the client's (the title of an edit names them)."""
        if self.FORM_TITLE != ServiceForm.FORM_TITLE:
            return self.FORM_TITLE
        # The details form: an edit's title names the client, a new client's names none
        # ("New client (intake)", or the alert it is made from: a draft for that alert).
        return "Contact details" if self.record_client_id() is not None else self.form_title()
