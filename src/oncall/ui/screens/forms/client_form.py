"""What the client record's forms share: they belong to a client, not to an episode."""

from __future__ import annotations

from typing import Any

from oncall.services.context import ServiceContext
from oncall.services.drafts import UnsavedForm
from oncall.ui.screens.forms.base import ServiceForm


class ClientForm(ServiceForm[Any]):
    """A form about a client's record (details, contacts, consent, care team)."""

    def __init__(self, services: ServiceContext) -> None:
        # ServiceForm's episode_id keys its drafts; these forms have no episode (0).
        super().__init__(services, 0)

    def unsaved_fields(self) -> UnsavedForm | None:
        """None: no draft is kept of these forms when the connection is cut off."""
        # Drafts are kept per episode (form_drafts.episode_id references episodes) and
        # these forms have none: one such draft would fail its foreign key and, as all
        # drafts are kept in one transaction, lose every other open form's too.
        return None
