"""What happens in the demo's past: the choices behind each alert, episode and follow-up.

services/demo_history.py plays these out through the real services on a moving
clock; this module only decides, from a seeded random generator, who does what
and when. Everything is synthetic; the clinical content follows docs/design.md section 6.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.overdose import OverdoseFlag
from oncall.domain.types import AlertKind, Disposition, Severity

SCREENED_BY_CSSRS = frozenset(
    {AlertKind.SUICIDAL_IDEATION, AlertKind.SELF_HARM, AlertKind.PSYCHIATRIC}
)
SCREENED_FOR_OVERDOSE = frozenset(
    {AlertKind.OVERDOSE, AlertKind.RELAPSE, AlertKind.WITHDRAWAL, AlertKind.CRAVING}
)

# The four answer patterns a screener yields in the demo: none, low, moderate, high.
CSSRS_PATTERNS = (
    CssrsAnswers(q1=False, q2=False, q3=None, q4=None, q5=None, q6=False),
    CssrsAnswers(q1=True, q2=False, q3=None, q4=None, q5=None, q6=False),
    CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False),
    CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=True, q6_within_3_months=True),
)
CSSRS_WEIGHTS = {
    Severity.IMMINENT: (0, 0, 1, 4),
    Severity.HIGH: (0, 1, 3, 3),
    Severity.MODERATE: (1, 3, 3, 1),
    Severity.LOW: (3, 3, 1, 0),
}

DISPOSITIONS: dict[Severity, tuple[Disposition, ...]] = {
    Severity.IMMINENT: (
        Disposition.EMERGENCY_SERVICES,
        Disposition.TRANSPORTED_ED,
        Disposition.MOBILE_CRISIS,
    ),
    Severity.HIGH: (
        Disposition.MOBILE_CRISIS,
        Disposition.SAFETY_PLAN_UPDATED,
        Disposition.WITHDRAWAL_MANAGEMENT,
        Disposition.HIGHER_LEVEL_OF_CARE,
        Disposition.STABILIZED,
    ),
    Severity.MODERATE: (
        Disposition.STABILIZED,
        Disposition.SAFETY_PLAN_UPDATED,
        Disposition.WARM_HANDOFF_CRISIS_LINE,
        Disposition.UNABLE_TO_REACH,
    ),
    Severity.LOW: (Disposition.STABILIZED, Disposition.NO_CRISIS, Disposition.DECLINED),
}

NOTES = (
    "Client talked through the evening's triggers; agreed to stay with family tonight.",
    "Reviewed coping strategies from the plan; client chose a walk and a call to a sponsor.",
    "Client reports cravings easing after the call; has a meeting tomorrow morning.",
    "Discussed medication adherence; client will call the prescriber's line in the morning.",
    "Client is tired but calm; agreed to a check-in call tomorrow.",
)

SUMMARIES = {
    Disposition.STABILIZED: "Stabilized by phone; client safe at home with support.",
    Disposition.SAFETY_PLAN_UPDATED: "Safety plan reviewed and updated with the client.",
    Disposition.MOBILE_CRISIS: "Mobile crisis team met the client; safe for now.",
    Disposition.EMERGENCY_SERVICES: "911 dispatched; EMS took over care on scene.",
    Disposition.TRANSPORTED_ED: "Client transported to the emergency department.",
    Disposition.WITHDRAWAL_MANAGEMENT: "Admitted to withdrawal management.",
    Disposition.HIGHER_LEVEL_OF_CARE: "Referred to a higher level of care; intake booked.",
    Disposition.WARM_HANDOFF_CRISIS_LINE: "Warm handoff to the crisis line counselor.",
    Disposition.UNABLE_TO_REACH: "Unable to reach after several tries; wellness check requested.",
    Disposition.NO_CRISIS: "No crisis found; client checking in as planned.",
    Disposition.DECLINED: "Client declined further services tonight; knows how to reach us.",
}


class Scene(StrEnum):
    """What the history makes sure of for one alert of the last hours."""

    USUAL = "usual"
    """Left to chance."""
    STILL_WAITING = "still_waiting"
    """Nobody has claimed it yet."""
    HANDOFF_PENDING = "handoff_pending"
    """Claimed in time; its hotline handoff still awaits confirmation."""


@dataclass(frozen=True)
class AckFate:
    """How long an alert waits before someone claims it (None: nobody has yet)."""

    delay: timedelta | None
    by_backup: bool


def ack_fate(
    rng: random.Random, deadline: timedelta, recent: bool, scene: str = Scene.USUAL
) -> AckFate:
    """Most alerts are claimed in time; some late (escalated); recent ones may still wait."""
    if scene == Scene.STILL_WAITING:
        return AckFate(None, False)
    if scene == Scene.HANDOFF_PENDING:
        return AckFate(deadline * 0.5, False)
    if recent and rng.random() < 0.5:
        return AckFate(None, False)
    roll = rng.random()
    if roll < 0.82:
        return AckFate(deadline * rng.uniform(0.15, 0.9), False)
    if roll < 0.95:  # past the deadline: the backup was paged
        return AckFate(deadline * rng.uniform(1.1, 1.9), rng.random() < 0.5)
    return AckFate(deadline * rng.uniform(2.1, 3.5), True)  # the supervisor was paged too


def cssrs_answers(rng: random.Random, severity: Severity) -> CssrsAnswers:
    """A screener outcome in keeping with how severe the alert was."""
    return rng.choices(CSSRS_PATTERNS, weights=CSSRS_WEIGHTS[severity])[0]


def overdose_flags(rng: random.Random) -> list[OverdoseFlag]:
    """Zero to three checklist flags."""
    return rng.sample(list(OverdoseFlag), rng.randint(0, 3))


def disposition(rng: random.Random, severity: Severity) -> Disposition:
    """How an episode of this severity ends."""
    return rng.choice(DISPOSITIONS[severity])
