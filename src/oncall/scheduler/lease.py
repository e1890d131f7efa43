"""Holding the dispatcher lease: take it when free, renew it, give it up on a clean exit.

The lease runs on the wall clock, never the injected one: it is about which
processes are alive, and every process on the host shares that clock. Exactly
once does not rest on it (each side effect claims its row); the lease only
keeps the work in one place so that it is not attempted three times over.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from oncall.clock import Clock, SystemClock
from oncall.domain.timefmt import to_iso
from oncall.store import leases
from oncall.store.db import Store


def new_holder_id(role: str = "console") -> str:
    """A name for this process in the leases table: role, host, pid and a random suffix."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaseKeeper:
    """Takes and renews one lease for one holder; says whether it is held right now."""

    def __init__(
        self,
        store: Store,
        holder: str,
        *,
        ttl_s: float = 5.0,
        name: str = leases.DISPATCHER,
        clock: Clock | None = None,
        worker: bool = False,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError("A lease needs a positive time to live")
        self.store = store
        self.holder = holder
        self.name = name
        self.ttl = timedelta(seconds=ttl_s)
        self.clock: Clock = clock or SystemClock()
        self.worker = worker
        """An `oncall worker`: it says so in the leases table, and consoles yield to it."""
        self._held_until: datetime | None = None

    def try_hold(self) -> bool:
        """Take the lease if it is free or expired, renew it if ours; True while we hold it.

        A console does neither while a worker is running (and gives the lease up if it
        held it): dispatching belongs to the service, whose settings are the deployed
        ones, and a console that only looks writes nothing.
        """
        now = self.clock.now()
        until = now + self.ttl
        if not self.worker and self._worker_running(now):
            if self._held_until is not None:
                self.release()
            return False
        with self.store.write() as conn:
            if self.worker:
                leases.acquire(
                    conn, leases.WORKER, self.holder, now=to_iso(now), expires_at=to_iso(until)
                )
            won = leases.acquire(
                conn, self.name, self.holder, now=to_iso(now), expires_at=to_iso(until)
            )
        self._held_until = until if won else None
        return won

    def _worker_running(self, now: datetime) -> bool:
        with self.store.read() as conn:
            return leases.is_live(conn, leases.WORKER, now=to_iso(now))

    def is_held(self) -> bool:
        """True until the last successful renewal runs out (a failed renewal keeps it till then)."""
        return self._held_until is not None and self.clock.now() < self._held_until

    def release(self) -> None:
        """Give the lease up so another process takes over at once."""
        self._held_until = None
        with self.store.write() as conn:
            leases.release(conn, self.name, self.holder)
            if self.worker:
                leases.release(conn, leases.WORKER, self.holder)
