"""The C-SSRS screener (past month): questions, skip logic, validation and scoring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from oncall.domain.types import RiskLevel

PERIOD = "past month"
"""The period the screener asks about (docs/design.md section 6)."""


@dataclass(frozen=True)
class CssrsQuestion:
    """One screener question: its short label and the words the clinician reads aloud."""

    key: str
    number: str
    text: str
    """The short label (timeline, problems list)."""
    wording: str
    """The question as read aloud to the client (Columbia's published screener)."""


# Labels and wording are docs/design.md section 6's (Columbia's published screener, "past month"
# for 1-5); the clinic decides the wording, and this module must not invent any.
Q1 = CssrsQuestion(
    "q1",
    "1",
    "Wished dead",
    "Have you wished you were dead or wished you could go to sleep and not wake up?",
)
Q2 = CssrsQuestion(
    "q2",
    "2",
    "Thoughts of killing yourself",
    "Have you actually had any thoughts of killing yourself?",
)
Q3 = CssrsQuestion(
    "q3", "3", "Thought about how", "Have you been thinking about how you might do this?"
)
Q4 = CssrsQuestion(
    "q4",
    "4",
    "Intention of acting",
    "Have you had these thoughts and had some intention of acting on them?",
)
Q5 = CssrsQuestion(
    "q5",
    "5",
    "Worked out details / intend to carry out",
    "Have you started to work out or worked out the details of how to kill yourself?"
    " Do you intend to carry out this plan?",
)
Q6 = CssrsQuestion(
    "q6",
    "6",
    "Ever done, started or prepared to do anything to end your life",
    "Have you ever done anything, started to do anything, or prepared to do anything to"
    " end your life?",
)
Q6_RECENT = CssrsQuestion(
    "q6_within_3_months",
    "6a",
    "If so, within the past 3 months",
    "If yes: was this within the past 3 months?",
)

QUESTIONS: tuple[CssrsQuestion, ...] = (Q1, Q2, Q3, Q4, Q5, Q6, Q6_RECENT)
"""Every question in the order the form asks them."""

_BY_KEY = {q.key: q for q in QUESTIONS}
_SKIPPED_WHEN_Q2_NO = (Q3, Q4, Q5)


class CssrsAnswerError(ValueError):
    """Screener answers are incomplete or break the skip logic; names the question."""

    def __init__(self, question: CssrsQuestion, problem: str) -> None:
        self.question = question
        super().__init__(f"Question {question.number} ({question.text.lower()}) {problem}")


@dataclass(frozen=True)
class CssrsAnswers:
    """A complete, consistent set of screener answers; checked when built."""

    q1: bool | None
    q2: bool | None
    q3: bool | None
    q4: bool | None
    q5: bool | None
    q6: bool
    q6_within_3_months: bool | None = None

    def __post_init__(self) -> None:
        """Refuse answers that are incomplete or skip-logic inconsistent."""
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not isinstance(value, bool):
                raise CssrsAnswerError(_BY_KEY[f.name], "must be answered yes or no")
        for question in (Q1, Q2, Q6):
            if getattr(self, question.key) is None:
                raise CssrsAnswerError(question, "is not answered")
        for question in _SKIPPED_WHEN_Q2_NO:
            value = getattr(self, question.key)
            if self.q2 is False and value is not None:
                raise CssrsAnswerError(question, "must be skipped when question 2 is no")
            if self.q2 is True and value is None:
                raise CssrsAnswerError(question, "is not answered")
        if self.q6 and self.q6_within_3_months is None:
            raise CssrsAnswerError(Q6_RECENT, "is not answered (question 6 is yes)")
        if not self.q6 and self.q6_within_3_months is not None:
            raise CssrsAnswerError(Q6_RECENT, "must be skipped when question 6 is no")

    def to_dict(self) -> dict[str, bool | None]:
        """The answers keyed by question key, for the timeline."""
        return {q.key: getattr(self, q.key) for q in QUESTIONS}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CssrsAnswers:
        """Rebuild answers stored by `to_dict`; missing keys count as unanswered."""
        unknown = sorted(set(data) - set(_BY_KEY))
        if unknown:
            raise ValueError(f"Unknown screener answer keys: {', '.join(unknown)}")
        values: dict[str, bool | None] = {}
        for question in QUESTIONS:
            value = data.get(question.key)
            if value is not None and not isinstance(value, bool):
                raise CssrsAnswerError(question, "must be answered yes or no")
            values[question.key] = value
        q6 = values["q6"]
        if q6 is None:
            raise CssrsAnswerError(Q6, "is not answered")
        return cls(
            q1=values["q1"],
            q2=values["q2"],
            q3=values["q3"],
            q4=values["q4"],
            q5=values["q5"],
            q6=q6,
            q6_within_3_months=values["q6_within_3_months"],
        )


@dataclass(frozen=True)
class CssrsMapping:
    """The risk level a yes to each item yields; the screen's result is the highest."""

    q1: RiskLevel = RiskLevel.LOW
    q2: RiskLevel = RiskLevel.LOW
    q3: RiskLevel = RiskLevel.MODERATE
    q4: RiskLevel = RiskLevel.HIGH
    q5: RiskLevel = RiskLevel.HIGH
    q6_within_3_months: RiskLevel = RiskLevel.HIGH
    q6_longer_ago: RiskLevel = RiskLevel.MODERATE


DEFAULT_MAPPING = CssrsMapping()
"""docs/design.md section 6: 4 or 5, or 6 within 3 months → high; 3, or 6 longer ago →
moderate; 1 or 2 only → low; all no → none."""


def score_cssrs(answers: CssrsAnswers, mapping: CssrsMapping = DEFAULT_MAPPING) -> RiskLevel:
    """The risk level the screener answers yield under `mapping`."""
    levels = [RiskLevel.NONE]
    for key in ("q1", "q2", "q3", "q4", "q5"):
        if getattr(answers, key) is True:
            levels.append(getattr(mapping, key))
    if answers.q6:
        recent = answers.q6_within_3_months is True
        levels.append(mapping.q6_within_3_months if recent else mapping.q6_longer_ago)
    return min(levels, key=lambda level: level.rank)


def applicable_questions(partial: Mapping[str, bool | None]) -> list[CssrsQuestion]:
    """The questions to show given the answers so far (keyed like `to_dict`).

    Questions 3–5 stay applicable until question 2 is answered no; the
    3-month follow-up appears only once question 6 is answered yes.
    """
    shown = [Q1, Q2]
    if partial.get("q2") is not False:
        shown.extend(_SKIPPED_WHEN_Q2_NO)
    shown.append(Q6)
    if partial.get("q6") is True:
        shown.append(Q6_RECENT)
    return shown


def next_question(partial: Mapping[str, bool | None]) -> CssrsQuestion | None:
    """The first applicable question not yet answered, or None when complete."""
    for question in applicable_questions(partial):
        if partial.get(question.key) is None:
            return question
    return None
