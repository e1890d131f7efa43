"""A console that polls for hours runs its polls on one thread, not a new thread per poll."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from textual.worker import Worker

from conftest import Clinic
from oncall.cli import make_app
from oncall.services.queue import QueueSource, QueueTallies
from oncall.ui.screens.dashboard import DashboardScreen

POLLS = 720
"""At the default 250 ms, three minutes of polling; at 2 ms here, a few seconds."""


async def test_many_polls_run_on_one_long_lived_thread(clinic: Clinic) -> None:
    settings = replace(clinic.settings, idle_lock_minutes=0, refresh_interval_s=0.002)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    store = app.services.store
    read_version = store.data_version
    polled_on: list[threading.Thread] = []

    def counted() -> int:
        polled_on.append(threading.current_thread())
        return read_version()

    store.data_version = counted  # type: ignore[method-assign]
    before = threading.active_count()
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def noted_start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    workers: list[str] = []
    real_worker_init = Worker.__init__

    def noted_worker(worker: Worker[Any], *args: Any, **kwargs: Any) -> None:
        real_worker_init(worker, *args, **kwargs)
        workers.append(worker.group)

    threading.Thread.start = noted_start  # type: ignore[method-assign]
    Worker.__init__ = noted_worker  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(100, 30)):
            for _ in range(2000):  # until enough polls have come back, not for a set time
                if len(polled_on) >= POLLS:
                    break
                await asyncio.sleep(0.01)
            assert len(polled_on) >= POLLS, f"only {len(polled_on)} polls ran"
            during = threading.active_count()
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
        Worker.__init__ = real_worker_init  # type: ignore[method-assign]
    pollers = {id(thread) for thread in polled_on}
    assert len(pollers) == 1, f"{len(polled_on)} polls ran on {len(pollers)} threads"
    assert polled_on[0] is not threading.main_thread(), "the poll must stay off the event loop"
    # A worker per poll is a task, a Worker and three state messages through the app's
    # queue four times a second, and a place in the executor other work shares.
    assert len(workers) < 10, f"{len(workers)} workers for {len(polled_on)} polls"
    assert len(started) < 10, f"{len(started)} threads started for {len(polled_on)} polls"
    assert during - before < 10
    polled_on[0].join(timeout=5)
    assert not polled_on[0].is_alive(), "the poll thread ends with the console"


async def test_the_queue_recounts_deadlines_on_one_thread_without_a_worker_each_second(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(clinic.settings, idle_lock_minutes=0)
    app = make_app(settings, actor="alice", clock=clinic.clock)
    counted_on: list[threading.Thread] = []
    real_tallies = QueueSource.tallies

    def noted(source: QueueSource, now: datetime) -> QueueTallies:
        counted_on.append(threading.current_thread())
        return real_tallies(source, now)

    monkeypatch.setattr(QueueSource, "tallies", noted)
    async with app.run_test(size=(100, 30)):
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        workers_before = len(app.workers) + len(screen.workers)
        created: list[Worker[Any]] = []
        monkeypatch.setattr(Worker, "_start", _noting(created, Worker._start))
        for _ in range(30):  # thirty seconds' worth of the one-second countdown
            counted = len(counted_on)
            screen._tick()
            for _ in range(500):
                if len(counted_on) > counted and not screen._counting:
                    break
                await asyncio.sleep(0.005)
        assert not created, f"{len(created)} workers for 30 counts"
        assert len(app.workers) + len(screen.workers) <= workers_before
    threads = {id(thread) for thread in counted_on if thread is not threading.main_thread()}
    assert len(threads) == 1, f"counted on {len(threads)} threads"


def _noting(created: list[Worker[Any]], start: Any) -> Any:
    def noted(worker: Worker[Any], *args: Any, **kwargs: Any) -> Any:
        created.append(worker)
        return start(worker, *args, **kwargs)

    return noted
