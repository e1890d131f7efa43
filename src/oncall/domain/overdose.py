"""The overdose-risk checklist and how its flags raise the triage level."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import overload

from oncall.domain.types import RiskLevel, Severity


class OverdoseFlag(StrEnum):
    """One overdose-risk flag of the checklist (docs/design.md section 6)."""

    LOWERED_TOLERANCE = "lowered_tolerance"
    UNKNOWN_SUPPLY = "unknown_supply"
    MIXING = "mixing"
    USING_ALONE = "using_alone"
    PRIOR_OVERDOSE = "prior_overdose"
    NO_NALOXONE = "no_naloxone"

    @property
    def label(self) -> str:
        """The flag as the checklist shows it."""
        return _LABELS[self][0]

    @property
    def examples(self) -> str:
        """What counts for this flag, or an empty string."""
        return _LABELS[self][1]


_LABELS: dict[OverdoseFlag, tuple[str, str]] = {
    OverdoseFlag.LOWERED_TOLERANCE: (
        "Lowered tolerance",
        "recent detox, residential or jail release, stopped medication for OUD",
    ),
    OverdoseFlag.UNKNOWN_SUPPLY: ("Unknown supply", "fentanyl, xylazine"),
    OverdoseFlag.MIXING: ("Mixing with alcohol or benzodiazepines", ""),
    OverdoseFlag.USING_ALONE: ("Using alone", ""),
    OverdoseFlag.PRIOR_OVERDOSE: ("Prior overdose", ""),
    OverdoseFlag.NO_NALOXONE: ("No naloxone on hand", ""),
}

CHECKLIST: tuple[OverdoseFlag, ...] = tuple(OverdoseFlag)
"""Every flag in the order the checklist shows them."""


def parse_flags(keys: Iterable[str]) -> frozenset[OverdoseFlag]:
    """Flags from their stored keys; an unknown key is a `ValueError` naming it."""
    flags: set[OverdoseFlag] = set()
    for key in keys:
        try:
            flags.add(OverdoseFlag(key))
        except ValueError:
            raise ValueError(f"Unknown overdose-risk flag: {key!r}") from None
    return frozenset(flags)


def flags_to_list(flags: Iterable[OverdoseFlag]) -> list[str]:
    """Flag keys in checklist order, for the timeline."""
    chosen = set(flags)
    return [flag.value for flag in CHECKLIST if flag in chosen]


# "Any of them raises the triage level" (docs/design.md section 6) is read as: one or
# more flags raise the level by exactly one step. Flags do not stack: six risk
# factors are not six steps of danger, and stacking would push every
# multi-flag client to the top of the queue.
#
# RiskLevel: none → low → moderate → high; high stays high.
# Severity: low → moderate → high, and it stops at high by default. Imminent
# means danger under way right now (a 2-minute acknowledgement deadline, a
# likely 911 call); the checklist records risk factors, not that an overdose
# is happening, so it does not claim imminence on its own. A clinician or the
# alert source can still set imminent, and imminent is never lowered. A program
# that wants flags to reach imminent passes `cap=Severity.IMMINENT`.
SEVERITY_CAP = Severity.HIGH
"""The highest severity the checklist alone can raise an alert to."""


def raise_risk_level(level: RiskLevel, flags: Iterable[OverdoseFlag]) -> RiskLevel:
    """The risk level raised one step when any flag is set (high stays high)."""
    if not any(True for _ in flags) or level is RiskLevel.HIGH:
        return level
    return _RISK_ASCENDING[_RISK_ASCENDING.index(level) + 1]


def raise_severity(
    severity: Severity, flags: Iterable[OverdoseFlag], cap: Severity = SEVERITY_CAP
) -> Severity:
    """The severity raised one step when any flag is set, never above `cap`."""
    if not any(True for _ in flags) or severity.rank <= cap.rank:
        return severity
    return _SEVERITY_ASCENDING[_SEVERITY_ASCENDING.index(severity) + 1]


@overload
def triage_with_overdose(base: RiskLevel, flags: Iterable[OverdoseFlag]) -> RiskLevel: ...
@overload
def triage_with_overdose(base: Severity, flags: Iterable[OverdoseFlag]) -> Severity: ...
def triage_with_overdose(
    base: RiskLevel | Severity, flags: Iterable[OverdoseFlag]
) -> RiskLevel | Severity:
    """A risk level or severity raised by the overdose checklist (see the rules above)."""
    if isinstance(base, RiskLevel):
        return raise_risk_level(base, flags)
    return raise_severity(base, flags)


_RISK_ASCENDING = [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.HIGH]
_SEVERITY_ASCENDING = [Severity.LOW, Severity.MODERATE, Severity.HIGH, Severity.IMMINENT]
