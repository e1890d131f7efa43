"""Correcting a screening by re-entering its answers: an amendment the risk level follows (W3)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oncall.domain.cssrs import CssrsAnswers, score_cssrs
from oncall.domain.models import TimelineEvent
from oncall.domain.overdose import OverdoseFlag, flags_to_list
from oncall.domain.types import EventKind
from oncall.services.context import ServiceContext
from oncall.services.episodes import _append, _episode, _required
from oncall.services.errors import NotFound, ValidationFailed
from oncall.services.risk import refresh_risk
from oncall.store import episodes as episode_rows

CORRECTABLE = (EventKind.RISK_SCREENING, EventKind.OVERDOSE_SCREENING)
"""Screenings whose answers an amendment may re-enter."""


def _correct(
    ctx: ServiceContext,
    episode_id: int,
    event_id: int,
    kind: EventKind,
    corrected: dict[str, Any],
    reason: str,
) -> TimelineEvent:
    """Append an amendment carrying the corrected answers; re-derive the episode's risk."""
    text = _required(reason, "What was wrong")
    with ctx.store.write() as conn:
        episode = _episode(conn, episode_id, open_only=False)
        original = episode_rows.event_by_id(conn, event_id)
        if original is None or original.episode_id != episode.id:
            raise NotFound(f"Event {event_id} is not on episode {episode_id}'s timeline.")
        if original.kind is not kind:
            raise ValidationFailed("That event is not this kind of screening.")
        event = _append(
            ctx,
            conn,
            episode,
            EventKind.AMENDMENT,
            {"correction": text, "amends_kind": kind.value, "corrected": corrected},
            amends=event_id,
        )
        refresh_risk(conn, episode.id)
        return event


def correct_cssrs(
    ctx: ServiceContext, episode_id: int, event_id: int, answers: CssrsAnswers, reason: str
) -> TimelineEvent:
    """Correct a C-SSRS screener's answers; the episode's risk follows the corrected ones."""
    corrected = {"answers": answers.to_dict(), "risk_level": score_cssrs(answers).value}
    return _correct(ctx, episode_id, event_id, EventKind.RISK_SCREENING, corrected, reason)


def correct_overdose_screen(
    ctx: ServiceContext,
    episode_id: int,
    event_id: int,
    flags: Iterable[OverdoseFlag],
    reason: str,
) -> TimelineEvent:
    """Correct the overdose-risk checklist's flags; the episode's risk follows them."""
    corrected = {"flags": flags_to_list(flags)}
    return _correct(ctx, episode_id, event_id, EventKind.OVERDOSE_SCREENING, corrected, reason)
