"""Closing an episode (W5) with its follow-up plan (W4) and the hotline outcome report (W7)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.close_safety import only_a_reason_missing
from oncall.domain.episode_state import TransitionRefused, close_problems
from oncall.domain.followup_plan import plan_follow_ups
from oncall.domain.models import Episode, FollowUp
from oncall.domain.risk import episode_risk
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Disposition, EpisodeStatus, EventKind, FollowUpKind, RiskLevel
from oncall.secrets import redact_url
from oncall.services.access import require_client_access
from oncall.services.close_safety import (
    SUPERVISOR_OVERRIDE,
    episode_safety_gaps,
    supervisor_override,
)
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.services.page_updates import RESOLVE, follow_alert_pages
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import outbox, people


@dataclass(frozen=True)
class FollowUpDraft:
    """One follow-up as proposed and edited before saving."""

    kind: FollowUpKind
    due_at: datetime
    assignee_id: int


def propose_follow_ups(
    ctx: ServiceContext, episode_id: int, *, assignee_id: int | None = None
) -> list[FollowUpDraft]:
    """The W4 plan for the episode's latest risk level, for the client's primary clinician.

    Follow-up is continuity of care: it goes by default to the client's primary
    clinician when they are active staff, and to the acting (on-call) user otherwise.
    """
    default = default_follow_up_assignee(ctx, episode_id)
    with ctx.store.read() as conn:
        # Derived from the timeline: the highest current assessment, amendments applied.
        risk = episode_risk(episode_rows.timeline(conn, episode_id, limit=100_000)).level
    risk = risk or RiskLevel.NONE
    who = assignee_id if assignee_id is not None else default
    return [FollowUpDraft(p.kind, p.due_at, who) for p in plan_follow_ups(risk, ctx.clock.now())]


def default_follow_up_assignee(ctx: ServiceContext, episode_id: int) -> int:
    """Who an episode's follow-ups go to unless the clinician chooses otherwise: the
    client's primary clinician when they are active staff, else the acting user."""
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode {episode_id}.")
        require_client_access(ctx, conn, episode.client_id)
        client = people.client_by_id(conn, episode.client_id)
        primary = (
            people.staff_by_id(conn, client.primary_clinician_id)
            if client is not None and client.primary_clinician_id is not None
            else None
        )
    return primary.id if primary is not None and primary.active else ctx.actor.id


@dataclass(frozen=True)
class Closure:
    """A closed episode and the follow-ups scheduled with it."""

    episode: Episode
    follow_ups: list[FollowUp]
    outcome_report_queued: bool


