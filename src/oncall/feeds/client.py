"""The HTTP client the feeds and the notifier share, and how a process names its claims."""

from __future__ import annotations

import logging
import os
import socket
import uuid

import httpx

from oncall.feeds.fetch import USER_AGENT

# httpx logs every request's full URL at INFO; a feed URL may carry a token in its query
# string, so only its warnings go to the logs. Our own messages use redact_url().
logging.getLogger("httpx").setLevel(logging.WARNING)


def new_client(timeout_s: float) -> httpx.AsyncClient:
    """An AsyncClient that never follows redirects (credentials stay with the configured URL)."""
    return httpx.AsyncClient(
        timeout=timeout_s,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        # Connection failures are retried by send_with_retries with backoff, not here.
        transport=httpx.AsyncHTTPTransport(retries=0),
    )


def unique_holder(role: str) -> str:
    """A name for this poller or deliverer in claim columns: host, process, and a nonce."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
