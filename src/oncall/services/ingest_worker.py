"""Preparing an alert file in a second process while this one writes it to the database.

An import is CPU-bound in two parts: reading and validating records
(`ingest.prepare_batches`, about a third of the work) and inserting them with their
audit rows (`ingest.write_batches`, the rest). A thread cannot run them at once (the
GIL); a forked process can. The worker is forked before the database is opened, so it
holds no SQLite handle; it sends each `PreparedBatch` down a pipe, pickled, and the
writer takes them in file order. The pipe holds about a megabyte, so the worker is at
most a batch or two ahead and memory stays flat.

The worker ends when the writer stops reading: its next write fails (the pipe is
closed, also when the writer is killed) and it exits without a word. A worker that
dies (killed, out of memory) ends the import with `PreparationStopped`, after every
batch that did arrive was committed.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import BinaryIO, NoReturn

from oncall.domain.record_stream import MAX_RECORD, read_alert_records
from oncall.services.ingest import PreparedBatch, prepare_batches

WORKER_MIN_BYTES = 256 * 1024
"""Files smaller than this (about a thousand records) are prepared in this process."""
PIPE_BYTES = 1024 * 1024
"""Pipe capacity asked for (Linux): about two prepared batches."""


class PreparationStopped(Exception):
    """The worker preparing the records stopped before the end of the file."""


def worker_available() -> bool:
    """True where a prepared-in-a-worker import is used: Linux, which forks cheaply and safely.

    macOS can fork, but system libraries there are not fork-safe; elsewhere there is no fork.
    """
    return sys.platform == "linux" and hasattr(os, "fork")


@contextmanager
def prepared_batches(
    data: bytes, *, worker: bool | None = None, max_record: int = MAX_RECORD
) -> Iterator[Iterator[PreparedBatch]]:
    """The prepared batches of an alert file, from a worker process or from this one.

    Enter it before opening the database: the worker is forked on entry. `worker`
    None decides by size and platform; True or False forces it (tests, measurements).
    The worker, if any, is gone when the block exits, however it exits.
    """
    if worker is None:
        worker = len(data) >= WORKER_MIN_BYTES and worker_available()
    started = None
    if worker:
        with suppress(OSError):  # no fork (out of processes or memory): do it all here
            started = _start(data, max_record)
    if started is None:
        yield prepare_batches(read_alert_records(data, max_record))
        return
    del data  # the worker has its copy; here only the batches are needed
    pid, source = started
    finished = False
    try:

        def batches() -> Iterator[PreparedBatch]:
            nonlocal finished
            while True:
                try:
                    batch = pickle.load(source)  # from our own fork, through a private pipe
                except EOFError:
                    raise PreparationStopped(
                        "The process reading the file stopped unexpectedly."
                    ) from None
                if batch is None:
                    finished = True
                    return
                if isinstance(batch, str):
                    raise PreparationStopped(f"Reading the file failed ({batch}).")
                yield batch

        yield batches()
    finally:
        if not finished:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        source.close()
        os.waitpid(pid, 0)


def _start(data: bytes, max_record: int) -> tuple[int, BinaryIO]:
    """Fork the worker; this process keeps the pipe's reading end."""
    read_end, write_end = os.pipe()
    if sys.platform == "linux":
        import fcntl

        with suppress(OSError):  # a smaller pipe (the system's limit) only means less ahead
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (measured by the proofs)
        os.close(read_end)
        _serve(data, write_end, max_record)
    os.close(write_end)
    return pid, os.fdopen(read_end, "rb")


def _serve(data: bytes, write_end: int, limit: int) -> NoReturn:  # pragma: no cover - in the child
    """The worker: prepare every batch and send it; then None. Never returns."""
    code = 0
    try:
        # Ctrl-C is the writer's to handle; the worker ends when the pipe closes.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with os.fdopen(write_end, "wb") as sink:
            try:
                for batch in prepare_batches(read_alert_records(data, limit)):
                    pickle.dump(batch, sink, pickle.HIGHEST_PROTOCOL)
                    sink.flush()
                pickle.dump(None, sink)
            except BrokenPipeError:
                raise
            except Exception as error:  # the type only: a message could quote a record
                pickle.dump(type(error).__name__, sink)
                code = 1
    except BaseException:  # the writer is gone (broken pipe) or stopped us: nothing to say
        code = code or 1
    finally:
        os._exit(code)
