"""An episode's risk: the highest of its current assessments, each with its source and time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from oncall.domain.cssrs import QUESTIONS, CssrsAnswers, score_cssrs
from oncall.domain.models import TimelineEvent
from oncall.domain.overdose import CHECKLIST, OverdoseFlag, raise_risk_level
from oncall.domain.types import EventKind, RiskLevel


class RiskSource(StrEnum):
    """Where an assessment of the episode's risk comes from."""

    CSSRS = "cssrs"
    OVERDOSE_CHECKLIST = "overdose_checklist"
    OVERDOSE_IN_PROGRESS = "overdose_in_progress"

    @property
    def label(self) -> str:
        """The source as the episode screen names it."""
        return _LABELS[self]


_LABELS = {
    RiskSource.CSSRS: "C-SSRS",
    RiskSource.OVERDOSE_CHECKLIST: "overdose-risk checklist",
    RiskSource.OVERDOSE_IN_PROGRESS: "overdose in progress",
}

SCREENINGS = (RiskSource.CSSRS, RiskSource.OVERDOSE_CHECKLIST)
"""The screenings a clinician does with a form (s and o on the episode screen)."""


@dataclass(frozen=True)
class Assessment:
    """The current assessment from one source: its level, when, and what it found."""

    source: RiskSource
    level: RiskLevel
    at: datetime
    event_id: int
    finding: str
    """What it found in a few words ("yes to 1, 2", "3 flags")."""
    corrected_by: int | None = None
    """The amendment whose re-entered answers this assessment now carries."""
    noted_by: tuple[int, ...] = ()
    """Amendments in words only: the level stays as first recorded."""


@dataclass(frozen=True)
class EpisodeRisk:
    """The episode's risk level (None: not screened) and the assessments it comes from."""

    level: RiskLevel | None
    assessments: tuple[Assessment, ...]

    def by_source(self, source: RiskSource) -> Assessment | None:
        """The current assessment from `source`, or None when there is none."""
        return next((a for a in self.assessments if a.source is source), None)

    @property
    def deciding(self) -> Assessment | None:
        """The assessment that sets the level (the most recent of equals)."""
        top = [a for a in self.assessments if a.level is self.level]
        return max(top, key=lambda a: (a.at, a.event_id), default=None)


def _corrections(
    events: Iterable[TimelineEvent],
) -> tuple[dict[int, TimelineEvent], dict[int, list[int]]]:
    """Per amended event: its latest structured correction, and its amendments in words."""
    structured: dict[int, TimelineEvent] = {}
    worded: dict[int, list[int]] = {}
    for event in events:
        if event.kind is not EventKind.AMENDMENT or event.amends is None:
            continue
        if isinstance(event.body.get("corrected"), Mapping):
            structured[event.amends] = event  # events come oldest first: the last one wins
        else:
            worded.setdefault(event.amends, []).append(event.id)
    return structured, worded


def _cssrs(body: Mapping[str, Any]) -> tuple[RiskLevel, str]:
    answers = body.get("answers")
    yes = [q.number for q in QUESTIONS if isinstance(answers, Mapping) and answers.get(q.key)]
    finding = f"yes to {', '.join(yes)}" if yes else "no to every question"
    try:
        return RiskLevel(str(body.get("risk_level"))), finding
    except ValueError:
        pass
    try:
        return score_cssrs(CssrsAnswers.from_dict(answers or {})), finding
    except (ValueError, TypeError):
        # A screening that cannot be read must not count as no risk.
        return RiskLevel.HIGH, "answers unreadable: counted as high until re-screened"


def _flags(body: Mapping[str, Any]) -> tuple[frozenset[OverdoseFlag], int]:
    """The flags ticked and how many; a key this version does not know still counts."""
    keys = [str(k) for k in body.get("flags") or []]
    known = frozenset(OverdoseFlag(k) for k in keys if k in _FLAG_KEYS)
    return known, len(keys)


_FLAG_KEYS = {flag.value for flag in CHECKLIST}


def episode_risk(events: Iterable[TimelineEvent]) -> EpisodeRisk:
    """The episode's risk from its timeline (oldest first), amendments applied.

    Per source only the latest assessment is current (a re-screen replaces the
    one before). An amendment that re-enters a screening's answers replaces
    what that screening found; one in words only is shown beside it.
    The overdose checklist's flags raise the highest other level one step
    (docs/design.md section 6: any flag raises the triage level; flags do not stack),
    so the result does not depend on which form was filled in first.
    """
    timeline = list(events)
    structured, worded = _corrections(timeline)
    latest: dict[RiskSource, TimelineEvent] = {}
    first_response: TimelineEvent | None = None
    for event in timeline:
        if event.kind is EventKind.RISK_SCREENING:
            latest[RiskSource.CSSRS] = event
        elif event.kind is EventKind.OVERDOSE_SCREENING:
            latest[RiskSource.OVERDOSE_CHECKLIST] = event
        elif event.kind is EventKind.OVERDOSE_RESPONSE and first_response is None:
            first_response = event
    found: list[Assessment] = []
    cssrs = latest.get(RiskSource.CSSRS)
    if cssrs is not None:
        body, fix = _body(cssrs, structured)
        level, finding = _cssrs(body)
        found.append(_made(RiskSource.CSSRS, level, cssrs, finding, fix, worded))
    if first_response is not None:
        # An overdose under way is a threat to life now: no screening can rank it lower.
        found.append(
            Assessment(
                RiskSource.OVERDOSE_IN_PROGRESS,
                RiskLevel.HIGH,
                first_response.at,
                first_response.id,
                "protocol started",
            )
        )
    checklist = latest.get(RiskSource.OVERDOSE_CHECKLIST)
    if checklist is not None:
        body, fix = _body(checklist, structured)
        flags, count = _flags(body)
        base = highest(a.level for a in found) or RiskLevel.NONE
        level = raise_risk_level(base, flags or CHECKLIST) if count else RiskLevel.NONE
        finding = f"{count} flag{'s' if count != 1 else ''}" if count else "no flags"
        found.append(_made(RiskSource.OVERDOSE_CHECKLIST, level, checklist, finding, fix, worded))
    return EpisodeRisk(highest(a.level for a in found), tuple(found))


def _body(
    event: TimelineEvent, structured: Mapping[int, TimelineEvent]
) -> tuple[Mapping[str, Any], TimelineEvent | None]:
    fix = structured.get(event.id)
    if fix is None:
        return event.body, None
    corrected = fix.body["corrected"]
    assert isinstance(corrected, Mapping)
    return corrected, fix


def _made(
    source: RiskSource,
    level: RiskLevel,
    event: TimelineEvent,
    finding: str,
    fix: TimelineEvent | None,
    worded: Mapping[int, list[int]],
) -> Assessment:
    return Assessment(
        source,
        level,
        event.at,
        event.id,
        finding,
        corrected_by=fix.id if fix else None,
        noted_by=tuple(worded.get(event.id, ())),
    )


def highest(levels: Iterable[RiskLevel]) -> RiskLevel | None:
    """The highest of `levels`, or None when there are none."""
    return min(levels, key=lambda level: level.rank, default=None)
