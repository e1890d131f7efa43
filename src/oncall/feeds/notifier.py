"""The outbox deliverer: sends due messages with an Idempotency-Key, retries with backoff.

Delivery model: at least once, with a key; exactly once as the receiver counts by key.
Each message is claimed in the database (`sending_until`, `sending_by`) before it is
sent, so two dispatchers never send one message at the same time. If a process dies
after the receiver got a message and before the delivery was recorded, the claim
expires and the message is sent again with the SAME Idempotency-Key (and, for
PagerDuty, the same dedup_key): a receiver that deduplicates by key counts it once.

Retries are scheduled in the row (attempts, next_attempt_at, last_error), so they
survive restarts. After `max_attempts`, or an answer that retrying cannot fix (most
4xx), the status becomes `failed`: still listed, and a supervisor can put it back
in line (services/feed_status.retry_delivery).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from oncall.config import TargetSettings
from oncall.domain.timefmt import maybe_from_iso, to_iso
from oncall.feeds.client import new_client, unique_holder
from oncall.feeds.fetch import (
    RETRY_STATUSES,
    SecretMissing,
    backoff_delay,
    describe_status,
    describe_transport_error,
)
from oncall.feeds.outbound import OutboxMessage, build_delivery
from oncall.feeds.page_pacing import plan_sends
from oncall.feeds.target_watch import TargetWatch
from oncall.routing import NoRoute, TargetUnknown, route
from oncall.services.context import ServiceContext
from oncall.services.outcome_consent import withhold_unconsented
from oncall.store import outbox
from oncall.store.errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How messages are retried."""

    max_attempts: int = 10
    """Attempts before a message is marked failed."""
    base_delay_s: float = 10.0
    """Wait after the first failure; doubles after each one."""
    max_delay_s: float = 600.0
    """Longest wait between attempts."""
    timeout_s: float = 10.0
    """Seconds to connect, and seconds of silence while reading the answer."""
    batch: int = 50
    """Messages claimed per tick."""
    concurrency: int = 8
    """Messages in flight at once."""
    page_spacing_s: float = 5.0
    """Least time between two pages to one target (feeds/page_pacing.py)."""
    backlog_pages: int = 3
    """More pages than this due at once for one target are announced by one summary first."""
    unroutable_recheck_s: float = 60.0
    """How often a message with no target for its recipient looks for one again."""

    @property
    def claim_s(self) -> float:
        """How long a claim lasts: well past the longest a send can take."""
        return 3 * self.timeout_s + 30.0


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one message this tick."""

    message_id: int
    idempotency_key: str
    delivered: bool
    gave_up: bool = False
    error: str | None = None
    next_attempt_at: datetime | None = None


class OutboxDeliverer:
    """Delivers due outbox messages; no Textual, no scheduler: call `deliver_due(now)`."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        targets: Sequence[TargetSettings] | None = None,
        client: httpx.AsyncClient | None = None,
        policy: DeliveryPolicy | None = None,
        environ: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        holder: str | None = None,
    ) -> None:
        self.ctx = ctx
        # Given targets stay fixed (tests, tools); the dispatcher's follow the settings file.
        self._watch = TargetWatch(tuple(ctx.settings.targets)) if targets is None else None
        self._fixed = tuple(targets or ())
        self.policy = policy or DeliveryPolicy()
        self.environ = environ
        self.rng = rng or random.Random()
        self.holder = holder or unique_holder("outbox")
        self._client = client
        self._owns_client = client is None

    async def __aenter__(self) -> OutboxDeliverer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this deliverer made it."""
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    @property
    def targets(self) -> tuple[TargetSettings, ...]:
        """The targets messages are routed to now."""
        return self._watch.current() if self._watch is not None else self._fixed

    def next_due(self) -> datetime | None:
        """When the earliest pending message can be sent (None when nothing is pending)."""
        with self.ctx.store.read() as conn:
            return maybe_from_iso(outbox.next_due_at(conn))

    async def deliver_due(self, now: datetime) -> list[DeliveryResult]:
        """Claim the messages due at `now` and send them; returns what happened to each."""
        until = now + timedelta(seconds=self.policy.claim_s)
        waiting: list[DeliveryResult] = []
        try:
            rows = await asyncio.to_thread(self._claim, now, until)
            if rows:
                rows, waiting = await asyncio.to_thread(self._pace, rows, now, until)
        except StoreError as error:  # locked or full: the next tick tries again
            log.warning("outbox: nothing claimed, the database refused: %s", error)
            return []
        if not rows:
            return waiting
        if self._client is None:
            self._client = new_client(self.policy.timeout_s)
        gate = asyncio.Semaphore(self.policy.concurrency)

        async def one(message: OutboxMessage) -> DeliveryResult:
            async with gate:
                try:
                    return await self._deliver(message, now)
                except StoreError as error:
                    # The outcome was not recorded: the claim lapses and the message is
                    # sent again with the same key, which the receiver counts once.
                    log.warning("outbox %s: outcome not recorded: %s", message.id, error)
                    return DeliveryResult(
                        message.id, message.idempotency_key, False, error=str(error)
                    )

        return waiting + list(await asyncio.gather(*(one(m) for m in rows)))

    def _claim(self, now: datetime, until: datetime) -> list[OutboxMessage]:
        with self.ctx.store.write() as conn:
            rows = outbox.claim_due(
                conn,
                now=to_iso(now),
                until=to_iso(until),
                holder=self.holder,
                limit=self.policy.batch,
            )
            messages = [OutboxMessage.from_row(row) for row in rows]
            # An outcome report whose client's consent lapsed or was revoked since it was
            # queued is cancelled here, in the claim's transaction, and never sent.
            claimed = [(m.id, m.kind, m.idempotency_key) for m in messages]
            withheld = withhold_unconsented(self.ctx, conn, claimed)
        return [m for m in messages if m.id not in withheld]

    def _pace(
        self, rows: list[OutboxMessage], now: datetime, until: datetime
    ) -> tuple[list[OutboxMessage], list[DeliveryResult]]:
        """The claimed messages to send now; pages not yet due go back to wait their turn."""
        targets = self.targets
        with self.ctx.store.write() as conn:
            plan = plan_sends(
                conn,
                rows,
                targets,
                now=now,
                spacing_s=self.policy.page_spacing_s,
                backlog_pages=self.policy.backlog_pages,
                holder=self.holder,
                until=until,
            )
        waiting = [
            DeliveryResult(m.id, m.idempotency_key, False, next_attempt_at=plan.later[m.id])
            for m in rows
            if m.id in plan.later
        ]
        return plan.now, waiting

    async def _deliver(self, message: OutboxMessage, now: datetime) -> DeliveryResult:
        """Send one claimed message and record the outcome."""
        try:
            target = route(message.target, self.targets).target
            delivery = build_delivery(message, target, self.environ, now)
        except NoRoute as error:
            return await asyncio.to_thread(self._unroutable, message, str(error), now)
        except (TargetUnknown, SecretMissing) as error:
            return await asyncio.to_thread(self._failed, message, str(error), False, now)
        assert self._client is not None
        try:
            response = await self._client.post(
                delivery.url,
                content=delivery.body,
                headers=delivery.headers,
                timeout=self.policy.timeout_s,
            )
        except httpx.TransportError as error:
            problem = describe_transport_error(error, self.policy.timeout_s)
            return await asyncio.to_thread(
                self._failed, message, f"{delivery.label}: {problem}", False, now
            )
        if 200 <= response.status_code < 300:
            return await asyncio.to_thread(self._delivered, message, target.name)
        status = describe_status(response)
        if response.status_code in RETRY_STATUSES or response.status_code >= 500:
            problem = f"{delivery.label} answered {status}"
            return await asyncio.to_thread(self._failed, message, problem, False, now)
        problem = (
            f"{delivery.label} refused the message ({status}); retrying will not help "
            "until the target or the message is fixed"
        )
        return await asyncio.to_thread(self._failed, message, problem, True, now)

    def _delivered(self, message: OutboxMessage, sent_to: str) -> DeliveryResult:
        with self.ctx.store.write() as conn:
            outbox.mark_delivered(conn, message.id, at=self.ctx.now_iso(), sent_to=sent_to)
        return DeliveryResult(message.id, message.idempotency_key, delivered=True)

    def _unroutable(self, message: OutboxMessage, error: str, now: datetime) -> DeliveryResult:
        """No target takes this recipient: say so now, and look again soon; never give up.

        The message keeps its recipient, so it goes out as soon as the settings gain a
        target for them (or the default), or a supervisor re-addresses it.
        """
        next_at = max(now, self.ctx.clock.now()) + timedelta(
            seconds=self.policy.unroutable_recheck_s
        )
        problem = f"undeliverable: {error}"
        with self.ctx.store.write() as conn:
            outbox.postpone(
                conn, message.id, holder=self.holder, next_attempt_at=to_iso(next_at), error=problem
            )
        log.warning("outbox %s (%s): %s", message.id, message.kind, problem)
        return DeliveryResult(
            message.id, message.idempotency_key, False, error=problem, next_attempt_at=next_at
        )

    def _failed(
        self, message: OutboxMessage, error: str, permanent: bool, now: datetime
    ) -> DeliveryResult:
        """Record a failed attempt: back off, or give up after the last attempt."""
        attempts = message.attempts  # already counts this attempt (claim_due adds one)
        give_up = permanent or attempts >= self.policy.max_attempts
        policy = self.policy
        delay = backoff_delay(attempts, policy.base_delay_s, policy.max_delay_s, self.rng)
        next_at = max(now, self.ctx.clock.now()) + timedelta(seconds=delay)
        with self.ctx.store.write() as conn:
            outbox.mark_attempt_failed(
                conn,
                message.id,
                holder=self.holder,
                error=f"attempt {attempts}: {error}",
                next_attempt_at=to_iso(next_at),
                give_up=give_up,
            )
        # Logged with the message id and kind only; the target label hides tokens.
        log.warning("outbox %s (%s): %s", message.id, message.kind, error)
        return DeliveryResult(
            message.id,
            message.idempotency_key,
            delivered=False,
            gave_up=give_up,
            error=error,
            next_attempt_at=None if give_up else next_at,
        )
