"""The dashboard's table of the user's open episodes (Enter opens the selected one)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from oncall.domain.models import Episode
from oncall.ui.format import initials, short_duration, words
from oncall.ui.widgets.line_table import Column, LineTable

EPISODE_COLUMNS = [
    Column("Episode", 8),
    Column("Client", 22),
    Column("Status", 16),
    Column("Open for", 9),
]


class EpisodeList(LineTable):
    """The user's open episodes; Enter opens the selected one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the selected episode"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.episodes: list[Episode] = []
        """The episodes shown, in order."""
        self.set_columns(EPISODE_COLUMNS)

    def show(
        self, episodes: list[Episode], names: dict[int, str], now: datetime, *, privacy: bool
    ) -> None:
        """Show `episodes` (client names from `names`; initials in privacy mode)."""
        self.episodes = episodes
        rows = []
        for episode in episodes:
            name = names.get(episode.client_id, "?")
            rows.append(
                [
                    Text(f"#{episode.id}"),
                    Text(initials(name) if privacy else name),
                    Text(words(episode.status.value)),
                    Text(short_duration(now - episode.opened_at)),
                ]
            )
        self.set_rows(rows)  # the cursor keeps its place

    @property
    def selected(self) -> Episode | None:
        """The episode under the cursor."""
        row = self.cursor_row
        return self.episodes[row] if 0 <= row < len(self.episodes) else None
