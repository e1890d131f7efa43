"""Amending a screening: its form again, filled with what it recorded, to re-enter the answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.screen import ModalScreen

from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind
from oncall.services.context import ServiceContext
from oncall.services.views import EpisodeWorkspace
from oncall.ui.screens.forms.cssrs import CssrsForm
from oncall.ui.screens.forms.overdose import OverdoseForm


def _as_recorded(ws: EpisodeWorkspace, event: TimelineEvent) -> Mapping[str, Any]:
    """The screening's answers as they stand: its latest re-entered answers, else its own."""
    latest: Mapping[str, Any] = event.body
    for other in ws.timeline:
        corrected = other.body.get("corrected")
        if other.amends == event.id and isinstance(corrected, Mapping):
            latest = corrected
    return latest


def correction_form(
    services: ServiceContext, ws: EpisodeWorkspace, highlighted: TimelineEvent | None
) -> ModalScreen[Any] | None:
    """The screening form to correct the highlighted screening, or None for any other event.

    A correction in words cannot change a risk level, so a screening is corrected
    by re-entering its answers; the amendment carries them and the level follows.
    """
    if highlighted is None:
        return None
    if highlighted.kind is EventKind.RISK_SCREENING:
        answers = _as_recorded(ws, highlighted).get("answers")
        return CssrsForm(
            services,
            ws.episode.id,
            corrects=highlighted,
            answers=answers if isinstance(answers, Mapping) else {},
        )
    if highlighted.kind is EventKind.OVERDOSE_SCREENING:
        flags = _as_recorded(ws, highlighted).get("flags") or []
        return OverdoseForm(
            services,
            ws.episode.id,
            ws.timeline,
            corrects=highlighted,
            flags=[str(f) for f in flags],
        )
    return None
