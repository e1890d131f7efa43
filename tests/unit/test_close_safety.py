"""What a safe close needs (issue 14): screening for the alert, location, plan review."""

from __future__ import annotations

from datetime import UTC, datetime

from oncall.domain.close_safety import SafetyCheck, only_a_reason_missing, safety_gaps
from oncall.domain.risk import Assessment, EpisodeRisk, RiskSource
from oncall.domain.types import AlertKind, RiskLevel

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
NOT_SCREENED = EpisodeRisk(None, ())


def _risk(level: RiskLevel, *sources: RiskSource) -> EpisodeRisk:
    found = tuple(Assessment(s, level, T0, n, "") for n, s in enumerate(sources, 1))
    return EpisodeRisk(level, found)


def _checks(**given: object) -> list[SafetyCheck]:
    kinds = given.pop("kinds", [AlertKind.SELF_HARM])
    risk = given.pop("risk", NOT_SCREENED)
    options = {"location_confirmed": False, "no_location_reason": None, "plan_reviewed": False}
    options.update(given)
    gaps = safety_gaps(kinds, risk, **options)  # type: ignore[arg-type]
    return [gap.check for gap in gaps]


def test_the_988_self_harm_handoff_with_nothing_done_names_every_gap() -> None:
    gaps = safety_gaps(
        [AlertKind.SELF_HARM],
        NOT_SCREENED,
        location_confirmed=False,
        no_location_reason=None,
        plan_reviewed=False,
    )
    assert [g.message for g in gaps] == [
        "A self-harm alert needs the C-SSRS screening before closing (s).",
        "Confirm where the client is (l), or record why it could not be confirmed.",
    ]


def test_each_alert_kind_asks_for_its_own_screening_once() -> None:
    kinds = [AlertKind.SUICIDAL_IDEATION, AlertKind.SELF_HARM, AlertKind.OVERDOSE]
    gaps = safety_gaps(
        kinds, NOT_SCREENED, location_confirmed=True, no_location_reason=None, plan_reviewed=False
    )
    assert [g.message for g in gaps] == [
        "A suicidal-ideation / self-harm alert needs the C-SSRS screening before closing (s).",
        "An overdose alert needs the overdose-risk checklist screening before closing (o).",
    ]
    screened = _risk(RiskLevel.LOW, RiskSource.CSSRS, RiskSource.OVERDOSE_CHECKLIST)
    assert _checks(kinds=kinds, risk=screened, location_confirmed=True) == []


def test_a_craving_alert_needs_no_screening() -> None:
    assert _checks(kinds=[AlertKind.CRAVING], location_confirmed=True) == []


def test_a_stated_reason_stands_in_for_a_confirmed_location() -> None:
    assert _checks(kinds=[], no_location_reason="  ") == [SafetyCheck.LOCATION]
    assert _checks(kinds=[], no_location_reason="Client would not say; call cut off") == []


def test_moderate_or_high_risk_needs_a_plan_review_low_does_not() -> None:
    for level, needs in [
        (RiskLevel.HIGH, True),
        (RiskLevel.MODERATE, True),
        (RiskLevel.LOW, False),
        (RiskLevel.NONE, False),
    ]:
        risk = _risk(level, RiskSource.CSSRS)
        checks = _checks(kinds=[], risk=risk, location_confirmed=True)
        assert (SafetyCheck.SAFETY_PLAN_REVIEW in checks) is needs, level
        assert _checks(kinds=[], risk=risk, location_confirmed=True, plan_reviewed=True) == []


def test_only_the_location_can_be_settled_by_a_reason_alone() -> None:
    location_only = safety_gaps(
        [], NOT_SCREENED, location_confirmed=False, no_location_reason=None, plan_reviewed=False
    )
    assert only_a_reason_missing(location_only)
    both = safety_gaps(
        [AlertKind.OVERDOSE],
        NOT_SCREENED,
        location_confirmed=False,
        no_location_reason=None,
        plan_reviewed=False,
    )
    assert not only_a_reason_missing(both)
