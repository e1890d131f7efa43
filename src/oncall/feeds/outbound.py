"""What an outbox message becomes on the wire: its target, its body, its headers.

Two target kinds: a generic JSON webhook, and a PagerDuty Events API v2 compatible
event. Client names, phone numbers and addresses never leave in a payload, except
in a kind whose purpose is that disclosure: the hotline outcome report, which is
queued only when the client's consent is on file (services/closing.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from oncall.config import TargetSettings
from oncall.feeds.fetch import USER_AGENT, redact_url
from oncall.feeds.pagerduty import pagerduty_event
from oncall.routing import NoRoute, TargetUnknown, route

__all__ = [
    "Delivery",
    "NoRoute",
    "OutboxMessage",
    "TargetUnknown",
    "build_delivery",
    "resolve_target",
    "withhold_personal",
]

PERSONAL_KEYS = frozenset(
    {
        "name",
        "client_name",
        "preferred_name",
        "phone",
        "client_phone",
        "callback",
        "address",
        "date_of_birth",
        "dob",
        "email",
        "emergency_contact",
        "emergency_contacts",
    }
)
"""Payload keys withheld from every message whose kind is not in DISCLOSING_KINDS."""
DISCLOSING_KINDS = frozenset({"hotline_outcome"})
"""Kinds whose purpose is a disclosure, gated by consent where they are queued (W7)."""


@dataclass(frozen=True)
class OutboxMessage:
    """One outbox row as the notifier sees it."""

    id: int
    kind: str
    target: str
    payload: dict[str, Any]
    idempotency_key: str
    created_at: str
    attempts: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OutboxMessage:
        """Read an outbox row."""
        payload = json.loads(row["payload"])
        return cls(
            id=row["id"],
            kind=row["kind"],
            target=row["target"],
            payload=payload if isinstance(payload, dict) else {"value": payload},
            idempotency_key=row["idempotency_key"],
            created_at=row["created_at"],
            attempts=row["attempts"],
        )


@dataclass(frozen=True)
class Delivery:
    """One POST, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]
    label: str
    """Where it goes, fit to show (no query string, no token)."""


def resolve_target(target: str, targets: Sequence[TargetSettings]) -> TargetSettings:
    """The configured target a message addressed to `target` goes to now (oncall/routing.py)."""
    return route(target, targets).target


def withhold_personal(value: Any) -> Any:
    """A copy of a payload without personal keys (names, phones, addresses), at any depth."""
    if isinstance(value, Mapping):
        return {
            k: withhold_personal(v) for k, v in value.items() if str(k).lower() not in PERSONAL_KEYS
        }
    if isinstance(value, list):
        return [withhold_personal(item) for item in value]
    return value


def build_delivery(
    message: OutboxMessage,
    target: TargetSettings,
    environ: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Delivery:
    """The POST for one message to one target (raises SecretMissing, TargetUnknown)."""
    if message.kind in DISCLOSING_KINDS and message.target != f"hotline:{target.name}":
        # A report queued by an older version to a URL that came with the alert: a feed
        # record must not choose where a disclosure goes (issue 16). Not sent.
        raise TargetUnknown(
            f"an outcome report goes only to a target configured for its hotline; "
            f"{redact_url(message.target)} came with the alert and is not used"
        )
    data = message.payload
    if message.kind not in DISCLOSING_KINDS:
        data = withhold_personal(data)
    if target.kind == "pagerduty":
        at = now or datetime.now(UTC)
        body = pagerduty_event(message.kind, message.idempotency_key, data, target, environ, at)
    elif target.kind == "webhook":
        body = {
            "idempotency_key": message.idempotency_key,
            "kind": message.kind,
            "created_at": message.created_at,
            "data": data,
        }
    else:
        raise TargetUnknown(f"target {target.name!r} has unknown kind {target.kind!r}")
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": message.idempotency_key,
        "User-Agent": USER_AGENT,
    }
    encoded = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    return Delivery(target.url, encoded, headers, f"{target.name} ({redact_url(target.url)})")
