"""Overdose in progress: the steps a clinician walks a caller through, and what is next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from oncall.domain.models import TimelineEvent
from oncall.domain.types import EventKind

NALOXONE_REPEAT_FROM = timedelta(minutes=2)
NALOXONE_REPEAT_BY = timedelta(minutes=3)
"""docs/design.md section 6: repeat naloxone if there is no response in 2–3 minutes."""


class OverdoseStep(StrEnum):
    """One step of the protocol (docs/design.md section 6 "Overdose in progress"), in its order."""

    BREATHING = "breathing"
    RESPONSIVE = "responsive"
    CALLED_911 = "called_911"
    NALOXONE = "naloxone"
    RESCUE_BREATHING = "rescue_breathing"
    RECOVERY_POSITION = "recovery_position"
    STAYING_WITH = "staying_with"
    EMS_ARRIVED = "ems_arrived"


@dataclass(frozen=True)
class StepDone:
    """A step as recorded on the timeline."""

    step: OverdoseStep
    at: datetime
    event_id: int
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def yes(self) -> bool:
        """For the breathing and responsive checks: the answer."""
        return self.detail.get("value") is True


def steps_done(events: Iterable[TimelineEvent]) -> list[StepDone]:
    """The protocol steps on a timeline, in the order recorded; unknown steps are skipped."""
    done = []
    for event in events:
        if event.kind is not EventKind.OVERDOSE_RESPONSE:
            continue
        try:
            step = OverdoseStep(str(event.body.get("step")))
        except ValueError:
            continue
        done.append(StepDone(step, event.at, event.id, event.body))
    return done


def naloxone_doses(done: Iterable[StepDone]) -> int:
    """How many naloxone doses are recorded."""
    return sum(1 for s in done if s.step is OverdoseStep.NALOXONE)


def _last(done: list[StepDone], step: OverdoseStep) -> StepDone | None:
    return next((s for s in reversed(done) if s.step is step), None)


@dataclass(frozen=True)
class NaloxoneRepeat:
    """After a dose with no response since: when another dose is due."""

    dose: int
    given_at: datetime
    due_from: datetime
    due_by: datetime

    def is_due(self, now: datetime) -> bool:
        """True once the 2 minutes have passed with no response recorded."""
        return now >= self.due_from


def naloxone_repeat(done: list[StepDone]) -> NaloxoneRepeat | None:
    """The next dose due if no response follows the last one; None when responsive since."""
    last = _last(done, OverdoseStep.NALOXONE)
    if last is None:
        return None
    after = done[done.index(last) + 1 :]
    if any(s.step is OverdoseStep.RESPONSIVE and s.yes for s in after):
        return None
    if any(s.step is OverdoseStep.EMS_ARRIVED for s in after):
        return None  # EMS has the person: their call, not the caller's
    return NaloxoneRepeat(
        naloxone_doses(done), last.at, last.at + NALOXONE_REPEAT_FROM, last.at + NALOXONE_REPEAT_BY
    )


def still_to_do(done: list[StepDone]) -> list[OverdoseStep]:
    """The protocol's steps not yet recorded, in the protocol's order.

    Breathing and responsive count once asked, whatever the answer; rescue
    breathing or the recovery position counts once either is recorded.
    """
    seen = {s.step for s in done}
    if OverdoseStep.RESCUE_BREATHING in seen or OverdoseStep.RECOVERY_POSITION in seen:
        seen |= {OverdoseStep.RESCUE_BREATHING, OverdoseStep.RECOVERY_POSITION}
    left = [step for step in OverdoseStep if step not in seen]
    if OverdoseStep.RESCUE_BREATHING in left and OverdoseStep.RECOVERY_POSITION in left:
        left.remove(OverdoseStep.RECOVERY_POSITION)  # one "or" step: shown once
    return left


def is_finished(done: list[StepDone]) -> bool:
    """True once EMS arrived."""
    return any(s.step is OverdoseStep.EMS_ARRIVED for s in done)
