"""One long-lived thread for the live refresh's polls, instead of a new thread per poll.

A console polls SQLite's data_version four times a second; a thread worker per poll
made ~14,400 threads an hour (each a clone, a stack mapping and a Worker object) on
a console left open over a shift. The poll still runs off the event loop, for the
reason live.py gives: the shared connection may wait out another process's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

AnswerT = TypeVar("AnswerT")


class PollThread(Generic[AnswerT]):
    """Runs `ask` on one daemon thread each time it is asked; `answer` gets the result on the loop.

    A request made while one is running is kept (once): the next poll starts as soon as
    the running one ends. The thread ends on `stop`, or with the process (a daemon: a
    poll stuck on a locked database must not hold the console open at exit).
    """

    def __init__(
        self, ask: Callable[[], AnswerT], answer: Callable[[AnswerT], None], *, name: str
    ) -> None:
        self._ask = ask
        self._answer = answer
        self._wanted = threading.Event()
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread (call on the event loop whose callbacks receive the answers)."""
        self._loop = asyncio.get_running_loop()
        self._thread.start()

    def request(self) -> None:
        """Ask for one poll (returns at once)."""
        self._wanted.set()

    def stop(self) -> None:
        """End the thread after the poll it may be running; later answers are not delivered."""
        self._stopped = True
        self._wanted.set()

    @property
    def thread(self) -> threading.Thread:
        """The one thread every poll runs on."""
        return self._thread

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopped:
                return
            result = self._ask()
            if self._stopped or self._loop is None:
                return
            with contextlib.suppress(RuntimeError):  # the loop closed: the console has ended
                self._loop.call_soon_threadsafe(self._answer, result)
