"""Keys handled one at a time, in the order typed, by the screen and widget they were meant for.

Over SSH, tmux or a paste, keys arrive in bursts. Textual hands each key to the focused
widget's own message queue and moves on to the next, so (measured in this console): a
priority binding such as ctrl+s ran before the text area had taken the characters typed
just before it (a 190-character note saved as 68); `y` then `n` in the C-SSRS both went
to the first question, because `widget.focus()` takes effect through a callback queued
behind the keys already waiting; and a key typed while a screen was being pushed was
handled by the screen underneath.

`TypeaheadSafeApp` closes all three: the app takes the next key only once the previous
one has been handled everywhere it goes (its priority bindings, the focused widget and
each ancestor, then the app's own bindings), the focus changes it asked for have been
made, and the screen it opened has been mounted. A form that the console opens by itself
(not on a key) may set `ignore_keys_before` so that keys typed before it was shown are
dropped, with a bell, instead of being taken as its text.
"""

from __future__ import annotations

import asyncio
import contextlib
from asyncio import QueueEmpty
from typing import Any, ClassVar

from textual import events
from textual._context import active_message_pump
from textual._queue import Queue
from textual.app import App, ReturnType
from textual.dom import DOMNode, NoScreen
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import WorkerState

from oncall.domain.terminal_text import safe_text

SETTLE_TIMEOUT_S = 5.0
"""Longest a key waits for the screen it goes to to finish mounting; then it is delivered
anyway (a screen that never mounts must not swallow the keyboard)."""

WRITES = frozenset({"service", "form"})
"""Worker groups that write for the user (OnCallScreen.run_service, ServiceForm saves)."""

WRITE_WAIT_S = 10.0
"""Longest a key waits for a write before it: longer than the database's busy timeout."""

QUIET_TIMEOUT_S = 1.0
"""Longest a key waits for the messages the previous one caused to be handled."""

SETTLE_ROUNDS = 20
"""Most rounds of "run queued focus changes, wait for a new screen" before a key goes on."""


class Key(events.Key, bubble=False):
    """A key the app walks up the focus chain itself (so Textual must not bubble it too).

    The class is named Key so that handlers named `on_key` / `_on_key` receive it.
    """


