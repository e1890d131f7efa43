"""Dispatch hooks: shared work only the lease holder does each tick (outbox delivery, feeds,
anchoring the audit log).

A hook is `hook(ctx, now)`, sync or async, called about once a second while
this process holds the dispatcher lease; `ctx` is the dispatcher's own
connection, actor and clock. A hook decides for itself whether anything is due
(a feed's interval, an outbox message's next attempt); a call still running
at the next tick is not started again. Sync hooks run in a worker thread,
async ones on the loop (so they should do database work via
`asyncio.to_thread`). A hook with an async `aclose()` is closed when the
dispatcher stops.

The work is wired in `builtin_hooks()`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from oncall.services.context import ServiceContext

log = logging.getLogger("oncall.scheduler")

DispatchHook = Callable[[ServiceContext, datetime], Awaitable[object] | object]
"""`hook(ctx, now)`: one round of a piece of shared work."""


class _FeedsWork:
    """One piece of the feeds package's work, made on first use with the dispatcher's ctx."""

    def __init__(self, name: str, make: Callable[[ServiceContext], Any], method: str) -> None:
        self.name = name
        self._make = make
        self._method = method
        self._worker: Any = None

    async def __call__(self, ctx: ServiceContext, now: datetime) -> None:
        if self._worker is None:
            self._worker = self._make(ctx)
        await getattr(self._worker, self._method)(now)

    async def aclose(self) -> None:
        """Close its HTTP client."""
        worker, self._worker = self._worker, None
        if worker is not None and hasattr(worker, "aclose"):
            await worker.aclose()


async def _directory(ctx: ServiceContext, now: datetime) -> None:
    from oncall.feeds.directory_sync import sync_directory_if_due

    await sync_directory_if_due(ctx, now)


class _AuditAnchoring:
    """Anchor the audit log's head every `audit_anchor_minutes` (issue 16): rows deleted at
    its end are then noticed by `oncall audit --verify`. Runs in a worker thread."""

    def __init__(self) -> None:
        self._last: datetime | None = None

    def __call__(self, ctx: ServiceContext, now: datetime) -> None:
        every = timedelta(minutes=ctx.settings.audit_anchor_minutes)
        if self._last is not None and now - self._last < every:
            return
        self._last = now
        from oncall.feeds.anchor_post import post_anchor
        from oncall.services.audit_anchors import AnchorFileError, anchor_audit_head

        try:
            result = anchor_audit_head(ctx, post=post_anchor)
        except AnchorFileError:
            log.error("audit anchor: the anchor file cannot be written")
            return
        if result.written and result.anchor is not None:
            log.info("audit anchor: row %d", result.anchor.row)
        for _problem in result.problems:
            log.warning("audit anchor: a copy was not sent (system log or webhook)")


def builtin_hooks() -> dict[str, DispatchHook]:
    """The dispatcher's work: anchoring the audit log, and the feeds package's outbox
    delivery, alert feeds and directory sync.

    A part that cannot be imported is left out with a logged error, so a broken
    feed never stops escalations.
    """
    hooks: dict[str, DispatchHook] = {"audit anchor": _AuditAnchoring()}
    try:
        from oncall.feeds.alert_feed import FeedPoller
        from oncall.feeds.directory_sync import sync_directory_if_due  # noqa: F401
        from oncall.feeds.notifier import OutboxDeliverer
    except Exception as error:  # ImportError or a bug at import time
        log.error("the feeds package cannot be loaded: %s", type(error).__name__)
        return hooks
    hooks["outbox"] = _FeedsWork("outbox", OutboxDeliverer, "deliver_due")
    hooks["alert feeds"] = _FeedsWork("alert feeds", FeedPoller, "poll_due")
    hooks["directory sync"] = _directory
    return hooks


def is_async(hook: DispatchHook) -> bool:
    """Whether calling the hook gives a coroutine (an async function or async __call__)."""
    call = getattr(hook, "__call__", None)  # noqa: B004 - want the method itself
    return inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(call)
