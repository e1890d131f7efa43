"""The channel and result fields of a contact attempt, the same in an episode and a follow-up."""

from __future__ import annotations

from textual.widgets import Select

from oncall.domain.types import ContactChannel, ContactResult
from oncall.ui.format import words


def channel_select(default: ContactChannel) -> Select[ContactChannel]:
    """How the client was contacted (#channel), starting at `default`; never blank."""
    return Select(
        [(words(c.value).capitalize(), c) for c in ContactChannel],
        id="channel",
        value=default,
        allow_blank=False,
    )


def result_select() -> Select[ContactResult]:
    """What came of the attempt (#result), blank until chosen."""
    return Select(
        [(words(r.value).capitalize(), r) for r in ContactResult],
        id="result",
        prompt="What came of it?",
    )
