"""What each column of the queue shows for an alert, wide or narrow (80 columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from oncall.domain.models import Alert
from oncall.domain.types import AlertStatus
from oncall.ui.format import countdown, initials, severity_label, short_duration, words
from oncall.ui.widgets.queue_source import QueueRow


@dataclass(frozen=True)
class QueueColumn:
    """One column: fixed widths spare the table measuring every cell."""

    key: str
    label: str
    wide: int
    narrow: int
    """Width in a narrow terminal (80 columns over SSH); 0 leaves the column out."""
    short: str = ""
    """The label in a narrow terminal, when the full one does not fit."""


COLUMNS = [
    QueueColumn("severity", "Severity", 8, 8),
    QueueColumn("age", "Age", 6, 6),
    QueueColumn("left", "Ack left", 12, 12),
    QueueColumn("client", "Client", 20, 13),
    QueueColumn("kind", "Kind", 17, 11),
    QueueColumn("source", "Source", 9, 0),
    QueueColumn("status", "Status", 12, 5, "State"),
    QueueColumn("by", "Acknowledged by", 16, 10, "By"),
]
NARROW_BELOW = 2 * len(COLUMNS) + sum(c.wide for c in COLUMNS)


def time_left(alert: Alert, now: datetime) -> Text:
    """Time left to acknowledge (red and "over" once past); a dash once acknowledged."""
    if alert.status is AlertStatus.NEW:
        return countdown(alert.ack_deadline_at, now)
    return Text("—", style="dim")


def row_cells(
    row: QueueRow, now: datetime, layout: list[QueueColumn], *, narrow: bool, privacy: bool
) -> list[Text]:
    """The cells of one row for `layout`; feed and people's text is never read as markup."""
    alert = row.alert
    if row.client_name is None:
        client = Text(f"? {alert.client_ref} (unknown)", style="bold yellow")
    else:
        client = Text(initials(row.client_name) if privacy else row.client_name)
    status = alert.status.value
    if narrow and alert.status is AlertStatus.ACKNOWLEDGED:
        status = "ack"
    if alert.escalation_level and alert.status is AlertStatus.NEW:
        status += f"↑{alert.escalation_level}"
    by = row.acknowledged_by or ""
    cells = {
        "severity": severity_label(alert.severity),
        "age": Text(short_duration(now - alert.received_at)),
        "left": time_left(alert, now),
        "client": client,
        "kind": Text(words(alert.kind.value)),
        "source": Text(alert.source),
        "status": Text(status, style="bold" if alert.status is AlertStatus.NEW else "dim"),
        "by": Text(initials(by) if privacy and by else by),
    }
    return [cells[column.key] for column in layout]
