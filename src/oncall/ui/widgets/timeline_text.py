"""Timeline events and times in a clinician's words (plain Text, never markup)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.cssrs import QUESTIONS
from oncall.domain.models import TimelineEvent
from oncall.domain.overdose import OverdoseFlag
from oncall.domain.timefmt import from_iso
from oncall.domain.types import EventKind, FollowUpKind
from oncall.ui.widgets.overdose_text import describe_step

FOLLOW_UP_LABELS: dict[FollowUpKind, str] = {
    FollowUpKind.CONTACT_24H: "Contact within 24 h",
    FollowUpKind.DAILY_CHECKIN: "Daily check-in",
    FollowUpKind.CALL_72H: "Call at 72 h",
    FollowUpKind.CARING_CONTACT: "Caring contact",
}

KIND_WORDS: dict[EventKind, str] = {
    EventKind.NOTE: "note",
    EventKind.ALERT_ATTACHED: "alert",
    EventKind.LOCATION_CONFIRMED: "location confirmed",
    EventKind.CONTACT_ATTEMPT: "contact attempt",
    EventKind.RISK_SCREENING: "C-SSRS screener",
    EventKind.OVERDOSE_SCREENING: "overdose-risk checklist",
    EventKind.OVERDOSE_RESPONSE: "overdose in progress",
    EventKind.SAFETY_PLAN_REVIEW: "safety-plan review",
    EventKind.COPING_USED: "coping / de-escalation",
    EventKind.REFERRAL: "referral",
    EventKind.WARM_HANDOFF: "warm handoff",
    EventKind.HANDOFF_CONFIRMED: "handoff confirmed",
    EventKind.EMERGENCY_SERVICES: "emergency services",
    EventKind.EMERGENCY_CONTACT_NOTIFIED: "emergency contact notified",
    EventKind.STATUS_CHANGE: "status change",
    EventKind.ESCALATION: "escalation",
    EventKind.FOLLOW_UP_SCHEDULED: "follow-up scheduled",
    EventKind.FOLLOW_UP_ACTIVITY: "follow-up",
    EventKind.OUTCOME: "closed",
    EventKind.AMENDMENT: "amendment",
}


def words(value: object) -> str:
    """A stored key such as `no_answer` as words ("no answer")."""
    return str(value or "").replace("_", " ")


def event_time(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A time in the clinic's zone: "03:14" today, "Nov 21 03:14" on another day."""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%b %d %H:%M}"


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    return "" if value is None else str(value).strip()


def _then(*parts: str) -> str:
    """Join the non-empty parts into one sentence-like line."""
    return " ".join(p for p in parts if p)


def _when(body: Mapping[str, Any], key: str, zone: ZoneInfo, now: datetime) -> str:
    raw = body.get(key)
    try:
        return event_time(from_iso(str(raw)), zone, now)
    except (TypeError, ValueError):
        return str(raw or "")


