"""An episode's risk: the highest current assessment, whatever the order of entry (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from oncall.domain.models import TimelineEvent
from oncall.domain.risk import RiskSource, episode_risk
from oncall.domain.types import EventKind, RiskLevel

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
_ids = count(1)

LOW_CSSRS = {"answers": {"q1": True, "q2": False, "q6": False}, "risk_level": "low"}
NONE_CSSRS = {"answers": {"q1": False, "q2": False, "q6": False}, "risk_level": "none"}
HIGH_CSSRS = {
    "answers": {"q1": True, "q2": True, "q3": True, "q4": True, "q5": False, "q6": False},
    "risk_level": "high",
}
FIVE_FLAGS = {
    "flags": ["lowered_tolerance", "unknown_supply", "mixing", "using_alone", "prior_overdose"]
}


def _event(
    kind: EventKind, body: dict[str, Any], minute: int, amends: int | None = None
) -> TimelineEvent:
    return TimelineEvent(
        next(_ids), 1, T0 + timedelta(minutes=minute), 1, kind, body, amends=amends
    )


def test_no_assessment_is_not_screened_and_a_screening_of_none_is_none() -> None:
    assert episode_risk([_event(EventKind.NOTE, {"text": "hi"}, 0)]).level is None
    screened = episode_risk([_event(EventKind.RISK_SCREENING, NONE_CSSRS, 1)])
    assert screened.level is RiskLevel.NONE
    assert screened.by_source(RiskSource.CSSRS) is not None


@pytest.mark.parametrize("checklist_first", [True, False])
def test_order_of_entry_does_not_decide_the_level(checklist_first: bool) -> None:
    cssrs = _event(EventKind.RISK_SCREENING, LOW_CSSRS, 1)
    checklist = _event(EventKind.OVERDOSE_SCREENING, FIVE_FLAGS, 2)
    events = [checklist, cssrs] if checklist_first else [cssrs, checklist]
    risk = episode_risk(events)
    # Low from the screener, raised one step by any overdose flag: moderate either way.
    assert risk.level is RiskLevel.MODERATE
    assert risk.by_source(RiskSource.CSSRS).level is RiskLevel.LOW  # type: ignore[union-attr]
    checklist_found = risk.by_source(RiskSource.OVERDOSE_CHECKLIST)
    assert checklist_found is not None and checklist_found.finding == "5 flags"


def test_a_later_screener_replaces_the_earlier_one_of_its_source_only() -> None:
    events = [
        _event(EventKind.RISK_SCREENING, HIGH_CSSRS, 1),
        _event(EventKind.OVERDOSE_SCREENING, {"flags": []}, 2),
        _event(EventKind.RISK_SCREENING, LOW_CSSRS, 3),
    ]
    risk = episode_risk(events)
    assert risk.level is RiskLevel.LOW
    assert risk.deciding is not None and risk.deciding.source is RiskSource.CSSRS
    assert risk.deciding.at == T0 + timedelta(minutes=3)


def test_an_overdose_in_progress_with_five_flags_is_high_not_low() -> None:
    events = [
        _event(EventKind.OVERDOSE_SCREENING, FIVE_FLAGS, 1),
        _event(EventKind.OVERDOSE_RESPONSE, {"step": "breathing", "value": False}, 2),
        _event(EventKind.RISK_SCREENING, LOW_CSSRS, 3),
    ]
    risk = episode_risk(events)
    assert risk.level is RiskLevel.HIGH
    progress = risk.by_source(RiskSource.OVERDOSE_IN_PROGRESS)
    assert progress is not None and progress.at == T0 + timedelta(minutes=2)


def test_an_amendment_with_re_entered_answers_is_what_counts() -> None:
    wrong = _event(EventKind.RISK_SCREENING, HIGH_CSSRS, 1)
    fix = _event(
        EventKind.AMENDMENT,
        {"correction": "q4 was no", "amends_kind": "risk_screening", "corrected": LOW_CSSRS},
        5,
        amends=wrong.id,
    )
    assert episode_risk([wrong]).level is RiskLevel.HIGH
    risk = episode_risk([wrong, fix])
    assert risk.level is RiskLevel.LOW
    found = risk.by_source(RiskSource.CSSRS)
    assert found is not None and found.corrected_by == fix.id and found.at == wrong.at


def test_a_checklist_corrected_to_no_flags_no_longer_raises() -> None:
    cssrs = _event(EventKind.RISK_SCREENING, LOW_CSSRS, 1)
    checklist = _event(EventKind.OVERDOSE_SCREENING, FIVE_FLAGS, 2)
    fix = _event(
        EventKind.AMENDMENT,
        {"correction": "ticked by mistake", "corrected": {"flags": []}},
        3,
        amends=checklist.id,
    )
    assert episode_risk([cssrs, checklist]).level is RiskLevel.MODERATE
    assert episode_risk([cssrs, checklist, fix]).level is RiskLevel.LOW


def test_an_amendment_in_words_keeps_the_level_and_is_named() -> None:
    screening = _event(EventKind.RISK_SCREENING, HIGH_CSSRS, 1)
    words = _event(EventKind.AMENDMENT, {"correction": "see note"}, 2, amends=screening.id)
    risk = episode_risk([screening, words])
    assert risk.level is RiskLevel.HIGH
    assert risk.by_source(RiskSource.CSSRS).noted_by == (words.id,)  # type: ignore[union-attr]


def test_an_unreadable_screening_counts_as_high_not_as_none() -> None:
    broken = _event(EventKind.RISK_SCREENING, {"answers": {"q1": "maybe"}}, 1)
    assert episode_risk([broken]).level is RiskLevel.HIGH
