"""C-SSRS screener: every answer path, the skip logic, and a custom mapping."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from oncall.domain.cssrs import (
    QUESTIONS,
    CssrsAnswerError,
    CssrsAnswers,
    CssrsMapping,
    applicable_questions,
    next_question,
    score_cssrs,
)
from oncall.domain.types import RiskLevel

HIGH, MODERATE, LOW, NONE = RiskLevel.HIGH, RiskLevel.MODERATE, RiskLevel.LOW, RiskLevel.NONE
Y, N = True, False


def answers(
    q1: bool | None = N,
    q2: bool | None = N,
    q3: bool | None = None,
    q4: bool | None = None,
    q5: bool | None = None,
    q6: bool = N,
    recent: bool | None = None,
) -> CssrsAnswers:
    """Screener answers with the everything-no path as default."""
    return CssrsAnswers(q1, q2, q3, q4, q5, q6, recent)


def every_valid_path() -> list[CssrsAnswers]:
    """All 54 complete answer sets the skip logic allows."""
    paths = []
    q6_options: list[tuple[bool, bool | None]] = [(N, None), (Y, Y), (Y, N)]
    for q1, (q6, recent) in itertools.product((Y, N), q6_options):
        paths.append(answers(q1, N, None, None, None, q6, recent))
        for q3, q4, q5 in itertools.product((Y, N), repeat=3):
            paths.append(answers(q1, Y, q3, q4, q5, q6, recent))
    return paths


def design_rule(a: CssrsAnswers) -> RiskLevel:
    """docs/design.md section 6's default mapping, read literally."""
    if a.q4 or a.q5 or (a.q6 and a.q6_within_3_months):
        return HIGH
    if a.q3 or (a.q6 and not a.q6_within_3_months):
        return MODERATE
    if a.q1 or a.q2:
        return LOW
    return NONE


def test_there_are_54_paths_and_each_scores_as_design_says() -> None:
    paths = every_valid_path()
    assert len(set(paths)) == 54
    for path in paths:
        assert score_cssrs(path) is design_rule(path), path


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (answers(), NONE),
        (answers(q1=Y), LOW),
        (answers(q2=Y, q3=N, q4=N, q5=N), LOW),
        (answers(q1=Y, q2=Y, q3=N, q4=N, q5=N), LOW),
        (answers(q2=Y, q3=Y, q4=N, q5=N), MODERATE),
        (answers(q2=Y, q3=N, q4=Y, q5=N), HIGH),
        (answers(q2=Y, q3=N, q4=N, q5=Y), HIGH),
        (answers(q1=Y, q2=Y, q3=Y, q4=Y, q5=Y), HIGH),
        (answers(q6=Y, recent=Y), HIGH),
        (answers(q6=Y, recent=N), MODERATE),
        (answers(q1=Y, q6=Y, recent=N), MODERATE),
        (answers(q2=Y, q3=Y, q4=N, q5=N, q6=Y, recent=Y), HIGH),
    ],
    ids=lambda v: str(v) if isinstance(v, RiskLevel) else "",
)
def test_default_mapping(given: CssrsAnswers, expected: RiskLevel) -> None:
    assert score_cssrs(given) is expected


@pytest.mark.parametrize(
    ("kwargs", "question", "fragment"),
    [
        ({"q1": None}, "q1", "not answered"),
        ({"q2": None}, "q2", "not answered"),
        ({"q2": N, "q3": Y}, "q3", "skipped when question 2 is no"),
        ({"q2": N, "q4": N}, "q4", "skipped when question 2 is no"),
        ({"q2": N, "q5": Y}, "q5", "skipped when question 2 is no"),
        ({"q2": Y, "q3": None, "q4": N, "q5": N}, "q3", "not answered"),
        ({"q2": Y, "q3": N, "q4": None, "q5": N}, "q4", "not answered"),
        ({"q2": Y, "q3": N, "q4": N, "q5": None}, "q5", "not answered"),
        ({"q6": Y, "recent": None}, "q6_within_3_months", "not answered"),
        ({"q6": N, "recent": Y}, "q6_within_3_months", "skipped when question 6 is no"),
        ({"q6": N, "recent": N}, "q6_within_3_months", "skipped when question 6 is no"),
        ({"q1": "yes"}, "q1", "yes or no"),
    ],
)
def test_incomplete_or_inconsistent_answers_are_refused(
    kwargs: dict[str, Any], question: str, fragment: str
) -> None:
    with pytest.raises(CssrsAnswerError, match=fragment) as caught:
        answers(**kwargs)
    assert caught.value.question.key == question
    assert isinstance(caught.value, ValueError)
    assert f"Question {caught.value.question.number} " in str(caught.value)


