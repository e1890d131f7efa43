"""Keys as they arrive over SSH or from a paste: all at once, with no pause between them.

Pilot's `press` waits for the app to go idle after every key, which hides ordering
faults: a real terminal delivers a burst of keys to the app's queue in one read.
`burst` puts every key into the app's queue first and only then waits.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.keys import (
    REPLACED_KEYS,
    _character_to_key,
    _get_unicode_name_from_key,
)
from textual.pilot import Pilot

BURST_TIMEOUT_S = 30.0


def key_event(key: str) -> events.Key:
    """The Key event a terminal sends for `key` (a character or a key name such as ctrl+s)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def keys_of(text: str) -> list[str]:
    """Each character of `text` as a key (newline as enter)."""
    return ["enter" if c == "\n" else c for c in text]


async def burst(pilot: Pilot[Any], *keys: str | Iterable[str]) -> None:
    """Send every key at once, then wait until the app has handled them and gone quiet.

    Each argument is a key name or an iterable of them (e.g. `keys_of(note)`).
    """
    app = pilot.app
    driver = app._driver
    assert driver is not None
    flat: list[str] = []
    for item in keys:
        flat.extend([item] if isinstance(item, str) else item)
    for key in flat:
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BURST_TIMEOUT_S
    while not app._message_queue.empty():
        assert loop.time() < deadline, "the app did not take the keys in time"
        await asyncio.sleep(0.01)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
