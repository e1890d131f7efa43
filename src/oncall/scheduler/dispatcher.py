"""The dispatcher role: while this process holds the lease, take the due escalation steps
and run the dispatch hooks (outbox delivery, feed polling), one round at a time.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from oncall.scheduler.hooks import DispatchHook, builtin_hooks, is_async
from oncall.scheduler.lease import LeaseKeeper
from oncall.services.context import ServiceContext
from oncall.services.escalation import run_due_escalations
from oncall.store.errors import StoreError

log = logging.getLogger("oncall.scheduler")

Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]
AfterRound = Callable[[int], Awaitable[None]]


class Dispatcher:
    """Escalations and hooks, run by the one process holding the dispatcher lease."""

    def __init__(
        self,
        ctx: ServiceContext,
        lease: LeaseKeeper,
        hooks: Mapping[str, DispatchHook] | None,
        spawn: Spawn,
        *,
        hooks_ctx: ServiceContext | None = None,
    ) -> None:
        self.ctx = ctx
        """The dispatcher's own connection, actor ("dispatcher") and clock."""
        self.hooks_ctx = hooks_ctx or ctx
        """What the hooks are handed: the same, on a connection of their own."""
        self.lease = lease
        self._hooks = dict(hooks) if hooks is not None else builtin_hooks()
        self._spawn = spawn
        self._running: asyncio.Task[Any] | None = None
        self._again = False
        self._hook_tasks: dict[str, asyncio.Task[Any]] = {}
        self._was_held = False
        self.steps_taken = 0
        """Escalation steps and handoff reminders this process took."""

    @property
    def hook_names(self) -> list[str]:
        """The dispatch hooks this dispatcher runs."""
        return list(self._hooks)

    async def keep_lease(self) -> bool | None:
        """Take or renew the lease; True/False when this process just gained/lost it, else None."""
        try:
            held = await asyncio.to_thread(self.lease.try_hold)
        except StoreError as error:
            log.warning("lease not renewed: %s", error)
            held = self.lease.is_held()
        if held == self._was_held:
            return None
        self._was_held = held
        log.info("%s the dispatcher lease (%s)", "took" if held else "lost", self.lease.holder)
        return held

    def request(self, after: AfterRound) -> None:
        """Run a round soon if this process holds the lease; rounds never overlap."""
        if not self.lease.is_held():
            return
        if self._running is not None and not self._running.done():
            self._again = True  # something fell due mid-round: go round once more
            return
        self._running = self._spawn(self._rounds(after))

    async def _rounds(self, after: AfterRound) -> None:
        while True:
            self._again = False
            steps = await self.round()
            await after(steps)
            if not self._again or not self.lease.is_held():
                return

    async def round(self) -> int:
        """Take every due step (each claimed, so exactly once) and start the hooks; steps taken."""
        now = self.ctx.clock.now()
        try:
            run = await asyncio.to_thread(
                run_due_escalations, self.ctx, now, fired_by=self.lease.holder
            )
        except StoreError as error:  # locked or full: the next tick tries again
            log.warning("escalations not run: %s", error)
            return 0
        except Exception as error:
            log.error("escalations failed: %s", type(error).__name__)
            return 0
        for step in run.steps:
            log.info(
                "%s %d level %d -> %s (staff %s), key %s",
                step.subject_type,
                step.subject_id,
                step.level,
                step.target.value,
                step.recipient_id if step.recipient_id is not None else "none",
                step.idempotency_key,
            )
        self.steps_taken += len(run.steps)
        self._start_hooks()
        return len(run.steps)

    def _start_hooks(self) -> None:
        for name, hook in self._hooks.items():
            running = self._hook_tasks.get(name)
            if running is not None and not running.done():
                continue  # still busy with the last round (a slow endpoint)
            self._hook_tasks[name] = self._spawn(self._call_hook(name, hook))

    async def _call_hook(self, name: str, hook: DispatchHook) -> None:
        ctx = self.hooks_ctx
        now = ctx.clock.now()
        try:
            if is_async(hook):
                await hook(ctx, now)  # type: ignore[misc]
            else:
                result = await asyncio.to_thread(hook, ctx, now)
                if inspect.isawaitable(result):
                    await result
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one failing hook must not stop the others or escalations
            log.error("dispatch hook %s failed: %s", name, type(error).__name__)

    async def stop(self) -> None:
        """Close the hooks, and give the lease up so another process need not wait it out."""
        for name, hook in self._hooks.items():
            close = getattr(hook, "aclose", None)
            if close is None:
                continue
            try:
                await close()
            except Exception as error:
                log.warning("dispatch hook %s did not close: %s", name, type(error).__name__)
        was_held, self._was_held = self._was_held, False
        try:
            await asyncio.to_thread(self.lease.release)
            if was_held:
                log.info("released the dispatcher lease (%s)", self.lease.holder)
        except StoreError as error:
            log.warning("lease not released (it will run out): %s", error)
