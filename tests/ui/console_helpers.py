"""What several console tests read or wait for: the notifications shown, a condition."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot


def notices(app: App[None]) -> list[str]:
    """The messages of the notifications shown so far."""
    return [n.message for n in app._notifications]


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 3.0) -> float:
    """Let the app run until `check()` holds; returns the seconds it took (fails on timeout)."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true within {timeout} s")
        await pilot.pause(0.02)
    return time.monotonic() - start
