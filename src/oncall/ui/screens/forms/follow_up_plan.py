"""The proposed follow-up plan, editable before the episode closes: due, assignee, add, remove."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from oncall.domain.models import Staff
from oncall.domain.types import FollowUpKind
from oncall.services.closing import FollowUpDraft
from oncall.ui.format import clinic_datetime
from oncall.ui.widgets.timeline_text import FOLLOW_UP_LABELS

DUE_FORMAT = "%Y-%m-%d %H:%M"
"""How a due time is typed, in the clinic's time zone."""
_DUE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def parse_due(text: str, zone: ZoneInfo) -> datetime:
    """A typed clinic-time due time as an aware datetime; ValueError says how to write it."""
    typed = text.strip()
    try:
        # strptime takes "12:3" as 12:03; a time still being typed must not count as one.
        if not _DUE_SHAPE.match(typed):
            raise ValueError(typed)
        naive = datetime.strptime(typed, DUE_FORMAT)
    except ValueError:
        raise ValueError(
            f"Write the due time as YYYY-MM-DD HH:MM, e.g. {text_example()}."
        ) from None
    return naive.replace(tzinfo=zone)


def text_example() -> str:
    """An example due time in the typed format."""
    return "2026-11-23 09:00"


class FollowUpPlanEditor(Vertical):
    """A table of follow-ups; the fields below it edit the highlighted one."""

    DEFAULT_CSS = """
    FollowUpPlanEditor { height: auto; }
    FollowUpPlanEditor > DataTable { height: auto; max-height: 10; }
    FollowUpPlanEditor > Horizontal { height: 1; margin-top: 1; }
    FollowUpPlanEditor > Horizontal > Label { width: auto; margin: 0 1 0 0; }
    FollowUpPlanEditor #edit-kind { width: 24; }
    FollowUpPlanEditor #edit-due { width: 20; }
    FollowUpPlanEditor #edit-assignee { width: 1fr; }
    FollowUpPlanEditor .hint { color: $text-muted; }
    """

    def __init__(
        self,
        drafts: Sequence[FollowUpDraft],
        staff: Sequence[Staff],
        zone: ZoneInfo,
        now: datetime,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.drafts = list(drafts)
        """The plan as edited so far."""
        self.staff = list(staff)
        self.zone = zone
        self.now = now
        self._names = {s.id: s.display_name for s in staff}
        self._bad_due: str | None = None

    def compose(self) -> ComposeResult:
        """The table, the edit fields and the keys."""
        table: DataTable[Text] = DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield table
        with Horizontal():
            yield Label("Kind")
            # Each field starts at the first follow-up's value: the Changed a Select
            # posts when it mounts must not reassign anything.
            first = self.drafts[0] if self.drafts else None
            yield Select(
                [(FOLLOW_UP_LABELS[k], k) for k in FollowUpKind],
                id="edit-kind",
                allow_blank=False,
                compact=True,
                value=first.kind if first else FollowUpKind.CONTACT_24H,
            )
            yield Label("Due")
            yield Input(id="edit-due", compact=True, placeholder=text_example())
            yield Label("Assignee")
            yield Select(
                [(s.display_name, s.id) for s in self.staff],
                id="edit-assignee",
                compact=True,
                prompt="Assignee",
                value=first.assignee_id
                if first and first.assignee_id in self._names
                else Select.NULL,
            )
        yield Static(
            Text("ctrl+o adds a follow-up, ctrl+r removes the highlighted one."), classes="hint"
        )

    def on_mount(self) -> None:
        """Fill the table and the fields from the proposed plan."""
        table = self.query_one(DataTable)
        table.add_columns("#", "Kind", "Due (clinic time)", "Assignee")
        self._draw()

    def _draw(self, cursor: int | None = None) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row if cursor is None else cursor
        table.clear()
        table.add_rows(
            [
                Text(str(n)),
                Text(FOLLOW_UP_LABELS[d.kind]),
                Text(clinic_datetime(d.due_at, self.zone)),
                Text(self._names.get(d.assignee_id, f"staff {d.assignee_id}")),
            ]
            for n, d in enumerate(self.drafts, 1)
        )
        editing = bool(self.drafts)
        for field in self.query("#edit-kind, #edit-due, #edit-assignee"):
            field.disabled = not editing
        if editing:
            row = max(0, min(row, len(self.drafts) - 1))
            table.move_cursor(row=row)
            self._load(row)

    def _load(self, index: int) -> None:
        """Put the highlighted follow-up into the edit fields (without echoing it back)."""
        draft = self.drafts[index]
        kind = self.query_one("#edit-kind", Select)
        due = self.query_one("#edit-due", Input)
        assignee = self.query_one("#edit-assignee", Select)
        with kind.prevent(Select.Changed), due.prevent(Input.Changed):
            kind.value = draft.kind
            due.value = draft.due_at.astimezone(self.zone).strftime(DUE_FORMAT)
        if draft.assignee_id in self._names:
            with assignee.prevent(Select.Changed):
                assignee.value = draft.assignee_id
        self._bad_due = None

    @property
    def current(self) -> int | None:
        """The index of the highlighted follow-up, or None when the plan is empty."""
        return self.query_one(DataTable).cursor_row if self.drafts else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        if 0 <= message.cursor_row < len(self.drafts):
            self._load(message.cursor_row)

    def _update(self, index: int, draft: FollowUpDraft) -> None:
        if draft != self.drafts[index]:
            self.drafts[index] = draft
            self._draw(index)

    @on(Input.Changed, "#edit-due")
    def _due_changed(self, message: Input.Changed) -> None:
        index = self.current
        if index is None:
            return
        try:
            due = parse_due(message.value, self.zone)
        except ValueError as error:
            self._bad_due = f"Follow-up {index + 1}: {error}"
            return
        self._bad_due = None
        self._update(index, replace(self.drafts[index], due_at=due))

    @on(Select.Changed, "#edit-kind")
    def _kind_changed(self, message: Select.Changed) -> None:
        index = self.current
        if index is not None and isinstance(message.value, FollowUpKind):
            self._update(index, replace(self.drafts[index], kind=message.value))

    @on(Select.Changed, "#edit-assignee")
    def _assignee_changed(self, message: Select.Changed) -> None:
        index = self.current
        if index is not None and isinstance(message.value, int):
            self._update(index, replace(self.drafts[index], assignee_id=message.value))

    def add(self, assignee_id: int) -> None:
        """Add a caring contact due in a day; its kind, time and assignee can then be edited."""
        self.drafts.append(
            FollowUpDraft(FollowUpKind.CARING_CONTACT, self.now + timedelta(days=1), assignee_id)
        )
        self._draw(len(self.drafts) - 1)
        self.query_one("#edit-due").focus()

    def remove_current(self) -> FollowUpDraft | None:
        """Remove the highlighted follow-up; returns it, or None when the plan is empty."""
        index = self.current
        if index is None:
            return None
        removed = self.drafts.pop(index)
        self._bad_due = None
        self._draw(index)
        return removed

    def problems(self, now: datetime) -> list[str]:
        """A due time typed wrong, or due times already past."""
        found = [self._bad_due] if self._bad_due else []
        found += [
            f"Follow-up {n} ({FOLLOW_UP_LABELS[d.kind].lower()}) is due in the past."
            for n, d in enumerate(self.drafts, 1)
            if d.due_at <= now
        ]
        return found
