"""How long a burst of keys takes to be applied, in order, by the console.

A 300-character note and ctrl+s are put into the app's queue at once (as a terminal
delivers a paste or a fast SSH link), on the episode screen of a small clinic. Measured:
from the first key sent to the note stored and its form closed, per run and per key.
(Without the typeahead guard there is nothing comparable to time: the save runs before
the text arrives and is refused, and keys land on the screen underneath.)

    .venv/bin/python -m benchmarks.bench_typeahead --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oncall.store.db import Store

NOTE = ("Client calmer, sister present, pills locked in the car; 988 if urges return. " * 4)[:300]


async def one_run(folder: Path) -> float:
    """Seconds from the first key of the burst to the form saved and closed."""
    sys.path[:0] = ["tests", "tests/ui"]
    from burst import key_event, keys_of
    from episode_helpers import open_episode

    from conftest import build_clinic
    from oncall.cli import make_app
    from oncall.clock import FrozenClock
    from oncall.store.db import connect
    from oncall.ui.screens.episode import EpisodeScreen

    store = connect(folder / f"bench-{time.monotonic_ns()}.db")
    clinic = build_clinic(store, FrozenClock(datetime(2026, 11, 22, 11, tzinfo=UTC)))
    episode_id = open_episode(clinic)
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        started = time.perf_counter()
        for key in ["n", *keys_of(NOTE), "ctrl+s"]:
            event = key_event(key)
            event.set_sender(app)
            driver.send_message(event)
        deadline = started + 60
        while not (isinstance(app.screen, EpisodeScreen) and _noted(store, episode_id)):
            if time.perf_counter() > deadline:
                print("the note was not saved within 60 s", file=sys.stderr)
                break
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - started
        await pilot.pause()
    store.close()
    return elapsed


def _noted(store: Store, episode_id: int) -> bool:
    from oncall.domain.types import EventKind
    from oncall.store import episodes as episode_rows

    with store.read() as conn:
        return episode_rows.has_event(conn, episode_id, EventKind.NOTE)


def main() -> None:
    """Run the burst N times and print min / median / max."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        times = [asyncio.run(one_run(Path(folder))) for _ in range(args.runs)]
    keys = len(NOTE) + 2
    print(
        f"{keys} keys in one burst, {args.runs} runs: "
        f"min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms "
        f"({statistics.median(times) / keys * 1000:.2f} ms per key)"
    )


if __name__ == "__main__":
    main()
