"""Working an episode: location, screenings, contacts, handoffs, amendments (W2, W3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from oncall.domain.cssrs import CssrsAnswers, score_cssrs
from oncall.domain.episode_state import check_transition
from oncall.domain.models import Client, EmergencyContact, Episode, Location, TimelineEvent
from oncall.domain.overdose import OverdoseFlag, flags_to_list
from oncall.domain.risk import episode_risk
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ContactChannel, ContactResult, EpisodeStatus, EventKind
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import ConsentMissing, NotFound, Refused, ValidationFailed
from oncall.services.risk import refresh_risk
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import safety as safety_rows
from oncall.store.rows import location_json

MAX_TEXT = 10_000


def _required(value: str | None, what: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{what} is required.")
    if len(text) > limit:
        raise ValidationFailed(f"{what} is {len(text):,} characters; the limit is {limit:,}.")
    return text


def _episode(conn: sqlite3.Connection, episode_id: int, *, open_only: bool = True) -> Episode:
    episode = episode_rows.episode_by_id(conn, episode_id)
    if episode is None:
        raise NotFound(f"There is no episode {episode_id}.")
    if open_only and episode.status is EpisodeStatus.CLOSED:
        raise Refused(f"Episode {episode_id} is closed; add an amendment instead.")
    return episode


def _append(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    episode: Episode,
    kind: EventKind,
    body: dict[str, Any],
    *,
    amends: int | None = None,
) -> TimelineEvent:
    # Every change to an episode passes here: refuse (and roll back) outside the user's care.
    require_client_access(ctx, conn, episode.client_id)
    event = episode_rows.insert_event(
        conn,
        episode_id=episode.id,
        at=ctx.now_iso(),
        actor_id=ctx.actor.id,
        kind=kind,
        body=body,
        amends=amends,
    )
    ctx.audit(
        conn,
        f"timeline.{kind.value}",
        "episode",
        episode.id,
        client_id=episode.client_id,
        detail={"event_id": event.id},
    )
    return event


def record_event(
    ctx: ServiceContext, episode_id: int, kind: EventKind, body: dict[str, Any]
) -> TimelineEvent:
    """Append a simple event (note, coping used, referral) to an open episode."""
    if kind not in {EventKind.NOTE, EventKind.COPING_USED, EventKind.REFERRAL}:
        raise ValidationFailed(f"Use the dedicated form for a {kind.value.replace('_', ' ')}.")
    body = dict(body)
    body["text"] = _required(str(body.get("text", "")), "The text")
    if kind is EventKind.REFERRAL:
        body["resource"] = _required(str(body.get("resource", "")), "The resource", 500)
    with ctx.store.write() as conn:
        return _append(ctx, conn, _episode(conn, episode_id), kind, body)


def add_note(ctx: ServiceContext, episode_id: int, text: str) -> TimelineEvent:
    """Add a free-text note to the timeline."""
    return record_event(ctx, episode_id, EventKind.NOTE, {"text": text})


def confirm_location(ctx: ServiceContext, episode_id: int, location: Location) -> Episode:
    """Record where the client says they are now (asked at the start of every contact)."""
    text = _required(location.text, "Where the client is", 500)
    if location.lat is not None and not -90 <= location.lat <= 90:
        raise ValidationFailed("Latitude must be between -90 and 90.")
    if location.lon is not None and not -180 <= location.lon <= 180:
        raise ValidationFailed("Longitude must be between -180 and 180.")
    clean = Location(text=text, zip=(location.zip or None), lat=location.lat, lon=location.lon)
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        episode_rows.update_episode(
            conn, episode.id, location=location_json(clean), location_confirmed_at=ctx.now_iso()
        )
        _append(
            ctx,
            conn,
            episode,
            EventKind.LOCATION_CONFIRMED,
            {"text": clean.text, "zip": clean.zip, "lat": clean.lat, "lon": clean.lon},
        )
        fresh = episode_rows.episode_by_id(conn, episode.id)
        assert fresh is not None
        return fresh


def record_contact_attempt(
    ctx: ServiceContext,
    episode_id: int,
    *,
    who: str,
    channel: ContactChannel,
    result: ContactResult,
    note: str = "",
) -> TimelineEvent:
    """Log a call, text or visit attempt and what came of it."""
    body = {
        "who": _required(who, "Who was contacted", 200),
        "channel": channel.value,
        "result": result.value,
        "note": note.strip()[:MAX_TEXT],
    }
    with ctx.store.write() as conn:
        return _append(ctx, conn, _episode(conn, episode_id), EventKind.CONTACT_ATTEMPT, body)


def record_cssrs(ctx: ServiceContext, episode_id: int, answers: CssrsAnswers) -> TimelineEvent:
    """Record a C-SSRS screener; the episode's risk is re-derived from all its assessments."""
    risk = score_cssrs(answers)
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        event = _append(
            ctx,
            conn,
            episode,
            EventKind.RISK_SCREENING,
            {
                "instrument": "C-SSRS screener",
                "answers": answers.to_dict(),
                "risk_level": risk.value,
            },
        )
        refresh_risk(conn, episode.id)
        return event


