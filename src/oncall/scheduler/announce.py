"""What a console announces to its user: follow-up reminders as they fall due, and the
escalation steps addressed to them, whichever process took the step.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from oncall.services.context import ServiceContext
from oncall.services.escalation_notices import EscalationNotice, latest_notice_id, notices_since
from oncall.services.reminders import Reminder, claim_reminders

log = logging.getLogger("oncall.scheduler")
T = TypeVar("T")


def call_safely(callback: Callable[[T], None] | None, value: T, what: str) -> None:
    """Call a UI callback; its failure is logged (by type only), never raised into the loop."""
    if callback is None:
        return
    try:
        callback(value)
    except Exception as error:
        log.error("%s callback failed: %s", what, type(error).__name__)


class ReminderDesk:
    """Gathers reminders that fall due together and claims them in one transaction.

    A burst (a thousand follow-ups due the same minute, or everything overdue at
    start) costs one write, not one per reminder; each reminder is shown by the
    one console that claims it.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        holder: str,
        started_at: datetime,
        on_reminder: Callable[[Reminder], None] | None,
    ) -> None:
        self.ctx = ctx
        self.holder = holder
        self.started_at = started_at
        self.on_reminder = on_reminder
        self.due: set[int] = set()
        """Follow-ups whose job fired and whose claim is still to be made."""
        self.shown = 0
        """Reminders this process claimed and handed to `on_reminder`."""

    async def flush(self) -> FlushResult:
        """Claim everything gathered (and what arrives meanwhile); show the won ones."""
        result = FlushResult()
        while self.due:
            ids = sorted(self.due)
            self.due.clear()
            try:
                batch = await asyncio.to_thread(
                    claim_reminders, self.ctx, ids, fired_by=self.holder, started_at=self.started_at
                )
            except Exception as error:  # locked or full: the caller plans them again
                log.warning("%d reminders not claimed: %s", len(ids), type(error).__name__)
                result.failed.extend(ids)
                continue
            for reminder in batch.won:
                self.shown += 1
                call_safely(self.on_reminder, reminder, "reminder")
            result.shown += len(batch.won)
            result.not_yet_due.extend(batch.not_yet_due)
        return result


@dataclass
class FlushResult:
    """What one flush of the reminder desk came to."""

    shown: int = 0
    not_yet_due: list[int] = field(default_factory=list)
    """Not due yet by the injected clock: wait on."""
    failed: list[int] = field(default_factory=list)
    """Not claimed because the database refused: plan again."""


class NoticeWatch:
    """Hands the console's user each escalation step addressed to them, once, as it appears."""

    def __init__(
        self,
        ctx: ServiceContext,
        recipient: int | None,
        on_escalation: Callable[[EscalationNotice], None],
    ) -> None:
        self.ctx = ctx
        self.recipient = recipient
        """A staff id, or None for every recipient (a supervisor's console)."""
        self.on_escalation = on_escalation
        self._after = 0
        self._lock = asyncio.Lock()

    async def begin(self) -> None:
        """Start from now: steps taken before the console opened are not announced."""
        self._after = await asyncio.to_thread(latest_notice_id, self.ctx)

    async def check(self) -> None:
        """Announce the steps claimed since the last look."""
        async with self._lock:
            try:
                notices, self._after = await asyncio.to_thread(
                    notices_since, self.ctx, self._after, self.recipient
                )
            except Exception as error:  # locked: the next change looks again
                log.warning("escalation notices not read: %s", type(error).__name__)
                return
        for notice in notices:
            call_safely(self.on_escalation, notice, "escalation notice")
