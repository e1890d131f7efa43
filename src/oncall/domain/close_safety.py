"""What a safe close needs (issue 14): screening, location, safety-plan review; or an override."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from oncall.domain.risk import EpisodeRisk, RiskSource
from oncall.domain.types import AlertKind, RiskLevel


class SafetyCheck(StrEnum):
    """One safety requirement of closing, named in the audit when overridden."""

    RISK_SCREENING = "risk_screening"
    LOCATION = "location"
    SAFETY_PLAN_REVIEW = "safety_plan_review"


SCREENING_FOR: dict[AlertKind, RiskSource] = {
    AlertKind.SUICIDAL_IDEATION: RiskSource.CSSRS,
    AlertKind.SELF_HARM: RiskSource.CSSRS,
    AlertKind.OVERDOSE: RiskSource.OVERDOSE_CHECKLIST,
}
"""The screening an alert of each of these kinds calls for before the episode closes."""

_KEYS = {RiskSource.CSSRS: "s", RiskSource.OVERDOSE_CHECKLIST: "o"}
_KIND_WORDS = {
    AlertKind.SUICIDAL_IDEATION: "suicidal-ideation",
    AlertKind.SELF_HARM: "self-harm",
    AlertKind.OVERDOSE: "overdose",
}
REVIEW_LEVELS = frozenset({RiskLevel.MODERATE, RiskLevel.HIGH})
"""Risk levels at which the safety plan must be reviewed before closing."""


@dataclass(frozen=True)
class SafetyGap:
    """One safety requirement not met, in a clinician's words."""

    check: SafetyCheck
    message: str


def safety_gaps(
    alert_kinds: Iterable[AlertKind],
    risk: EpisodeRisk,
    *,
    location_confirmed: bool,
    no_location_reason: str | None,
    plan_reviewed: bool,
) -> list[SafetyGap]:
    """Every safety requirement the episode does not meet yet, in the order to fix them."""
    gaps: list[SafetyGap] = []
    needed: dict[RiskSource, list[str]] = {}
    for kind in dict.fromkeys(alert_kinds):
        if kind in SCREENING_FOR:
            needed.setdefault(SCREENING_FOR[kind], []).append(_KIND_WORDS[kind])
    for source, kinds in needed.items():
        if risk.by_source(source) is None:
            gaps.append(
                SafetyGap(
                    SafetyCheck.RISK_SCREENING,
                    f"{_article(kinds[0])} {' / '.join(kinds)} alert needs the {source.label}"
                    " screening"
                    f" before closing ({_KEYS[source]}).",
                )
            )
    if not location_confirmed and not (no_location_reason or "").strip():
        gaps.append(
            SafetyGap(
                SafetyCheck.LOCATION,
                "Confirm where the client is (l), or record why it could not be confirmed.",
            )
        )
    if risk.level in REVIEW_LEVELS and not plan_reviewed:
        level = risk.level.value.upper() if risk.level else ""
        gaps.append(
            SafetyGap(
                SafetyCheck.SAFETY_PLAN_REVIEW,
                f"Risk is {level}: review the safety plan with the client before closing (p).",
            )
        )
    return gaps


def only_a_reason_missing(gaps: list[SafetyGap]) -> bool:
    """True when every gap is the location, which a stated reason settles without an override."""
    return all(gap.check is SafetyCheck.LOCATION for gap in gaps)


def _article(word: str) -> str:
    return "An" if word[:1] in "aeiou" else "A"