def _cssrs(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    answers = body.get("answers") or {}
    yes = [q.number for q in QUESTIONS if isinstance(answers, dict) and answers.get(q.key) is True]
    said = f"yes to {', '.join(yes)}" if yes else "no to every question"
    return f"C-SSRS screener: risk {words(body.get('risk_level')).upper()} ({said})."


def _overdose(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    labels = []
    for key in body.get("flags") or []:
        try:
            labels.append(OverdoseFlag(key).label.lower())
        except ValueError:
            labels.append(words(key))
    found = "; ".join(labels) if labels else "no flags"
    before = words(body.get("risk_before")) or "not screened"
    after = words(body.get("risk_level")) or "not screened"
    change = f"risk {before} → {after.upper()}" if before != after else f"risk stays {after}"
    return f"Overdose-risk checklist: {found}; {change}."


def _follow_up(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    try:
        label = FOLLOW_UP_LABELS[FollowUpKind(str(body.get("kind")))]
    except (KeyError, ValueError):
        label = words(body.get("kind"))
    return f"Follow-up scheduled: {label}, due {_when(body, 'due_at', zone, now)}."


_FOLLOW_UP_ACTIONS = {
    "attempt": "attempt",
    "caring_contact": "caring contact sent",
    "completed": "completed",
    "rescheduled": "rescheduled",
    "handed_over": "handed to a colleague",
    "cancelled": "cancelled",
}


def _follow_up_activity(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    action = str(body.get("action"))
    head = f"Follow-up F-{body.get('follow_up_id')} {_FOLLOW_UP_ACTIONS.get(action, words(action))}"
    if action == "attempt":
        head += f" by {words(body.get('channel'))}: {words(body.get('result'))}."
    elif action == "completed":
        head += f": {words(body.get('outcome'))}."
    elif action == "rescheduled":
        head += f" to {_when(body, 'due_at', zone, now)} as F-{body.get('replaced_by')}."
    else:
        head += "."
    return _then(head, _text(body, "note"), _text(body, "reason"))


def _outcome(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    count = body.get("follow_ups") or 0
    plan = (
        f"{count} follow-up{'s' if count != 1 else ''} scheduled."
        if count
        else f"No follow-up: {_text(body, 'no_follow_up_reason')}."
    )
    return _then(f"Closed — {_text(body, 'label')}.", f"Summary: {_text(body, 'summary')}", plan)


def _alert(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    handoff = body.get("handoff")
    via = ""
    if isinstance(handoff, dict):
        via = f"(handoff from {handoff.get('org')}, ref {handoff.get('reference') or 'none'})"
    return _then(
        f"Alert, {words(body.get('severity'))} {words(body.get('kind'))}"
        f" from {_text(body, 'source')}: {_text(body, 'summary')}",
        via,
    )


def _emergency(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    return _then(
        f"Emergency services requested: {_text(body, 'service')}.",
        f"Told {_text(body, 'recipient_name')} ({_text(body, 'recipient_affiliation')})",
        f"at {_when(body, 'disclosed_at', zone, now)}, disclosed by {_text(body, 'disclosed_by')}.",
        f"Nature: {_text(body, 'nature_of_emergency')}.",
        f"Ref {_text(body, 'reference')}." if body.get("reference") else "",
    )


def _status_change(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    if body.get("change") != "owner":
        raise ValueError("not an owner change")  # shown by its fields
    return (
        f"Episode handed from {_text(body, 'from')} to {_text(body, 'to')} by {_text(body, 'by')}."
    )


Describer = Callable[[Mapping[str, Any], ZoneInfo, datetime], str]

_DESCRIBERS: dict[EventKind, Describer] = {
    EventKind.NOTE: lambda b, z, n: f"Note: {_text(b, 'text')}",
    EventKind.ALERT_ATTACHED: _alert,
    EventKind.LOCATION_CONFIRMED: lambda b, z, n: _then(
        f"Location confirmed: {_text(b, 'text')}", f"({_text(b, 'zip')})" if b.get("zip") else ""
    ),
    EventKind.CONTACT_ATTEMPT: lambda b, z, n: _then(
        f"Contact attempt by {words(b.get('channel'))} with {_text(b, 'who')}:",
        f"{words(b.get('result'))}.",
        _text(b, "note"),
    ),
    EventKind.RISK_SCREENING: _cssrs,
    EventKind.OVERDOSE_SCREENING: _overdose,
    EventKind.OVERDOSE_RESPONSE: describe_step,
    EventKind.SAFETY_PLAN_REVIEW: lambda b, z, n: _then(
        f"Safety plan (version {b.get('plan_version')}) reviewed with the client.",
        _text(b, "note"),
    ),
    EventKind.COPING_USED: lambda b, z, n: f"Coping / de-escalation used: {_text(b, 'text')}",
    EventKind.REFERRAL: lambda b, z, n: f"Referred to {_text(b, 'resource')}: {_text(b, 'text')}",
    EventKind.WARM_HANDOFF: lambda b, z, n: _then(
        f"Warm handoff to {_text(b, 'to_whom')} ({_text(b, 'organization')}).",
        f"Ref {_text(b, 'reference')}." if b.get("reference") else "",
        _text(b, "note"),
    ),
    EventKind.HANDOFF_CONFIRMED: lambda b, z, n: _then(
        "Hotline handoff confirmed: contact made.", _text(b, "note")
    ),
    EventKind.EMERGENCY_SERVICES: _emergency,
    EventKind.EMERGENCY_CONTACT_NOTIFIED: lambda b, z, n: _then(
        f"Emergency contact notified: {_text(b, 'name')} ({_text(b, 'relation')}).",
        f"Said: {_text(b, 'what_was_said')}",
    ),
    EventKind.FOLLOW_UP_SCHEDULED: _follow_up,
    EventKind.FOLLOW_UP_ACTIVITY: _follow_up_activity,
    EventKind.OUTCOME: _outcome,
    EventKind.STATUS_CHANGE: _status_change,
}


def describe(event: TimelineEvent, zone: ZoneInfo, now: datetime) -> str:
    """What happened, in words; unknown shapes fall back to their fields, never an error."""
    describer = _DESCRIBERS.get(event.kind)
    if describer is not None:
        try:
            return describer(event.body, zone, now)
        except (TypeError, ValueError, AttributeError):
            pass  # an unexpected body shape: show its fields rather than hide the event
    fields = "; ".join(f"{words(k)}: {v}" for k, v in event.body.items() if v not in (None, ""))
    return _then(f"{KIND_WORDS.get(event.kind, words(event.kind)).capitalize()}.", fields)


def _corrected(body: Mapping[str, Any], zone: ZoneInfo, now: datetime) -> str:
    """A screening's re-entered answers carried by an amendment, in words."""
    corrected = body.get("corrected")
    if not isinstance(corrected, Mapping):
        return ""
    if body.get("amends_kind") == EventKind.RISK_SCREENING.value:
        return f" Corrected to: {_cssrs(corrected, zone, now)}"
    flags = [words(k) for k in corrected.get("flags") or []]
    return f" Corrected to: {'; '.join(flags) if flags else 'no flags'}."


def event_line(
    event: TimelineEvent,
    number: int,
    actor: str,
    zone: ZoneInfo,
    now: datetime,
    *,
    amends_number: int | None = None,
    amended_by: list[int] | None = None,
) -> Text:
    """One timeline entry: number, clinic time, who, and what happened, as plain Text."""
    line = Text()
    line.append(f"#{number} ", style="dim")
    line.append(f"{event_time(event.at, zone, now)} ", style="bold")
    line.append(f"{actor}: ", style="italic")
    if event.kind is EventKind.AMENDMENT:
        target = f"#{amends_number}" if amends_number else "an earlier event"
        kind = words(event.body.get("amends_kind"))
        line.append(f"Amends {target} ({kind}): ", style="bold yellow")
        line.append(str(event.body.get("correction", "")))
        line.append(_corrected(event.body, zone, now))
        if event.body.get("review_withdrawn"):
            line.append(" Review withdrawn: the plan is due for review again.", style="yellow")
    else:
        line.append(describe(event, zone, now))
    if event.body.get("entered_after_downtime"):  # filed back from a downtime journal
        line.append("  [entered after downtime]", style="bold magenta")
    if amended_by:
        refs = ", ".join(f"#{n}" for n in amended_by)
        line.append(f"  [amended by {refs}]", style="bold yellow")
    return line
