"""The crisis episode's states, the moves between them, and what closing needs (W5)."""

from __future__ import annotations

from oncall.domain.types import Disposition, EpisodeStatus

_OPEN = EpisodeStatus.OPEN
_PENDING = EpisodeStatus.HANDOFF_PENDING
_CLOSED = EpisodeStatus.CLOSED

ALLOWED_TRANSITIONS: frozenset[tuple[EpisodeStatus, EpisodeStatus]] = frozenset(
    {
        (_OPEN, _PENDING),  # a hotline handoff awaits confirmation (W7)
        (_PENDING, _OPEN),  # the handoff was confirmed
        (_OPEN, _CLOSED),  # closed with a disposition and summary (W5)
    }
)
"""Every (from, to) move an episode may make."""


class TransitionRefused(ValueError):
    """An episode cannot make this move; `reasons` says why in a clinician's words."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(" ".join(self.reasons))


def _status_reason(from_status: EpisodeStatus, to_status: EpisodeStatus) -> str | None:
    """Why the move is refused, or None when it is allowed."""
    if (from_status, to_status) in ALLOWED_TRANSITIONS:
        return None
    if from_status is _CLOSED:
        return "This episode is closed and cannot change; open a new episode instead."
    if from_status is to_status:
        return f"This episode is already {_WORDS[to_status]}."
    if from_status is _PENDING and to_status is _CLOSED:
        return "A handoff awaits confirmation: confirm it before closing the episode."
    return f"An episode cannot go from {_WORDS[from_status]} to {_WORDS[to_status]}."


_WORDS = {
    _OPEN: "open",
    _PENDING: "awaiting handoff confirmation",
    _CLOSED: "closed",
}


def can_transition(from_status: EpisodeStatus, to_status: EpisodeStatus) -> bool:
    """True when an episode may move from `from_status` to `to_status`."""
    return (from_status, to_status) in ALLOWED_TRANSITIONS


def allowed_next(from_status: EpisodeStatus) -> frozenset[EpisodeStatus]:
    """The states an episode in `from_status` may move to."""
    return frozenset(to for frm, to in ALLOWED_TRANSITIONS if frm is from_status)


def check_transition(from_status: EpisodeStatus, to_status: EpisodeStatus) -> None:
    """Raise `TransitionRefused` unless the move is allowed."""
    reason = _status_reason(from_status, to_status)
    if reason is not None:
        raise TransitionRefused([reason])


def close_problems(
    status: EpisodeStatus,
    disposition: Disposition | None,
    summary: str | None,
    has_follow_up_plan: bool,
    no_follow_up_reason: str | None,
) -> list[str]:
    """Everything that stops the episode closing now, in a clinician's words."""
    problems: list[str] = []
    reason = _status_reason(status, _CLOSED)
    if reason is not None:
        problems.append(reason)
    if disposition is None:
        problems.append("Choose a disposition before closing.")
    if not (summary or "").strip():
        problems.append("Write a short summary before closing.")
    if not has_follow_up_plan and not (no_follow_up_reason or "").strip():
        problems.append("Schedule follow-ups, or state why none are needed.")
    return problems


def check_close(
    status: EpisodeStatus,
    disposition: Disposition | None,
    summary: str | None,
    has_follow_up_plan: bool,
    no_follow_up_reason: str | None,
) -> None:
    """Raise `TransitionRefused` listing every reason the episode cannot close yet."""
    problems = close_problems(status, disposition, summary, has_follow_up_plan, no_follow_up_reason)
    if problems:
        raise TransitionRefused(problems)