def record_overdose_screen(
    ctx: ServiceContext, episode_id: int, flags: Iterable[OverdoseFlag]
) -> TimelineEvent:
    """Record the overdose-risk checklist; any flag raises the episode's risk one step."""
    chosen = frozenset(flags)
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        before = episode.risk_level
        flag_keys = flags_to_list(chosen)
        # The body says what the checklist did to the episode's risk, so derive it first.
        after = episode_risk(
            [
                *episode_rows.timeline(conn, episode.id, limit=100_000),
                TimelineEvent(
                    0,
                    episode.id,
                    ctx.clock.now(),
                    ctx.actor.id,
                    EventKind.OVERDOSE_SCREENING,
                    {"flags": flag_keys},
                ),
            ]
        ).level
        body = {
            "flags": flag_keys,
            "risk_before": before.value if before else None,
            "risk_level": after.value if after else None,
        }
        event = _append(ctx, conn, episode, EventKind.OVERDOSE_SCREENING, body)
        refresh_risk(conn, episode.id)
        return event


def record_warm_handoff(
    ctx: ServiceContext,
    episode_id: int,
    *,
    to_whom: str,
    organization: str,
    reference: str = "",
    note: str = "",
) -> TimelineEvent:
    """Log a warm handoff to another service (to whom, their organization, a reference)."""
    body = {
        "to_whom": _required(to_whom, "Who received the handoff", 200),
        "organization": _required(organization, "Their organization", 200),
        "reference": reference.strip()[:200],
        "note": note.strip()[:MAX_TEXT],
    }
    with ctx.store.write() as conn:
        return _append(ctx, conn, _episode(conn, episode_id), EventKind.WARM_HANDOFF, body)


def confirm_handoff(ctx: ServiceContext, episode_id: int, note: str = "") -> Episode:
    """Confirm contact with a client handed over by a hotline; the episode is open again."""
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        if episode.status is not EpisodeStatus.HANDOFF_PENDING:
            raise Refused(f"Episode {episode_id} has no handoff awaiting confirmation.")
        check_transition(episode.status, EpisodeStatus.OPEN)
        episode_rows.update_episode(
            conn, episode.id, status=EpisodeStatus.OPEN.value, handoff_confirmed_at=ctx.now_iso()
        )
        _append(ctx, conn, episode, EventKind.HANDOFF_CONFIRMED, {"note": note.strip()[:MAX_TEXT]})
        fresh = episode_rows.episode_by_id(conn, episode.id)
        assert fresh is not None
        return fresh


def record_emergency_services(
    ctx: ServiceContext,
    episode_id: int,
    *,
    service: str,
    recipient_name: str,
    recipient_affiliation: str,
    nature_of_emergency: str,
    reference: str = "",
) -> TimelineEvent:
    """Log a 911 / mobile-crisis / ED request with the 42 CFR 2.51 disclosure record."""
    body = {
        "service": _required(service, "The service requested", 200),
        "recipient_name": _required(recipient_name, "Who received the information", 200),
        "recipient_affiliation": _required(recipient_affiliation, "Their affiliation", 200),
        "disclosed_by": ctx.actor.display_name,
        "disclosed_at": ctx.now_iso(),
        "nature_of_emergency": _required(nature_of_emergency, "The nature of the emergency"),
        "reference": reference.strip()[:200],
    }
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        event = _append(ctx, conn, episode, EventKind.EMERGENCY_SERVICES, body)
        ctx.audit(
            conn,
            "disclosure.emergency",
            "episode",
            episode.id,
            client_id=episode.client_id,
            detail={"recipient_affiliation": body["recipient_affiliation"], "event_id": event.id},
        )
        return event


EMERGENCY_ROUTE = (
    " If the client is in danger now, emergency services may still be told without consent"
    " (42 CFR 2.51): record that as an emergency-services request (e)."
)
"""Said with every refusal for want of consent: the route that stays open in an emergency."""


def _ended(given: bool, until: str | None) -> str:
    """ " (the consent ended on D)" when a consent given has lapsed, else nothing."""
    return f" (the consent ended on {until})" if given and until else ""


