"""The quarantine: records a feed or an import sent that were rejected, each with its reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from oncall.services.feed_status import (
    FeedStatus,
    QuarantinedRecord,
    feed_status,
    quarantined_records,
)
from oncall.ui.base import OnCallScreen
from oncall.ui.format import clinic_datetime
from oncall.ui.widgets.feed_status import FeedStatusPanel

PAGE_SIZE = 100


class QuarantineScreen(OnCallScreen[None]):
    """Rejected records, newest first, a page at a time, with the feeds' state above."""

    HELP_TITLE = "Quarantine"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("n,pagedown", "older", "Older"),
        Binding("p,pageup", "newer", "Newer"),
    ]
    DEFAULT_CSS = """
    QuarantineScreen #quarantine-page { height: 1; padding: 0 1; color: $text-muted; }
    QuarantineScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._starts: list[int | None] = [None]
        """The keyset (id below which a page starts) of each page visited; last is shown."""
        self._rows: list[QuarantinedRecord] = []

    def compose(self) -> ComposeResult:
        """The feed panel, the page line and the table."""
        with Vertical():
            yield FeedStatusPanel(id="quarantine-feeds")
            yield Static(id="quarantine-page")
            yield DataTable(id="quarantine-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Set up the table's columns (the base class then reads the data)."""
        table = self.query_one(DataTable)
        table.add_columns("Received", "From", "Record", "Id", "Field", "Why it was rejected")
        super().on_mount()

    def refresh_data(self) -> None:
        """Re-read the feed state and the page on show."""
        ctx = self.services
        status: FeedStatus | None = self.read_safely(lambda: feed_status(ctx), None)
        if status is not None:
            self.query_one(FeedStatusPanel).show(status, ctx.settings.zone)
        before = self._starts[-1]
        rows = self.read_safely(
            lambda: quarantined_records(ctx, limit=PAGE_SIZE, before_id=before), self._rows
        )
        self._rows = rows
        self._fill(status.quarantined if status is not None else None)

    def _fill(self, total: int | None) -> None:
        zone = self.services.settings.zone
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            [
                (
                    clinic_datetime(r.received_at, zone),
                    Text(r.source),
                    "" if not r.record_number else str(r.record_number),
                    Text(r.external_id or ""),
                    Text(r.field or ""),
                    Text(r.message),  # feed text: never read as markup
                )
                for r in self._rows
            ]
        )
        page = len(self._starts)
        of = f" of {total:,} record(s)" if total is not None else ""
        shown = "nothing rejected" if not self._rows and page == 1 else f"page {page}{of}"
        self.query_one("#quarantine-page", Static).update(
            Text(f"{shown}   n older · p newer · esc back")
        )

    def action_older(self) -> None:
        """The next page of older records."""
        if len(self._rows) == PAGE_SIZE:
            self._starts.append(self._rows[-1].id)
            self.refresh_data()

    def action_newer(self) -> None:
        """Back towards the newest records."""
        if len(self._starts) > 1:
            self._starts.pop()
            self.refresh_data()

    def action_close(self) -> None:
        """Back to the screen beneath."""
        self.dismiss(None)
