"""The demo's stand-in paging service and hotlines, and the deliverer its past pages go through.

services/demo_history.py plays four weeks of on-call work on a moving clock; the
messages that work queues in the outbox leave through the real OutboxDeliverer, to
receivers simulated in process (nothing goes on the network). They accept every
message except while an outage of the clinic's outbound link is under way.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from oncall.clock import Clock
from oncall.feeds.notifier import DeliveryPolicy, DeliveryResult, OutboxDeliverer
from oncall.services.context import ServiceContext

POLICY = DeliveryPolicy(max_attempts=4, base_delay_s=120.0, max_delay_s=900.0)
"""Four tries over about a quarter of an hour, so an outage of hours makes a message fail."""
SEED = 20261120


@dataclass(frozen=True)
class Outage:
    """A window in which the clinic's outbound link is down: every message answers 503."""

    start: datetime
    end: datetime


def simulated_receivers(clock: Clock, outages: list[Outage]) -> httpx.MockTransport:
    """The paging service and the hotlines: all accepted (202), except during an outage."""

    def answer(request: httpx.Request) -> httpx.Response:
        now = clock.now()
        if any(o.start <= now < o.end for o in outages):
            return httpx.Response(503, text="service unavailable (demo outage)")
        return httpx.Response(202, json={"status": "success"})

    return httpx.MockTransport(answer)


class DemoPager:
    """Delivers the demo history's due outbox messages, on the history's clock."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.outages: list[Outage] = []
        """When the clinic's outbound link was down."""
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=simulated_receivers(ctx.clock, self.outages))
        self._deliverer = OutboxDeliverer(
            ctx, client=self._client, policy=POLICY, rng=random.Random(SEED), holder="demo-history"
        )

    def deliver_due(self, now: datetime) -> list[DeliveryResult]:
        """Send what is due at `now`; what happened to each message."""
        return self._loop.run_until_complete(self._deliverer.deliver_due(now))

    def outage(self, start: datetime, length: timedelta) -> None:
        """Take the outbound link down from `start` for `length`."""
        self.outages.append(Outage(start, start + length))

    def close(self) -> None:
        """Close the client and the event loop."""
        try:
            self._loop.run_until_complete(self._client.aclose())
        finally:
            self._loop.close()
