"""HTTP requests for feeds and the notifier: retries with backoff and jitter, secrets unseen.

httpx's own transport retries cover only failed connections; timeouts, broken bodies
and 5xx answers are retried here. No retry library is used: the in-request loop is a
few lines, and the retries that matter most (the next poll, the next delivery) are
scheduled in the database so that they survive a restart, which no library does.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from oncall.secrets import (
    SecretMissing,
    expand_secret,
    mask_secret,
    redact_url,
    scrub_secrets,
)

USER_AGENT = "oncall/0.1"
__all__ = [
    "RETRY_STATUSES",
    "USER_AGENT",
    "FetchFailed",
    "RetryPolicy",
    "SecretMissing",
    "backoff_delay",
    "describe_status",
    "describe_transport_error",
    "expand_secret",
    "mask_secret",
    "redact_url",
    "send_with_retries",
]

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers that say "try again later"; other 5xx are retried too."""

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request tries before its failure is recorded."""

    attempts: int = 3
    """Tries per request (the first one included)."""
    base_delay_s: float = 0.5
    """Pause before the second try; it doubles for each try after."""
    max_delay_s: float = 8.0
    """Longest pause between tries (also caps a server's Retry-After)."""
    timeout_s: float = 10.0
    """Seconds to connect, and seconds of silence while reading, before giving up."""


class FetchFailed(Exception):
    """A request failed for good; the message is safe to show and to store."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(scrub_secrets(message))
        self.status = status


def backoff_delay(failures: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random.

    The random half spreads out clients that failed together, so a receiver that comes
    back is not hit by all of them in the same second.
    """
    ceiling = min(cap_s, base_s * 2.0 ** max(failures - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _retry_after(response: httpx.Response, cap: float) -> float | None:
    """The server's Retry-After, in seconds, when it gave one (capped)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), cap)


def describe_transport_error(error: httpx.TransportError, timeout_s: float) -> str:
    """Plain words for a failed exchange (never the request's headers)."""
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within {timeout_s:g} s"
    if isinstance(error, httpx.ConnectError):
        return scrub_secrets(f"could not connect ({error or 'connection failed'})")
    if isinstance(error, httpx.RemoteProtocolError):
        return scrub_secrets(f"the answer was cut off or malformed ({error})")
    return scrub_secrets(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


def describe_status(response: httpx.Response) -> str:
    """'503 Service Unavailable' and the like; the reason phrase is the server's own text,
    and one echoed the request's token back (issue 16): secrets are scrubbed from it."""
    return scrub_secrets(f"{response.status_code} {response.reason_phrase}".strip())


def _check_url(url: str) -> None:
    """Refuse a URL no try can reach (port 99999 ended the worker's poll in a traceback)."""
    try:
        port = httpx.URL(url).port
    except httpx.InvalidURL as error:
        raise FetchFailed(f"the URL {redact_url(url)} is not valid: {error}") from None
    if port is not None and not 0 < port < 65536:
        raise FetchFailed(
            f"the URL {redact_url(url)} is not valid: port {port} is not between 1 and 65535"
        )


async def _read_body(response: httpx.Response, max_bytes: int | None) -> None:
    """Read a streamed answer's body into the response, refusing one over `max_bytes`."""
    if max_bytes is None:
        await response.aread()
        return
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise FetchFailed(_too_large(announced, max_bytes))
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchFailed(_too_large("", max_bytes))
    response._content = bytes(body)  # what aread() would have set


def _too_large(announced: str, max_bytes: int) -> str:
    size = f"was {int(announced):,} bytes; the limit is" if announced else "was longer than"
    return f"the answer {size} {max_bytes:,} bytes (max_feed_response_bytes): it was not read"


async def send_with_retries(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    policy: RetryPolicy,
    rng: random.Random,
    content: bytes | None = None,
    sleep: Sleep = asyncio.sleep,
    max_bytes: int | None = None,
) -> httpx.Response:
    """Send one request, retrying failed connections, timeouts and "try later" answers.

    Returns the first answer that is not worth retrying (2xx, 3xx, most 4xx); raises
    FetchFailed with the last problem when every try failed. With `max_bytes`, the body
    is streamed and a longer one is refused (FetchFailed) without being held.
    """
    _check_url(url)
    problem = "no attempt was made"
    status: int | None = None
    for attempt in range(1, policy.attempts + 1):
        wait: float | None = None
        try:
            request = client.build_request(
                method, url, headers=dict(headers), content=content, timeout=policy.timeout_s
            )
            response = await client.send(request, stream=True)
            try:
                await _read_body(response, max_bytes)
            finally:
                await response.aclose()
        except httpx.TransportError as error:
            problem, status = describe_transport_error(error, policy.timeout_s), None
        else:
            if response.status_code not in RETRY_STATUSES and response.status_code < 500:
                return response
            problem, status = (
                f"the server answered {describe_status(response)}",
                (response.status_code),
            )
            wait = _retry_after(response, policy.max_delay_s)
        if attempt < policy.attempts:
            if wait is None:
                wait = backoff_delay(attempt, policy.base_delay_s, policy.max_delay_s, rng)
            await sleep(wait)
    tries = f" (tried {policy.attempts} times)" if policy.attempts > 1 else ""
    raise FetchFailed(problem + tries, status=status)
