"""PagerDuty Events API v2: a page a responder can act on, without protected health information.

The summary and custom details are built only from structured facts the
escalation recorded (severity, kind, age, alert / episode / follow-up reference,
who it escalated from and to), never from a client's name or any free text. A
page's `dedup_key` is its message's idempotency key; the `acknowledge` and
`resolve` that follow it (services/page_updates.py) carry the same key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from oncall.config import TargetSettings
from oncall.domain.followup_work import follow_up_ref
from oncall.domain.timefmt import maybe_from_iso
from oncall.feeds.fetch import expand_secret
from oncall.routing import TargetUnknown

SEVERITY = {"imminent": "critical", "high": "error", "moderate": "warning", "low": "info"}
NATIVE = {"critical", "error", "warning", "info"}
ACTIONS = frozenset({"trigger", "acknowledge", "resolve"})
DETAIL_KEYS = (
    "alert_id",
    "episode_id",
    "follow_up_id",
    "level",
    "severity",
    "kind",
    "follow_up_kind",
    "reason",
    "received_at",
    "ack_deadline_at",
    "due_at",
    "fired_at",
    "escalated_from",
    "escalated_to",
    "backlog",
)
"""The only payload facts a PagerDuty event carries (structured, never free text)."""
ROLE_WORDS = {
    "backup_on_call": "backup on call",
    "supervisor": "supervisor",
    "episode_owner": "episode owner",
    "assignee": "assignee",
    "colleague": "a colleague",
}


def _age(since: str | None, now: datetime) -> str | None:
    at = maybe_from_iso(since) if since else None
    if at is None:
        return None
    minutes = max(int((now - at).total_seconds() // 60), 0)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def page_summary(kind: str, data: Mapping[str, Any], now: datetime) -> str:
    """One line a responder can act on: what, how urgent, how old, to whom and from whom."""
    severity = str(data.get("severity") or "").upper()
    to = ROLE_WORDS.get(str(data.get("target") or ""), _words(data.get("target") or "you"))
    came_from = data.get("escalated_from")
    from_part = f" (from {came_from})" if came_from else ""
    if "backlog" in data:
        backlog = data["backlog"]
        return (
            f"oncall: {backlog.get('pages', 0)} pages waited while no dispatcher ran"
            f" ({backlog.get('by_severity', '')}); each follows, one every"
            f" {backlog.get('spacing_s', 0):g} s, most urgent first"
        )
    asked_by = data.get("from")
    if kind == "page" and asked_by:  # a supervisor's request from the board
        about = (
            f"{severity} {_words(data.get('kind') or 'alert')} alert #{data['alert_id']}"
            if data.get("alert_id") is not None
            else f"episode #{data['episode_id']}"
            if data.get("episode_id") is not None
            else "the on-call work"
        )
        return f"{about}: {asked_by} asks you to take it (oncall)"
    if data.get("alert_id") is not None and kind in ("escalation", "page"):
        age = _age(data.get("received_at"), now)
        level = data.get("level")
        return (
            f"{severity} {_words(data.get('kind') or 'alert')} alert #{data['alert_id']}"
            f"{f' unacknowledged {age}' if age else ''}:"
            f" {'level ' + str(level) + ' ' if level and kind == 'escalation' else ''}"
            f"escalated to {to}{from_part}"
        )
    if data.get("follow_up_id") is not None:
        late = _age(data.get("due_at"), now)
        reason = f" {_words(data['reason'])}," if data.get("reason") else ""
        return (
            f"Follow-up {follow_up_ref(int(data['follow_up_id']))}"
            f" ({_words(data.get('follow_up_kind') or '')}){reason}"
            f"{f' due {late} ago' if late else ' due'}:"
            f" {_words(kind)} to {to}{from_part}"
        )
    if data.get("episode_id") is not None:
        late = _age(data.get("handoff_deadline_at"), now)
        return (
            f"Episode #{data['episode_id']}: {_words(kind)}"
            f"{f', {late} past its deadline' if late else ''} to {to}{from_part}"
        )
    return f"oncall: {_words(kind)} to {to}{from_part}"


def pagerduty_event(
    kind: str,
    idempotency_key: str,
    data: Mapping[str, Any],
    target: TargetSettings,
    environ: Mapping[str, str] | None,
    now: datetime,
) -> dict[str, Any]:
    """An Events API v2 event: trigger, or acknowledge / resolve of an earlier page."""
    if not target.routing_key:
        raise TargetUnknown(f"target {target.name!r} is a pagerduty target without routing_key")
    routing_key = expand_secret(target.routing_key, f"target {target.name}'s routing_key", environ)
    action = str(data.get("event_action") or "trigger")
    if action not in ACTIONS:
        action = "trigger"
    dedup_key = str(data.get("dedup_key") or idempotency_key)
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": action,
        "dedup_key": dedup_key,
    }
    if action != "trigger":
        return event
    raw = str(data.get("severity", "")).lower()
    severity = raw if raw in NATIVE else SEVERITY.get(raw, "error")
    details = {key: data[key] for key in DETAIL_KEYS if data.get(key) is not None}
    event["payload"] = {
        "summary": page_summary(kind, data, now)[:1024],
        "severity": severity,
        "source": "oncall",
        "component": kind,
        "custom_details": details,
    }
    event["client"] = "oncall"
    return event
