"""Overdose in progress: each protocol step on the timeline at the moment it is recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.domain.models import TimelineEvent
from oncall.domain.overdose_response import OverdoseStep, naloxone_doses, steps_done
from oncall.domain.timefmt import to_iso
from oncall.domain.types import EventKind
from oncall.services.context import ServiceContext
from oncall.services.episodes import MAX_TEXT, _append, _episode, _required
from oncall.services.errors import ValidationFailed
from oncall.services.risk import refresh_risk
from oncall.store import episodes as episode_rows

CHECKS = (OverdoseStep.BREATHING, OverdoseStep.RESPONSIVE)
"""Steps recorded with a yes or no."""

SIMPLE = (
    OverdoseStep.RESCUE_BREATHING,
    OverdoseStep.RECOVERY_POSITION,
    OverdoseStep.STAYING_WITH,
    OverdoseStep.EMS_ARRIVED,
)
"""Steps recorded as done, with an optional note."""


def _record(ctx: ServiceContext, episode_id: int, body: dict[str, Any]) -> TimelineEvent:
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id)
        if body["step"] == OverdoseStep.NALOXONE.value:
            # Counted in the write transaction, so two quick doses are dose 1 and dose 2.
            done = steps_done(episode_rows.timeline(conn, episode.id, limit=100_000))
            body["dose"] = naloxone_doses(done) + 1
        event = _append(ctx, conn, episode, EventKind.OVERDOSE_RESPONSE, body)
        refresh_risk(conn, episode.id)  # an overdose under way makes the episode high risk
        return event


def record_check(
    ctx: ServiceContext, episode_id: int, step: OverdoseStep, value: bool
) -> TimelineEvent:
    """Is the person breathing / responsive: the answer, timed now."""
    if step not in CHECKS:
        raise ValidationFailed(f"{step.value} is not a yes/no check.")
    return _record(ctx, episode_id, {"step": step.value, "value": value})


def record_step(
    ctx: ServiceContext, episode_id: int, step: OverdoseStep, note: str = ""
) -> TimelineEvent:
    """A step done (naloxone dose, rescue breathing, recovery position, staying, EMS arrived)."""
    if step in CHECKS or step is OverdoseStep.CALLED_911:
        raise ValidationFailed(f"Use the dedicated record for {step.value}.")
    return _record(ctx, episode_id, {"step": step.value, "note": note.strip()[:MAX_TEXT]})


def record_911_called(
    ctx: ServiceContext,
    episode_id: int,
    *,
    called_by: str,
    called_at: datetime | None = None,
    emergency_event_id: int | None = None,
) -> TimelineEvent:
    """911 was called: by whom and when (now unless said).

    When the clinician called, the program disclosed: the call links to the
    emergency-services event holding the 42 CFR 2.51 record instead of copying it.
    """
    who = _required(called_by, "Who called 911", 200)
    now = ctx.clock.now()
    when = called_at or now
    if when.tzinfo is None:
        raise ValidationFailed("The time 911 was called needs a time zone.")
    if when > now:
        raise ValidationFailed("The time 911 was called is later than now.")
    body: dict[str, Any] = {
        "step": OverdoseStep.CALLED_911.value,
        "called_by": who,
        "called_at": to_iso(when),
        "emergency_event_id": emergency_event_id,
    }
    if emergency_event_id is not None:
        with ctx.store.read() as conn:
            linked = episode_rows.event_by_id(conn, emergency_event_id)
        if (
            linked is None
            or linked.episode_id != episode_id
            or linked.kind is not EventKind.EMERGENCY_SERVICES
        ):
            raise ValidationFailed("The linked disclosure is not on this episode's timeline.")
    return _record(ctx, episode_id, body)
