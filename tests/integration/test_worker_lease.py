"""A running `oncall worker` owns dispatching: consoles yield the lease to it and write nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncall.domain.timefmt import to_iso
from oncall.scheduler.lease import LeaseKeeper, new_holder_id
from oncall.store import leases
from oncall.store.db import Store, connect

pytestmark = pytest.mark.slow

WORKER_ARGS = ["--lease-ttl", "2", "--renew-every", "0.3", "--tick", "0.5"]
WAIT_S = 20.0


def _holder(store: Store) -> str | None:
    with store.read() as conn:
        lease = leases.current(conn, leases.DISPATCHER)
    if lease is None or lease.expires_at < to_iso(datetime.now(UTC)):
        return None
    return lease.holder


def _writes(store: Store) -> int:
    """Rows this connection has changed so far (SQLite counts them per connection)."""
    with store.read() as conn:
        return conn.total_changes


def test_a_console_gives_the_lease_to_a_worker_and_then_writes_nothing(db_path: Path) -> None:
    setup = connect(db_path)
    setup.close()
    console_store = connect(db_path, create=False, migrate=False)
    console = LeaseKeeper(console_store, new_holder_id("console-alice"), ttl_s=2.0)
    assert console.try_hold(), "with no worker, the console dispatches"
    worker = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "worker", "--db", str(db_path), *WORKER_ARGS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The console renews as it would (every 0.3 s); the worker must end up holding it.
        deadline = time.monotonic() + WAIT_S
        while not (_holder(console_store) or "").startswith("worker@"):
            assert time.monotonic() < deadline, f"the lease stayed with {_holder(console_store)}"
            console.try_hold()
            time.sleep(0.3)
        assert not console.is_held()
        before = _writes(console_store)
        for _ in range(10):  # 3 s of an idle console's renewals
            assert not console.try_hold()
            time.sleep(0.3)
        assert _writes(console_store) == before, "an idle console wrote while a worker ran"
        assert (_holder(console_store) or "").startswith("worker@")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=WAIT_S) == 0
    # The worker gave both rows up on a clean stop: the console dispatches again at once.
    assert console.try_hold()
    console_store.close()
