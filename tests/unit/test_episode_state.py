"""Episode state machine: every transition allowed or refused, and closing rules."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from oncall.domain.episode_state import (
    TransitionRefused,
    allowed_next,
    can_transition,
    check_close,
    check_transition,
    close_problems,
)
from oncall.domain.types import Disposition, EpisodeStatus

OPEN = EpisodeStatus.OPEN
PENDING = EpisodeStatus.HANDOFF_PENDING
CLOSED = EpisodeStatus.CLOSED

ALLOWED = {(OPEN, PENDING), (PENDING, OPEN), (OPEN, CLOSED)}
REFUSED = {
    (OPEN, OPEN): "already open",
    (PENDING, PENDING): "already awaiting handoff confirmation",
    (PENDING, CLOSED): "handoff awaits confirmation",
    (CLOSED, OPEN): "closed and cannot change",
    (CLOSED, PENDING): "closed and cannot change",
    (CLOSED, CLOSED): "closed and cannot change",
}


def test_table_covers_every_pair() -> None:
    assert ALLOWED | set(REFUSED) == set(itertools.product(EpisodeStatus, repeat=2))


@pytest.mark.parametrize(("frm", "to"), sorted(ALLOWED))
def test_allowed_transitions(frm: EpisodeStatus, to: EpisodeStatus) -> None:
    check_transition(frm, to)
    assert can_transition(frm, to)
    assert to in allowed_next(frm)


@pytest.mark.parametrize(("frm", "to", "fragment"), [(f, t, m) for (f, t), m in REFUSED.items()])
def test_refused_transitions(frm: EpisodeStatus, to: EpisodeStatus, fragment: str) -> None:
    with pytest.raises(TransitionRefused, match=fragment):
        check_transition(frm, to)
    assert not can_transition(frm, to)
    assert to not in allowed_next(frm)


def test_nothing_leaves_closed() -> None:
    assert allowed_next(CLOSED) == frozenset()


GOOD: dict[str, Any] = {
    "status": OPEN,
    "disposition": Disposition.STABILIZED,
    "summary": "Talked through plan; safe with sister.",
    "has_follow_up_plan": True,
    "no_follow_up_reason": None,
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"has_follow_up_plan": False, "no_follow_up_reason": "No crisis; seen at IOP tomorrow"},
    ],
)
def test_close_allowed(changes: dict[str, Any]) -> None:
    args = GOOD | changes
    check_close(**args)
    assert close_problems(**args) == []


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"status": PENDING}, ["handoff awaits confirmation"]),
        ({"status": CLOSED}, ["closed and cannot change"]),
        ({"disposition": None}, ["disposition"]),
        ({"summary": ""}, ["summary"]),
        ({"summary": "   \n"}, ["summary"]),
        ({"summary": None}, ["summary"]),
        ({"has_follow_up_plan": False}, ["follow-ups, or state why"]),
        ({"has_follow_up_plan": False, "no_follow_up_reason": "  "}, ["follow-ups, or state why"]),
        (
            {"status": PENDING, "disposition": None, "summary": "", "has_follow_up_plan": False},
            ["handoff", "disposition", "summary", "follow-ups"],
        ),
    ],
)
def test_close_refused_says_why(changes: dict[str, Any], fragments: list[str]) -> None:
    args = GOOD | changes
    with pytest.raises(TransitionRefused) as caught:
        check_close(**args)
    assert len(caught.value.reasons) == len(fragments)
    for reason, fragment in zip(caught.value.reasons, fragments, strict=True):
        assert fragment in reason
        assert fragment in str(caught.value)