class TypeaheadSafeApp(App[ReturnType]):
    """An App that applies each key in order, to the screen and widget it was typed for."""

    KEYS_DROPPED_MESSAGE: ClassVar[str] = (
        "{count} typed before this form opened: not used. Type them again here if meant."
    )

    async def on_event(self, event: events.Event) -> None:
        """Take keys one at a time; everything else as Textual does."""
        if isinstance(event, events.Paste):
            # A paste is text from outside: a raw ESC in it reached a break-the-glass
            # reason. Cleaned once here, before any Input or TextArea sees it.
            event.text = safe_text(event.text, multiline=True)
        if isinstance(event, events.Key) and not self._screen_stack:
            return  # the console is closing: its last screen is gone, a key has nowhere to go
        if isinstance(event, events.Key) and not event.is_forwarded and not self._minimizes(event):
            self.app_focus = True
            await self._settle()
            if not self._screen_stack:
                return
            if not self._typed_before_screen(event):
                await self._deliver(event)
            return
        await super().on_event(event)

    def _minimizes(self, event: events.Key) -> bool:
        # Textual's own special case: escape leaves a maximized widget.
        return (
            event.key == "escape" and self.screen.maximized is not None and self.escape_to_minimize
        )

    async def _settle(self) -> None:
        """Let the previous key's consequences land: focus moves, messages it caused
        (a row chosen, a button pressed) handled, a screen it opened mounted."""
        for _ in range(SETTLE_ROUNDS):
            held = await self._wait_for_writes()
            ran = await self._run_queued_callbacks() or held
            if not self._screen_stack:
                return
            screen = self.screen
            if not screen.is_mounted:
                try:
                    await asyncio.wait_for(screen._mounted_event.wait(), SETTLE_TIMEOUT_S)
                except TimeoutError:
                    return
                continue
            waited = await _wait_until_quiet(screen)
            if not ran and not waited and self.screen is screen:
                return

    async def _wait_for_writes(self) -> bool:
        """Hold the next key while a write started from the console is under way.

        `a` then Enter typed at once means "claim it, then open its episode": Enter must
        see the claim. Bounded by WRITE_WAIT_S (a locked database says so meanwhile).
        True when it waited.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_WAIT_S
        waited = False
        while any(
            worker.group in WRITES and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        ):
            if loop.time() > deadline:
                break
            waited = True
            await asyncio.sleep(0.002)
        return waited

    async def _run_queued_callbacks(self) -> bool:
        """Run what earlier keys queued for the app: callbacks (where `focus()` puts its
        change) and the console's own messages (a write's DataChanged, which refreshes).

        They were queued by the keys already handled, so they belong before the next key;
        every other message (input above all) stays queued, in its order.
        """
        queue: Queue[Message | None] = self._message_queue
        waiting: list[Message | None] = []
        while True:
            try:
                waiting.append(queue.get_nowait())
            except QueueEmpty:
                break
        for _ in waiting:
            queue.task_done()
        callbacks = [m for m in waiting if m is not None and _consequence(m)]
        for message in waiting:
            if not _consequence(message):
                queue.put_nowait(message)
        for callback in callbacks:
            await self._dispatch_message(callback)
        return bool(callbacks)

    def _typed_before_screen(self, event: events.Key) -> bool:
        """Drop a key typed before a form that opened by itself was shown."""
        cutoff: float | None = getattr(self.screen, "ignore_keys_before", None)
        if cutoff is None or event.time >= cutoff:
            return False
        dropped = getattr(self.screen, "keys_dropped", 0) + 1
        self.screen.keys_dropped = dropped  # type: ignore[attr-defined]
        if dropped == 1:
            self.bell()
            self.call_after_refresh(self._say_dropped, self.screen)
        return True

    def _say_dropped(self, screen: Screen[Any]) -> None:
        count = getattr(screen, "keys_dropped", 0)
        words = "1 key" if count == 1 else f"{count} keys"
        self.notify(self.KEYS_DROPPED_MESSAGE.format(count=words), severity="warning")

    async def _deliver(self, event: events.Key) -> None:
        """Priority bindings, then the focused widget and its ancestors, then app bindings."""
        with contextlib.suppress(NoScreen):
            self.screen._clear_tooltip()
        if await self._check_bindings(event.key, priority=True):
            return
        key = Key(event.key, event.character)
        key.time = event.time
        key.set_sender(event._sender or self)
        key._set_forwarded()
        node: DOMNode | None = self.focused or self.screen
        while node is not None:
            await _dispatch_on(node, key)
            if key._stop_propagation or node is self:
                return
            node = node.parent


async def _wait_until_quiet(screen: Screen[Any]) -> bool:
    """Wait while the screen or any widget on it has a message waiting; True if it waited.

    A queue found empty twice in a row, with the loop run in between, means the message
    taken last was handled too (handlers here do not await for long). Bounded by
    QUIET_TIMEOUT_S: a widget that is never idle (an animation) must not hold the keyboard.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + QUIET_TIMEOUT_S
    waited = False
    quiet_checks = 0
    while quiet_checks < 2 and loop.time() < deadline:
        if any(node._message_queue.qsize() for node in (screen, *screen.walk_children())):
            waited = True
            quiet_checks = 0
        else:
            quiet_checks += 1
        await asyncio.sleep(0)
    return waited


def _consequence(message: Message | None) -> bool:
    """A queued callback, or a message of the console's own (never input, never closing)."""
    return isinstance(message, events.Callback) or (
        message is not None and type(message).__module__.startswith("oncall.")
    )


async def _dispatch_on(node: MessagePump, key: Key) -> None:
    """Run one node's key handlers now, as if from its own queue."""
    token = active_message_pump.set(node)
    try:
        await node._dispatch_message(key)
    finally:
        active_message_pump.reset(token)
