"""The downtime journal file on the clinician's machine: encrypted, replaced whole on each entry.

Sealed like the pack (services/downtime_crypto.py) with the pack's passphrase, so the
journal is no easier to read than the pack it was kept beside. Each write goes to a
temporary file first, then takes the journal's place: a crash mid-write leaves the
previous journal whole.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.downtime_codec import PackFormatError, decode, encode
from oncall.domain.downtime_journal import (
    JOURNAL_VERSION,
    MAX_TEXT,
    DowntimeJournal,
    JournalEntry,
    JournalKind,
    new_entry_id,
)
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services.downtime_crypto import JOURNAL_MAGIC, DowntimeFileError, seal, unseal
from oncall.services.errors import ValidationFailed

MAX_JOURNAL_BYTES = 16 * 1024 * 1024
"""Most a journal file may hold (thousands of entries); a bigger file is refused unread."""


def journal_bytes(journal: DowntimeJournal, passphrase: str) -> bytes:
    """The journal as its encrypted file."""
    document = json.dumps(encode(journal), ensure_ascii=False, separators=(",", ":"))
    return seal(document.encode("utf-8"), passphrase, magic=JOURNAL_MAGIC)


def read_journal(data: bytes, passphrase: str, name: str) -> DowntimeJournal:
    """The journal in an encrypted file; DowntimeFileError (one sentence) when it cannot be."""
    if len(data) > MAX_JOURNAL_BYTES:
        raise DowntimeFileError(f"{name} is larger than any downtime journal could be.")
    document = unseal(data, passphrase, name, magic=JOURNAL_MAGIC)
    try:
        plain = json.loads(document)
    except (UnicodeDecodeError, ValueError):
        raise DowntimeFileError(f"{name} is damaged: its contents cannot be read.") from None
    if not isinstance(plain, dict) or plain.get("version") != JOURNAL_VERSION:
        raise DowntimeFileError(f"{name} was written by another version of oncall.")
    try:
        return decode(DowntimeJournal, plain, "journal")
    except PackFormatError as error:
        raise DowntimeFileError(f"{name} is damaged: {error}.") from None


def open_journal(path: Path, passphrase: str, kept_by: str) -> DowntimeJournal:
    """The journal at `path`, or a new empty one; refuses one kept by someone else."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return DowntimeJournal(JOURNAL_VERSION, kept_by, [])
    except OSError as error:
        raise DowntimeFileError(f"Cannot read {path}: {error.strerror}.") from None
    journal = read_journal(data, passphrase, path.name)
    if journal.kept_by != kept_by:
        raise DowntimeFileError(
            f"{path.name} is {journal.kept_by}'s downtime journal, not {kept_by}'s; file it back"
            " or move it aside before keeping another."
        )
    return journal


def write_journal(path: Path, journal: DowntimeJournal, passphrase: str) -> None:
    """Replace the journal file whole (owner-only), or leave the old one as it was."""
    data = journal_bytes(journal, passphrase)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ValidationFailed(
            f"The journal could not be written to {path}: {error.strerror}. Write the entry"
            " on paper and keep the console open."
        ) from None


def make_entry(
    kind: JournalKind,
    *,
    at: datetime,
    client_ref: str,
    episode_id: int | None,
    text: str = "",
    who: str = "",
    channel: ContactChannel | None = None,
    result: ContactResult | None = None,
    disposition: Disposition | None = None,
    cssrs: dict[str, bool | None] | None = None,
    follow_up_id: int | None = None,
) -> JournalEntry:
    """A checked entry with a new id; ValidationFailed names what is missing."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"The note is longer than {MAX_TEXT} characters.")
    if kind is JournalKind.NOTE and not text:
        raise ValidationFailed("The note is empty.")
    if kind is JournalKind.CONTACT_ATTEMPT:
        if not who.strip():
            raise ValidationFailed("Say who was contacted.")
        if channel is None or result is None:
            raise ValidationFailed("Choose how the contact was attempted and what came of it.")
    if kind is JournalKind.FOLLOW_UP_ATTEMPT:
        if follow_up_id is None:
            raise ValidationFailed("Choose the follow-up the attempt was for.")
        if channel is None or result is None:
            raise ValidationFailed("Choose how the contact was attempted and what came of it.")
    if kind is JournalKind.DISPOSITION and disposition is None:
        raise ValidationFailed("Choose the disposition.")
    if kind is JournalKind.CSSRS:
        try:
            cssrs = CssrsAnswers.from_dict(cssrs or {}).to_dict()
        except ValueError as error:  # names the question (skip logic included)
            raise ValidationFailed(f"{error}.") from None
    return JournalEntry(
        id=new_entry_id(),
        at=at,
        kind=kind,
        client_ref=client_ref,
        episode_id=episode_id,
        text=text,
        who=who.strip()[:200],
        channel=channel,
        result=result,
        disposition=disposition,
        cssrs=cssrs if kind is JournalKind.CSSRS else None,
        follow_up_id=follow_up_id if kind is JournalKind.FOLLOW_UP_ATTEMPT else None,
    )


def with_entry(journal: DowntimeJournal, entry: JournalEntry) -> DowntimeJournal:
    """The journal with one more entry."""
    return replace(journal, entries=[*journal.entries, entry])


class JournalFile:
    """The journal being kept: in memory, and written whole to its file on every entry."""

    def __init__(self, path: Path, passphrase: str, journal: DowntimeJournal) -> None:
        self.path, self._passphrase, self.journal = path, passphrase, journal

    @classmethod
    def open(cls, path: Path, passphrase: str, kept_by: str) -> JournalFile:
        """The journal at `path` (a new one if there is none), kept by `kept_by`."""
        return cls(path, passphrase, open_journal(path, passphrase, kept_by))

    def add(self, entry: JournalEntry) -> None:
        """Append the entry and write the file; on failure the entry is not kept."""
        grown = with_entry(self.journal, entry)
        write_journal(self.path, grown, self._passphrase)
        self.journal = grown
