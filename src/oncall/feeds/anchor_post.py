"""Sending an audit anchor to a webhook, out of reach of whoever can write the database."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from oncall.feeds.fetch import USER_AGENT, describe_status
from oncall.secrets import SecretMissing, expand_secret, redact_url

TIMEOUT_S = 5.0


def post_anchor(url_setting: str, db_path: Path, line: str) -> str | None:
    """POST one anchor line (JSON) as `{"database": …, "anchor": {…}}`; a problem or None."""
    try:
        url = expand_secret(url_setting, "audit_anchor_url")
    except SecretMissing as error:
        return f"the anchor was not sent: {error}"
    try:
        response = httpx.post(
            url,
            json={"database": str(db_path), "anchor": json.loads(line)},
            headers={"User-Agent": USER_AGENT},
            timeout=TIMEOUT_S,
        )
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return f"the anchor was not sent to {redact_url(url)} ({type(error).__name__})"
    if not 200 <= response.status_code < 300:
        return (
            f"the anchor was not sent to {redact_url(url)}: it answered {describe_status(response)}"
        )
    return None