@pytest.mark.parametrize(
    ("mapping", "given", "expected"),
    [
        (CssrsMapping(q3=HIGH), answers(q2=Y, q3=Y, q4=N, q5=N), HIGH),
        (CssrsMapping(q3=HIGH), answers(q1=Y), LOW),
        (CssrsMapping(q2=MODERATE), answers(q2=Y, q3=N, q4=N, q5=N), MODERATE),
        (CssrsMapping(q6_longer_ago=HIGH), answers(q6=Y, recent=N), HIGH),
        (CssrsMapping(q6_within_3_months=MODERATE), answers(q6=Y, recent=Y), MODERATE),
        (CssrsMapping(q1=NONE), answers(q1=Y), NONE),
    ],
)
def test_custom_mapping(mapping: CssrsMapping, given: CssrsAnswers, expected: RiskLevel) -> None:
    assert score_cssrs(given, mapping) is expected


def keys(partial: dict[str, bool | None]) -> list[str]:
    """Keys of the questions applicable to `partial`."""
    return [q.key for q in applicable_questions(partial)]


@pytest.mark.parametrize(
    ("partial", "expected"),
    [
        ({}, ["q1", "q2", "q3", "q4", "q5", "q6"]),
        ({"q1": Y, "q2": Y}, ["q1", "q2", "q3", "q4", "q5", "q6"]),
        ({"q1": Y, "q2": N}, ["q1", "q2", "q6"]),
        ({"q2": N, "q6": Y}, ["q1", "q2", "q6", "q6_within_3_months"]),
        ({"q2": Y, "q6": N}, ["q1", "q2", "q3", "q4", "q5", "q6"]),
        ({"q6": None}, ["q1", "q2", "q3", "q4", "q5", "q6"]),
    ],
)
def test_applicable_questions_follow_skip_logic(
    partial: dict[str, bool | None], expected: list[str]
) -> None:
    assert keys(partial) == expected


@pytest.mark.parametrize(
    ("partial", "expected"),
    [
        ({}, "q1"),
        ({"q1": N}, "q2"),
        ({"q1": N, "q2": N}, "q6"),
        ({"q1": N, "q2": Y}, "q3"),
        ({"q1": N, "q2": Y, "q3": N, "q4": Y}, "q5"),
        ({"q1": N, "q2": N, "q6": Y}, "q6_within_3_months"),
        ({"q1": N, "q2": N, "q6": N}, None),
        ({"q1": Y, "q2": N, "q6": Y, "q6_within_3_months": N}, None),
    ],
)
def test_next_question(partial: dict[str, bool | None], expected: str | None) -> None:
    question = next_question(partial)
    assert (question.key if question else None) == expected


def test_questions_keep_design_wording_and_order() -> None:
    assert [q.number for q in QUESTIONS] == ["1", "2", "3", "4", "5", "6", "6a"]
    assert QUESTIONS[0].text == "Wished dead"
    assert QUESTIONS[1].text == "Thoughts of killing yourself"
    assert "within the past 3 months" in QUESTIONS[6].text


def test_each_question_carries_the_words_read_aloud_exactly_as_published() -> None:
    # Columbia's published screener as docs/design.md section 6 gives it ("past month" for 1-5).
    assert [q.wording for q in QUESTIONS] == [
        "Have you wished you were dead or wished you could go to sleep and not wake up?",
        "Have you actually had any thoughts of killing yourself?",
        "Have you been thinking about how you might do this?",
        "Have you had these thoughts and had some intention of acting on them?",
        "Have you started to work out or worked out the details of how to kill yourself?"
        " Do you intend to carry out this plan?",
        "Have you ever done anything, started to do anything, or prepared to do anything to"
        " end your life?",
        "If yes: was this within the past 3 months?",
    ]


def test_every_path_survives_the_timeline_round_trip() -> None:
    for path in every_valid_path():
        stored = path.to_dict()
        assert set(stored) == {q.key for q in QUESTIONS}
        assert CssrsAnswers.from_dict(stored) == path


@pytest.mark.parametrize(
    ("data", "error", "fragment"),
    [
        ({"q1": N, "q2": N}, CssrsAnswerError, r"Question 6 .*not answered"),
        ({"q1": N, "q2": N, "q6": "no"}, CssrsAnswerError, "yes or no"),
        ({"q1": N, "q2": N, "q6": N, "q7": Y}, ValueError, "q7"),
        ({"q1": N, "q2": N, "q3": Y, "q6": N}, CssrsAnswerError, "skipped"),
    ],
)
def test_from_dict_refuses_bad_records(
    data: dict[str, object], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        CssrsAnswers.from_dict(data)
