"""Overdose-risk checklist: its flags and how they raise the triage level."""

from __future__ import annotations

import pytest

from oncall.domain.overdose import (
    CHECKLIST,
    OverdoseFlag,
    flags_to_list,
    parse_flags,
    raise_risk_level,
    raise_severity,
    triage_with_overdose,
)
from oncall.domain.types import RiskLevel, Severity

ALONE = OverdoseFlag.USING_ALONE
NALOXONE = OverdoseFlag.NO_NALOXONE


def test_checklist_has_exactly_the_design_flags_in_order() -> None:
    assert [(f.value, f.label) for f in CHECKLIST] == [
        ("lowered_tolerance", "Lowered tolerance"),
        ("unknown_supply", "Unknown supply"),
        ("mixing", "Mixing with alcohol or benzodiazepines"),
        ("using_alone", "Using alone"),
        ("prior_overdose", "Prior overdose"),
        ("no_naloxone", "No naloxone on hand"),
    ]
    assert OverdoseFlag.LOWERED_TOLERANCE.examples == (
        "recent detox, residential or jail release, stopped medication for OUD"
    )
    assert OverdoseFlag.UNKNOWN_SUPPLY.examples == "fentanyl, xylazine"


@pytest.mark.parametrize(
    ("level", "flags", "expected"),
    [
        (RiskLevel.NONE, [], RiskLevel.NONE),
        (RiskLevel.MODERATE, [], RiskLevel.MODERATE),
        (RiskLevel.NONE, [ALONE], RiskLevel.LOW),
        (RiskLevel.LOW, [ALONE], RiskLevel.MODERATE),
        (RiskLevel.MODERATE, [ALONE], RiskLevel.HIGH),
        (RiskLevel.HIGH, [ALONE], RiskLevel.HIGH),
        (RiskLevel.LOW, list(CHECKLIST), RiskLevel.MODERATE),  # flags do not stack
    ],
)
def test_risk_level_rises_one_step(
    level: RiskLevel, flags: list[OverdoseFlag], expected: RiskLevel
) -> None:
    assert raise_risk_level(level, flags) is expected
    assert triage_with_overdose(level, flags) is expected


@pytest.mark.parametrize(
    ("severity", "flags", "expected"),
    [
        (Severity.LOW, [], Severity.LOW),
        (Severity.LOW, [NALOXONE], Severity.MODERATE),
        (Severity.MODERATE, [NALOXONE], Severity.HIGH),
        (Severity.HIGH, [NALOXONE, ALONE], Severity.HIGH),  # never claims imminence alone
        (Severity.IMMINENT, [NALOXONE], Severity.IMMINENT),
        (Severity.IMMINENT, [], Severity.IMMINENT),
        (Severity.LOW, list(CHECKLIST), Severity.MODERATE),
    ],
)
def test_severity_rises_one_step_capped_at_high(
    severity: Severity, flags: list[OverdoseFlag], expected: Severity
) -> None:
    assert raise_severity(severity, flags) is expected
    assert triage_with_overdose(severity, flags) is expected


@pytest.mark.parametrize(
    ("severity", "cap", "expected"),
    [
        (Severity.HIGH, Severity.IMMINENT, Severity.IMMINENT),
        (Severity.LOW, Severity.MODERATE, Severity.MODERATE),
        (Severity.MODERATE, Severity.MODERATE, Severity.MODERATE),
        (Severity.HIGH, Severity.MODERATE, Severity.HIGH),  # a cap never lowers
    ],
)
def test_severity_cap_is_configurable(
    severity: Severity, cap: Severity, expected: Severity
) -> None:
    assert raise_severity(severity, [ALONE], cap=cap) is expected


def test_generator_of_flags_counts() -> None:
    assert raise_risk_level(RiskLevel.LOW, (f for f in [ALONE])) is RiskLevel.MODERATE


def test_flags_round_trip_in_checklist_order() -> None:
    stored = flags_to_list({NALOXONE, OverdoseFlag.LOWERED_TOLERANCE})
    assert stored == ["lowered_tolerance", "no_naloxone"]
    assert parse_flags(stored) == {NALOXONE, OverdoseFlag.LOWERED_TOLERANCE}
    assert parse_flags([]) == frozenset()


def test_unknown_flag_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'carfentanil'"):
        parse_flags(["using_alone", "carfentanil"])
