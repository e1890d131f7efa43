"""Overdose in progress: steps in order, what is left, and when naloxone is due again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from oncall.domain.models import TimelineEvent
from oncall.domain.overdose_response import (
    OverdoseStep,
    StepDone,
    is_finished,
    naloxone_doses,
    naloxone_repeat,
    steps_done,
    still_to_do,
)
from oncall.domain.types import EventKind

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


def _done(*steps: tuple[OverdoseStep, int, dict[str, Any]]) -> list[StepDone]:
    events = [
        TimelineEvent(
            n,
            1,
            T0 + timedelta(seconds=s),
            1,
            EventKind.OVERDOSE_RESPONSE,
            {"step": step.value, **extra},
        )
        for n, (step, s, extra) in enumerate(steps, 1)
    ]
    events.insert(1, TimelineEvent(99, 1, T0, 1, EventKind.NOTE, {"text": "not a step"}))
    return steps_done(events)


def test_steps_come_back_in_the_order_recorded_and_other_events_are_skipped() -> None:
    done = _done(
        (OverdoseStep.BREATHING, 0, {"value": False}),
        (OverdoseStep.NALOXONE, 30, {"dose": 1}),
        (OverdoseStep.NALOXONE, 200, {"dose": 2}),
    )
    assert [s.step for s in done] == [
        OverdoseStep.BREATHING,
        OverdoseStep.NALOXONE,
        OverdoseStep.NALOXONE,
    ]
    assert not done[0].yes and naloxone_doses(done) == 2


def test_what_is_left_follows_the_protocol_order_with_one_or_step() -> None:
    assert still_to_do([]) == [
        OverdoseStep.BREATHING,
        OverdoseStep.RESPONSIVE,
        OverdoseStep.CALLED_911,
        OverdoseStep.NALOXONE,
        OverdoseStep.RESCUE_BREATHING,
        OverdoseStep.STAYING_WITH,
        OverdoseStep.EMS_ARRIVED,
    ]
    done = _done(
        (OverdoseStep.RESPONSIVE, 0, {"value": False}),
        (OverdoseStep.RECOVERY_POSITION, 10, {}),
    )
    assert still_to_do(done)[:3] == [
        OverdoseStep.BREATHING,
        OverdoseStep.CALLED_911,
        OverdoseStep.NALOXONE,
    ]
    assert OverdoseStep.RESCUE_BREATHING not in still_to_do(done)


def test_naloxone_is_due_again_two_to_three_minutes_after_a_dose_without_response() -> None:
    done = _done((OverdoseStep.NALOXONE, 0, {"dose": 1}))
    repeat = naloxone_repeat(done)
    assert repeat is not None and repeat.dose == 1
    assert (repeat.due_from - T0, repeat.due_by - T0) == (
        timedelta(minutes=2),
        timedelta(minutes=3),
    )
    assert not repeat.is_due(T0 + timedelta(seconds=119))
    assert repeat.is_due(T0 + timedelta(minutes=2))


def test_a_response_or_ems_after_the_last_dose_stops_the_reminder() -> None:
    dose = (OverdoseStep.NALOXONE, 0, {"dose": 1})
    unresponsive = (OverdoseStep.RESPONSIVE, 60, {"value": False})
    assert naloxone_repeat(_done(dose, unresponsive)) is not None
    assert naloxone_repeat(_done(dose, (OverdoseStep.RESPONSIVE, 90, {"value": True}))) is None
    ems = _done(dose, (OverdoseStep.EMS_ARRIVED, 90, {}))
    assert naloxone_repeat(ems) is None and is_finished(ems)
    # A second dose after a response starts a new wait from that dose.
    again = _done(
        dose,
        (OverdoseStep.RESPONSIVE, 60, {"value": True}),
        (OverdoseStep.NALOXONE, 400, {"dose": 2}),
    )
    repeat = naloxone_repeat(again)
    assert (
        repeat is not None and repeat.dose == 2 and repeat.given_at == T0 + timedelta(seconds=400)
    )
