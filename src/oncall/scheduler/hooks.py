"""Dispatch hooks: shared work only the lease holder does each tick (outbox delivery, feeds).

The feeds package plugs in without the scheduler importing it by name: any
module in HOOK_MODULES that exists and defines

    def dispatch(ctx: ServiceContext, now: datetime) -> None        # or
    async def dispatch(ctx: ServiceContext, now: datetime) -> None

is called by the dispatcher about once a second while it holds the lease. A
hook decides for itself whether anything is due (a feed's interval, an
outbox message's next attempt); a call still running when the next tick comes
is not started again. Sync hooks run in a worker thread; async ones on the
loop, so they should do their database work with `asyncio.to_thread`. `ctx`
is the dispatcher's own connection, actor and clock. Tests and plug-ins may
also call `register_dispatch_hook`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from oncall.services.context import ServiceContext

log = logging.getLogger("oncall.scheduler")

DispatchHook = Callable[[ServiceContext, datetime], Awaitable[object] | object]
"""`dispatch(ctx, now)`: one round of a piece of shared work."""

HOOK_MODULES = (
    "oncall.feeds.notifier",
    "oncall.feeds.poller",
    "oncall.feeds.directory",
)
"""Modules whose `dispatch` function, where present, the dispatcher calls every tick."""

_registered: dict[str, DispatchHook] = {}


def register_dispatch_hook(name: str, hook: DispatchHook) -> None:
    """Add (or replace) a hook under `name`, beside the ones found in HOOK_MODULES."""
    _registered[name] = hook


def unregister_dispatch_hook(name: str) -> None:
    """Remove a hook added with `register_dispatch_hook` (no error if absent)."""
    _registered.pop(name, None)


def discover_hooks() -> dict[str, DispatchHook]:
    """The hooks present in this installation: HOOK_MODULES' `dispatch`, then registered ones."""
    hooks: dict[str, DispatchHook] = {}
    for module_name in HOOK_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue  # that part of the feeds package is not installed
            log.error("dispatch hook %s cannot be loaded: %s", module_name, type(error).__name__)
            continue
        except Exception as error:  # a broken plug-in must not stop escalations
            log.error("dispatch hook %s cannot be loaded: %s", module_name, type(error).__name__)
            continue
        hook = getattr(module, "dispatch", None)
        if callable(hook):
            hooks[module_name] = hook
    hooks.update(_registered)
    return hooks