def close_episode(
    ctx: ServiceContext,
    episode_id: int,
    *,
    disposition: Disposition | None,
    summary: str,
    follow_ups: list[FollowUpDraft],
    no_follow_up_reason: str | None = None,
    no_location_reason: str | None = None,
    override_reason: str | None = None,
) -> Closure:
    """Close an episode; refused with every reason while it may not close.

    The safety requirements (screening, location, safety-plan review) may be
    overridden only by a supervisor with a stated reason, which is audited.
    """
    summary = summary.strip()
    no_location_reason = (no_location_reason or "").strip()[:500] or None
    override_reason = (override_reason or "").strip()[:2000] or None
    if len(summary) > 4000:
        raise ValidationFailed(f"The summary is {len(summary):,} characters; the limit is 4,000.")
    now = ctx.clock.now()
    at = to_iso(now)
    with ctx.store.write() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode {episode_id}.")
        require_client_access(ctx, conn, episode.client_id)
        problems = close_problems(
            episode.status, disposition, summary, bool(follow_ups), no_follow_up_reason
        )
        gaps = episode_safety_gaps(conn, episode, no_location_reason)
        override = supervisor_override(ctx, gaps, override_reason)
        if gaps and override is None:
            problems += [gap.message for gap in gaps]
            if not only_a_reason_missing(gaps):
                problems.append(SUPERVISOR_OVERRIDE)
        if problems:
            raise Refused(" ".join(problems))
        assert disposition is not None
        for draft in follow_ups:
            if draft.due_at <= now:
                raise ValidationFailed(f"A {draft.kind.value} follow-up is due in the past.")
            assignee = people.staff_by_id(conn, draft.assignee_id)
            if assignee is None or not assignee.active:
                raise ValidationFailed(
                    "A follow-up is assigned to someone who is not active staff."
                )
        scheduled = [
            follow_up_rows.insert_follow_up(
                conn,
                episode_id=episode.id,
                client_id=episode.client_id,
                kind=draft.kind.value,
                due_at=to_iso(draft.due_at),
                assignee_id=draft.assignee_id,
                created_at=at,
                created_by=ctx.actor.id,
            )
            for draft in follow_ups
        ]
        for item in scheduled:
            episode_rows.insert_event(
                conn,
                episode_id=episode.id,
                at=at,
                actor_id=ctx.actor.id,
                kind=EventKind.FOLLOW_UP_SCHEDULED,
                body={
                    "follow_up_id": item.id,
                    "kind": item.kind.value,
                    "due_at": to_iso(item.due_at),
                    "assignee_id": item.assignee_id,
                },
            )
        episode_rows.update_episode(
            conn,
            episode.id,
            status=EpisodeStatus.CLOSED.value,
            disposition=disposition.value,
            summary=summary,
            no_follow_up_reason=(no_follow_up_reason or None),
            closed_at=at,
            closed_by=ctx.actor.id,
        )
        episode_rows.insert_event(
            conn,
            episode_id=episode.id,
            at=at,
            actor_id=ctx.actor.id,
            kind=EventKind.OUTCOME,
            body={
                "disposition": disposition.value,
                "label": disposition.label,
                "summary": summary,
                "follow_ups": len(scheduled),
                "no_follow_up_reason": no_follow_up_reason,
                "no_location_reason": no_location_reason,
                "override": override,
            },
        )
        if override is not None:
            ctx.audit(
                conn,
                "episode.close_override",
                "episode",
                episode.id,
                client_id=episode.client_id,
                detail=override,
            )
        closed_alerts = [a.id for a in alert_rows.alerts_for_episode(conn, episode.id)]
        follow_alert_pages(ctx, conn, closed_alerts, RESOLVE, now)  # PagerDuty incidents close
        alert_rows.close_episode_alerts(conn, episode.id)
        ctx.audit(
            conn,
            "episode.closed",
            "episode",
            episode.id,
            client_id=episode.client_id,
            detail={"disposition": disposition.value, "follow_ups": len(scheduled)},
        )
        queued = _queue_outcome_report(ctx, conn, episode, disposition, at)
        closed = episode_rows.episode_by_id(conn, episode.id)
        assert closed is not None
        return Closure(closed, scheduled, queued)


def _queue_outcome_report(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    episode: Episode,
    disposition: Disposition,
    at: str,
) -> bool:
    """Queue the outcome for the referring hotline, only with the client's consent (W7)."""
    if episode.handoff is None:
        return False
    client = people.client_by_id(conn, episode.client_id)
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    # A consent past the last day it was given for counts as not given.
    if client is None or not client.hotline_consent(today):
        ctx.audit(
            conn,
            "consent.refused",
            "episode",
            episode.id,
            client_id=episode.client_id,
            detail={
                "action": "hotline_outcome_report",
                "org": episode.handoff.org,
                "reason": "no consent to report outcomes to the hotline on file"
                + (
                    f" (it ended on {client.consent_hotline_report_until})"
                    if client is not None and client.consent_hotline_report
                    else ""
                ),
            },
        )
        return False
    payload = {
        "reference": episode.handoff.reference,
        "org": episode.handoff.org,
        "counselor": episode.handoff.counselor,
        "outcome": disposition.value,
        "outcome_label": disposition.label,
        "contact_confirmed": episode.handoff_confirmed_at is not None,
        "closed_at": at,
    }
    # Never the alert's own endpoint: a feed record must not choose where a Part 2
    # disclosure goes (issue 16). The report goes to the target configured under the
    # hotline's organization, and waits with a clear error until there is one.
    org = episode.handoff.org
    target = f"hotline:{org}"
    configured = next((t for t in ctx.settings.targets if t.name == org), None)
    outbox.enqueue(
        conn,
        kind="hotline_outcome",
        target=target,
        payload=payload,
        idempotency_key=f"hotline-outcome-episode-{episode.id}",
        created_at=at,
    )
    ctx.audit(
        conn,
        "disclosure.hotline_outcome",
        "episode",
        episode.id,
        client_id=episode.client_id,
        detail={
            "org": org,
            "target": configured.name if configured else None,
            "url": redact_url(configured.url) if configured else None,
        },
    )
    return True


__all__ = ["Closure", "FollowUpDraft", "TransitionRefused", "close_episode", "propose_follow_ups"]
