"""What each column of the queue shows for a client's row, wide or narrow (80 columns).

The summary (what the caller said) takes whatever width the other columns leave, so a
clinician reads "caller has pills in hand" before claiming the alert. Below WIDE_FROM
columns the source, status and acknowledger columns fold into one short "Ack" cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from oncall.domain.types import AlertStatus
from oncall.services.queue import QueueRow
from oncall.ui.format import countdown, initials, severity_label, short_duration, words
from oncall.ui.widgets.line_table import PADDING

PRIVATE_SUMMARY = "hidden: privacy mode"
"""What privacy mode shows for a summary: free text from a feed may name people or places."""


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


CLIENT = QueueColumn("client", "Client", 22, 16)
KIND = QueueColumn("kind", "Kind", 17, 11)
COLUMNS = [
    QueueColumn("severity", "Severity", 8, 8),
    QueueColumn("occurred", "Occurred", 8, 6, "Age"),
    QueueColumn("left", "Ack left", 12, 9, "Ack"),
    CLIENT,
    KIND,
    QueueColumn("source", "Source", 9, 0),
    QueueColumn("status", "Status", 12, 0),
    QueueColumn("by", "Acknowledged by", 16, 0),
]
SUMMARY = QueueColumn("summary", "Summary", 0, 0)
"""The last column: as wide as what is left."""
MIN_WIDE_SUMMARY = 30
"""The wide layout is used only when it leaves the summary at least this many cells."""
WIDE_FROM = sum(c.wide + 2 * PADDING for c in COLUMNS) + 2 * PADDING + MIN_WIDE_SUMMARY


@dataclass(frozen=True)
class QueueLayout:
    """The columns shown at one width, with the width each gets."""

    narrow: bool
    columns: list[QueueColumn]
    widths: list[int]

    def width_of(self, key: str) -> int:
        """The width of column `key` (0 when it is not shown)."""
        return next((w for c, w in zip(self.columns, self.widths, strict=True) if c.key == key), 0)


def layout_for(width: int) -> QueueLayout:
    """The columns for a table `width` cells wide; the summary gets the rest (at least 1)."""
    narrow = width < WIDE_FROM
    columns = [c for c in COLUMNS if not narrow or c.narrow]
    widths = [c.narrow if narrow else c.wide for c in columns]
    spare = width - 80
    for column in (CLIENT, KIND) if narrow else ():
        # Past 80 columns, half the room goes to the name, then the kind, up to their wide
        # widths; the summary has the rest.
        grow = min(max(0, spare) // 2, column.wide - column.narrow)
        widths[columns.index(column)] += grow
        spare -= 2 * grow
    rest = width - sum(w + 2 * PADDING for w in widths) - 2 * PADDING
    return QueueLayout(narrow, [*columns, SUMMARY], [*widths, max(1, rest)])


def _client(row: QueueRow, width: int, privacy: bool) -> Text:
    """The full name (initials in privacy mode) and, if more than one, the open alerts: ×3."""
    count = row.counts.open_alerts
    suffix = f" ×{count}" if count > 1 else ""
    if row.client_name is None:
        name, style = f"? {row.alert.client_ref} (unknown)", "bold yellow"
    else:
        name, style = (initials(row.client_name) if privacy else row.client_name), ""
    text = Text(name, style=style, no_wrap=True)
    # Cut the name, not the count: "Alexandra Montgomer… ×3" still says there are three.
    text.truncate(max(1, width - len(suffix)), overflow="ellipsis")
    text.append(suffix, style="bold")
    return text


def _left(row: QueueRow, now: datetime, narrow: bool) -> Text:
    """Time left to acknowledge; narrow, it also says who acknowledged and escalations.

    Narrow, a ✓ after the time left says someone already holds an earlier alert of the
    client's (the wide layout names them in brackets under "Acknowledged by").
    """
    alert = row.alert
    if alert.status is not AlertStatus.NEW:
        if not narrow:
            return Text("—", style="dim")
        return Text(f"✓ {initials(row.acknowledged_by or '?')}", style="green")
    left = countdown(alert.ack_deadline_at, now)
    if narrow:
        left = Text(str(left).removesuffix(" over"), style=left.style)
        if alert.escalation_level:
            left.append(f"↑{alert.escalation_level}", style="bold")
        if row.acknowledged_by:
            left.append("✓", style="bold green")
    return left


def _by(row: QueueRow, privacy: bool) -> Text:
    """Who acknowledged the alert shown; in brackets, who holds an earlier one of the client's."""
    by = row.acknowledged_by or ""
    name = initials(by) if privacy and by else by
    if by and row.alert.status is AlertStatus.NEW:
        return Text(f"({name})", style="dim")
    return Text(name)


def _summary(row: QueueRow, privacy: bool) -> Text:
    if privacy:
        return Text(PRIVATE_SUMMARY, style="dim italic")
    # One line, whatever breaks the feed put in; Text, so "[" in it is never markup.
    return Text(" ".join(row.alert.summary.split()))


def row_cells(row: QueueRow, now: datetime, layout: QueueLayout, *, privacy: bool) -> list[Text]:
    """The cells of one row for `layout`; feed and people's text is never read as markup."""
    alert = row.alert
    waiting = alert.status is AlertStatus.NEW
    status = alert.status.value
    if alert.escalation_level and waiting:
        status += f"↑{alert.escalation_level}"
    cells = {
        "severity": severity_label(alert.severity),
        # How long ago it happened (a feed may deliver it days late), not since it arrived.
        "occurred": Text(short_duration(now - alert.occurred_at)),
        "left": _left(row, now, layout.narrow),
        "client": _client(row, layout.width_of("client"), privacy),
        "kind": Text(words(alert.kind.value)),
        "source": Text(alert.source),
        "status": Text(status, style="bold" if waiting else "dim"),
        "by": _by(row, privacy),
        "summary": _summary(row, privacy),
    }
    return [cells[column.key] for column in layout.columns]