def contacts_who_may_be_told(
    client: Client, contacts: Sequence[EmergencyContact], today: date
) -> tuple[list[EmergencyContact], str | None]:
    """The emergency contacts the client consented to be told, or why none may be (W3).

    `today` is the clinic's date: a consent past the last day it was given for counts
    as not given.
    """
    if not client.disclosure_consent(today):
        return [], "The client has not consented to disclosure to emergency contacts" + (
            _ended(client.consent_emergency_contact, client.consent_emergency_contact_until)
            + "."
            + EMERGENCY_ROUTE
        )
    if not contacts:
        return [], "The client has no emergency contacts on file."
    allowed = [c for c in contacts if c.contact_consent(today)]
    if not allowed:
        return [], (
            "None of the client's emergency contacts has consented to be contacted."
            + EMERGENCY_ROUTE
        )
    return allowed, None


def notify_emergency_contact(
    ctx: ServiceContext,
    episode_id: int,
    contact_id: int,
    *,
    what_was_said: str,
) -> TimelineEvent:
    """Log that an emergency contact was told; refused unless consent is on file."""
    with ctx.store.read() as conn:
        episode = _episode(conn, episode_id)
        require_client_access(ctx, conn, episode.client_id)
        client = people.client_by_id(conn, episode.client_id)
        contacts = {c.id: c for c in people.emergency_contacts(conn, episode.client_id)}
    contact = contacts.get(contact_id)
    if client is None or contact is None:
        raise NotFound(f"Contact {contact_id} is not one of this client's emergency contacts.")
    problem = None
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    if not client.disclosure_consent(today):
        problem = "The client has not consented to disclosure to emergency contacts" + (
            _ended(client.consent_emergency_contact, client.consent_emergency_contact_until) + "."
        )
    elif not contact.contact_consent(today):
        problem = f"The client has not consented to {contact.name} being contacted" + (
            _ended(contact.consent_to_contact, contact.consent_until) + "."
        )
    if problem:
        problem += EMERGENCY_ROUTE
        ctx.audit_alone(
            "consent.refused",
            "episode",
            episode.id,
            client_id=episode.client_id,
            detail={"action": "notify_emergency_contact", "contact_id": contact_id},
        )
        raise ConsentMissing(problem)
    body = {
        "contact_id": contact.id,
        "name": contact.name,
        "relation": contact.relation,
        "what_was_said": _required(what_was_said, "What was said"),
    }
    with ctx.store.write() as conn:
        return _append(
            ctx, conn, _episode(conn, episode_id), EventKind.EMERGENCY_CONTACT_NOTIFIED, body
        )


def amend_event(
    ctx: ServiceContext, episode_id: int, event_id: int, correction: str
) -> TimelineEvent:
    """Correct an earlier event by appending an amendment that points at it."""
    text = _required(correction, "The correction")
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id, open_only=False)
        original = episode_rows.event_by_id(conn, event_id)
        if original is None or original.episode_id != episode.id:
            raise NotFound(f"Event {event_id} is not on episode {episode_id}'s timeline.")
        body: dict[str, Any] = {"correction": text, "amends_kind": original.kind.value}
        review = original.kind is EventKind.SAFETY_PLAN_REVIEW
        if review:
            body["review_withdrawn"] = True
        amendment = _append(ctx, conn, episode, EventKind.AMENDMENT, body, amends=event_id)
        if review:
            # A corrected review cannot be trusted to have happened: the plan is due for
            # review again unless it was reviewed since (W8).
            safety_rows.withdraw_review(
                conn, event_id=original.id, by_event=amendment.id, at=to_iso(amendment.at)
            )
            ctx.audit(
                conn,
                "safety_plan.review_withdrawn",
                "client",
                episode.client_id,
                client_id=episode.client_id,
                detail={"event_id": original.id, "amendment_id": amendment.id},
            )
        return amendment


def record_safety_plan_review(
    ctx: ServiceContext, episode_id: int, note: str = ""
) -> TimelineEvent:
    """Record that the client's current safety plan was gone over during this episode (W3, W8)."""
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        plan = people.latest_safety_plan(conn, episode.client_id)
        if plan is None:
            raise Refused("The client has no safety plan yet: write one on the client screen.")
        event = _append(
            ctx,
            conn,
            episode,
            EventKind.SAFETY_PLAN_REVIEW,
            {"plan_version": plan.version, "note": note.strip()[:MAX_TEXT]},
        )
        safety_rows.record_review(
            conn,
            client_id=episode.client_id,
            plan_version=plan.version,
            episode_id=episode.id,
            reviewed_by=ctx.actor.id,
            reviewed_at=to_iso(event.at),
            event_id=event.id,
        )
        return event
