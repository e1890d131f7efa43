"""The downtime journal: what a clinician did while the host was out of reach.

Each entry keeps its real time and an id made when it was written, so filing it back
(`oncall downtime file-back`) puts it on the timeline once, at the time it happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from oncall.domain.cssrs import QUESTIONS, CssrsAnswers, score_cssrs
from oncall.domain.types import ContactChannel, ContactResult, Disposition, RiskLevel

JOURNAL_VERSION = 1
MAX_TEXT = 4000
"""Longest note a journal entry keeps (the console's own limit for a note)."""


class JournalKind(StrEnum):
    """What a journal entry records."""

    NOTE = "note"
    CONTACT_ATTEMPT = "contact_attempt"
    CSSRS = "cssrs"
    FOLLOW_UP_ATTEMPT = "follow_up_attempt"
    DISPOSITION = "disposition"

    @property
    def label(self) -> str:
        """The kind in words."""
        return {
            JournalKind.NOTE: "note",
            JournalKind.CONTACT_ATTEMPT: "contact attempt",
            JournalKind.CSSRS: "C-SSRS screener",
            JournalKind.FOLLOW_UP_ATTEMPT: "follow-up attempt",
            JournalKind.DISPOSITION: "disposition decided",
        }[self]


@dataclass(frozen=True)
class JournalEntry:
    """One thing done during downtime, for one client (and their open episode, if any)."""

    id: str
    at: datetime
    kind: JournalKind
    client_ref: str
    episode_id: int | None
    text: str = ""
    who: str = ""
    """Who was contacted (a contact attempt)."""
    channel: ContactChannel | None = None
    result: ContactResult | None = None
    disposition: Disposition | None = None
    cssrs: dict[str, bool | None] | None = None
    """The screener's answers by question key (domain/cssrs.py), for a C-SSRS entry."""
    follow_up_id: int | None = None
    """The pending follow-up an attempt was for."""


@dataclass(frozen=True)
class DowntimeJournal:
    """Everything written during downtime by one staff member."""

    version: int
    kept_by: str
    """The staff login of the pack it was kept with; only they may file it back."""
    entries: list[JournalEntry] = field(default_factory=list)


def new_entry_id() -> str:
    """A unique id for an entry (random: two machines never make the same one)."""
    return uuid.uuid4().hex


def entry_words(entry: JournalEntry) -> str:
    """The entry as one line of the timeline's kind ("Phone contact with Dana: reached")."""
    if entry.kind is JournalKind.CONTACT_ATTEMPT:
        channel = entry.channel.value.replace("_", " ") if entry.channel else "contact"
        result = entry.result.value.replace("_", " ") if entry.result else "no result"
        line = f"{channel.capitalize()} contact with {entry.who or 'the client'}: {result}."
        return f"{line} {entry.text}".strip()
    if entry.kind is JournalKind.FOLLOW_UP_ATTEMPT:
        channel = entry.channel.value.replace("_", " ") if entry.channel else "contact"
        result = entry.result.value.replace("_", " ") if entry.result else "no result"
        line = f"Follow-up F-{entry.follow_up_id} attempt by {channel}: {result}."
        return f"{line} {entry.text}".strip()
    if entry.kind is JournalKind.CSSRS:
        answers = entry.cssrs or {}
        yes = [q.number for q in QUESTIONS if answers.get(q.key) is True]
        said = f"yes to {', '.join(yes)}" if yes else "no to every question"
        level = cssrs_level(entry)
        risk = level.value.upper() if level else "not scored"
        return f"C-SSRS screener: risk {risk} ({said}). {entry.text}".strip()
    if entry.kind is JournalKind.DISPOSITION:
        label = entry.disposition.label if entry.disposition else "no disposition"
        return f"Disposition decided during downtime: {label}. {entry.text}".strip()
    return entry.text


def cssrs_level(entry: JournalEntry) -> RiskLevel | None:
    """The risk level a C-SSRS entry's answers yield (None when they do not hold together)."""
    try:
        return score_cssrs(CssrsAnswers.from_dict(entry.cssrs or {}))
    except ValueError:
        return None
