"""What a console's live refresh costs in threads and workers over minutes of idle polling.

One console of a small clinic sits on the queue, polling at the default interval
(250 ms) for --seconds. Counted, not timed: threads started, distinct threads the
polls ran on, Textual workers created, and the most threads alive at once.

    .venv/bin/python -m benchmarks.bench_poll_threads --seconds 180
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


async def measure(folder: Path, seconds: float) -> dict[str, int]:
    """Poll for `seconds` on the queue; the counts."""
    sys.path[:0] = ["tests"]
    from textual.worker import Worker

    from conftest import build_clinic
    from oncall.cli import make_app
    from oncall.clock import FrozenClock
    from oncall.store.db import connect

    store = connect(folder / "bench.db")
    clinic = build_clinic(store, FrozenClock(datetime(2026, 11, 22, 11, tzinfo=UTC)))
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    read_version = app.services.store.data_version
    polled_on: list[threading.Thread] = []
    started: list[threading.Thread] = []
    workers = [0]

    def counted() -> int:
        polled_on.append(threading.current_thread())
        return read_version()

    real_start, real_worker_init = threading.Thread.start, Worker.__init__

    def noted_start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    def noted_worker(worker: Worker[Any], *args: Any, **kwargs: Any) -> None:
        workers[0] += 1
        real_worker_init(worker, *args, **kwargs)

    app.services.store.data_version = counted  # type: ignore[method-assign]
    threading.Thread.start = noted_start  # type: ignore[method-assign]
    Worker.__init__ = noted_worker  # type: ignore[method-assign]
    most = 0
    try:
        async with app.run_test(size=(120, 36)):
            loop = asyncio.get_running_loop()
            until = loop.time() + seconds
            while loop.time() < until:
                most = max(most, threading.active_count())
                await asyncio.sleep(0.5)
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
        Worker.__init__ = real_worker_init  # type: ignore[method-assign]
    store.close()
    return {
        "polls": len(polled_on),
        "threads the polls ran on": len({id(t) for t in polled_on}),
        "threads started": len(started),
        "workers created": workers[0],
        "most threads alive": most,
    }


def main() -> None:
    """Poll for --seconds and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        counts = asyncio.run(measure(Path(folder), args.seconds))
    print(
        f"{args.seconds:.0f} s of idle polling: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
