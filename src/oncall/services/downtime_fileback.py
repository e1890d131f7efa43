"""Filing a downtime journal back into the record: each entry once, at its own time.

An entry goes on its episode's timeline with the time it happened and marked "entered
after downtime" (with the time it was filed); its id, kept in the event, makes a second
file-back of the same journal add nothing. What cannot be filed as it stands (the episode
was closed meanwhile, the client is no longer in the person's care, there was no open
episode) is listed for the clinician to resolve: nothing is dropped without a word.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.downtime_journal import (
    DowntimeJournal,
    JournalEntry,
    JournalKind,
    cssrs_level,
    entry_words,
)
from oncall.domain.followup_plan import MAX_ATTEMPTS, status_after_attempt
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ContactResult, EpisodeStatus, EventKind, FollowUpStatus
from oncall.services.access import access_basis
from oncall.services.context import ServiceContext
from oncall.services.errors import PermissionDenied
from oncall.services.risk import refresh_risk
from oncall.store import downtime as downtime_rows
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import people

CLOCK_SLACK = timedelta(minutes=5)
"""How far ahead of the host's clock an entry's time may be (the laptop's clock drifts)."""
PACK_REACH = timedelta(days=7)
"""An entry may be about a client held by a pack of theirs made up to this long before it."""


@dataclass(frozen=True)
class Conflict:
    """An entry not filed, and why, in a sentence the clinician can act on."""

    entry: JournalEntry
    reason: str


@dataclass
class FileBackReport:
    """What a file-back did with each entry of the journal."""

    filed: list[JournalEntry] = field(default_factory=list)
    already_filed: list[JournalEntry] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    to_do: list[str] = field(default_factory=list)
    """What the clinician still has to do in the console (close with a disposition)."""


def _when(entry: JournalEntry, zone: ZoneInfo) -> str:
    return entry.at.astimezone(zone).strftime("%a %d %b %H:%M")


def file_back(ctx: ServiceContext, journal: DowntimeJournal) -> FileBackReport:
    """Put the journal's entries on their timelines (one transaction, audited)."""
    if journal.kept_by != ctx.actor.login:
        raise PermissionDenied(
            f"This downtime journal was kept by {journal.kept_by}; only they can file it back."
        )
    report = FileBackReport()
    now, zone = ctx.clock.now(), ctx.settings.zone
    entries = sorted(journal.entries, key=lambda e: (e.at, e.id))
    with ctx.store.write() as conn:
        episodes = {e.episode_id for e in entries if e.episode_id is not None}
        for entry in entries:  # an attempt's event goes on its follow-up's episode
            if entry.follow_up_id is not None:
                follow_up = follow_up_rows.follow_up_by_id(conn, entry.follow_up_id)
                if follow_up is not None:
                    episodes.add(follow_up.episode_id)
        done = downtime_rows.filed_entry_ids(conn, episodes)
        staff = {s.id: s.display_name for s in people.list_staff(conn)}
        for entry in entries:
            if entry.id in done:
                report.already_filed.append(entry)
                continue
            reason = _why_not(ctx, conn, entry, now, staff, zone)
            if reason is not None:
                report.conflicts.append(Conflict(entry, reason))
                continue
            if entry.kind is JournalKind.FOLLOW_UP_ATTEMPT:
                _file_attempt(ctx, conn, entry)
            else:
                assert entry.episode_id is not None
                _file(ctx, conn, entry, entry.episode_id)
            done.add(entry.id)
            report.filed.append(entry)
            if entry.kind is JournalKind.DISPOSITION and entry.disposition is not None:
                report.to_do.append(
                    f"Close episode #{entry.episode_id} ({entry.client_ref}) with"
                    f" '{entry.disposition.label}', decided {_when(entry, zone)} during downtime."
                )
        ctx.audit(
            conn,
            "downtime.filed_back",
            "downtime_journal",
            None,
            detail={
                "filed": len(report.filed),
                "already_filed": len(report.already_filed),
                "conflicts": len(report.conflicts),
            },
        )
    return report


def _why_not(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    entry: JournalEntry,
    now: datetime,
    staff: dict[int, str],
    zone: ZoneInfo,
) -> str | None:
    """Why the entry cannot be filed as it stands, or None."""
    what = f"{entry.kind.label} for {entry.client_ref} at {_when(entry, zone)}"
    if entry.at > now + CLOCK_SLACK:
        return f"The {what} is later than now: check that machine's clock, then enter it."
    client = people.client_by_ref(conn, entry.client_ref)
    if client is None:
        return f"The {what}: there is no client {entry.client_ref} any more."
    packed = downtime_rows.was_packed_for(
        conn, ctx.actor.login, client.id, to_iso(entry.at - PACK_REACH)
    )
    # The pack disclosed the record to them (and was audited so): what they did with it
    # during downtime goes back on the record as any action of theirs would.
    if not packed and access_basis(ctx, conn, client.id) is None:
        return f"The {what}: {entry.client_ref} is not in your care; ask a supervisor."
    if entry.kind is JournalKind.FOLLOW_UP_ATTEMPT:
        return _follow_up_problem(conn, entry, what, client.id)
    if entry.episode_id is None:
        return (
            f"The {what}: {entry.client_ref} had no open episode in the pack; open one in the"
            " console and enter it there."
        )
    episode = episode_rows.episode_by_id(conn, entry.episode_id)
    if episode is None or episode.client_id != client.id:
        return f"The {what}: episode #{entry.episode_id} is not {entry.client_ref}'s."
    if episode.status is EpisodeStatus.CLOSED:
        closed = (
            episode.closed_at.astimezone(zone).strftime("%a %H:%M") if episode.closed_at else ""
        )
        by = staff.get(episode.closed_by or 0, "someone")
        return (
            f"The {what}: episode #{episode.id} was closed {closed} by {by} meanwhile; add it"
            " to the record as an amendment."
        )
    return None


def _follow_up_problem(
    conn: sqlite3.Connection, entry: JournalEntry, what: str, client_id: int
) -> str | None:
    """Why a follow-up attempt cannot be counted now (done meanwhile, out of attempts)."""
    follow_up = (
        follow_up_rows.follow_up_by_id(conn, entry.follow_up_id)
        if entry.follow_up_id is not None
        else None
    )
    if follow_up is None or follow_up.client_id != client_id:
        return f"The {what}: follow-up F-{entry.follow_up_id} is not {entry.client_ref}'s."
    if follow_up.status is not FollowUpStatus.PENDING:
        return (
            f"The {what}: follow-up F-{follow_up.id} is {follow_up.status.value} already;"
            " add the attempt to its episode as a note if it matters."
        )
    if follow_up.attempts >= MAX_ATTEMPTS:
        return f"The {what}: follow-up F-{follow_up.id} has had its {MAX_ATTEMPTS} attempts."
    return None


def _file_attempt(ctx: ServiceContext, conn: sqlite3.Connection, entry: JournalEntry) -> None:
    """A follow-up attempt counted at its own time, as the console would count it."""
    assert entry.follow_up_id is not None and entry.channel and entry.result
    follow_up = follow_up_rows.follow_up_by_id(conn, entry.follow_up_id)
    assert follow_up is not None
    at = to_iso(entry.at)
    reached = entry.result is ContactResult.REACHED
    status = status_after_attempt(follow_up.attempts, reached)
    follow_up_rows.record_attempt(
        conn,
        follow_up_id=follow_up.id,
        at=at,
        actor_id=ctx.actor.id,
        channel=entry.channel.value,
        result=entry.result.value,
        note=entry.text,
    )
    if status is not FollowUpStatus.PENDING:
        follow_up_rows.finish_follow_up(
            conn,
            follow_up.id,
            status=status.value,
            result=entry.result.value if reached else "attempts ran out",
            completed_at=at if reached else None,
        )
    detail = {"channel": entry.channel.value, "result": entry.result.value, "status": status.value}
    event = episode_rows.insert_event(
        conn,
        episode_id=follow_up.episode_id,
        at=at,
        actor_id=ctx.actor.id,
        kind=EventKind.FOLLOW_UP_ACTIVITY,
        body={
            "follow_up_id": follow_up.id,
            "follow_up_kind": follow_up.kind.value,
            "action": "attempt",
            **detail,
            "note": entry.text,
            "entered_after_downtime": True,
            "downtime_id": entry.id,
            "filed_at": ctx.now_iso(),
        },
    )
    ctx.audit(
        conn,
        "follow_up.attempt",
        "follow_up",
        follow_up.id,
        client_id=follow_up.client_id,
        detail={**detail, "event_id": event.id, "downtime_id": entry.id, "happened_at": at},
    )


def _file(
    ctx: ServiceContext, conn: sqlite3.Connection, entry: JournalEntry, episode_id: int
) -> None:
    """The entry as a timeline event at its own time, marked, and its audit row."""
    marks = {"entered_after_downtime": True, "downtime_id": entry.id, "filed_at": ctx.now_iso()}
    if entry.kind is JournalKind.CONTACT_ATTEMPT:
        kind = EventKind.CONTACT_ATTEMPT
        body: dict[str, object] = {
            "who": entry.who,
            "channel": entry.channel.value if entry.channel else "",
            "result": entry.result.value if entry.result else "",
            "note": entry.text,
        }
    elif entry.kind is JournalKind.CSSRS:
        kind = EventKind.RISK_SCREENING
        level = cssrs_level(entry)
        body = {
            "instrument": "C-SSRS screener",
            "answers": dict(entry.cssrs or {}),
            "risk_level": level.value if level else None,
            "note": entry.text,
        }
    else:
        kind = EventKind.NOTE
        body = {"text": entry_words(entry)}
    event = episode_rows.insert_event(
        conn,
        episode_id=episode_id,
        at=to_iso(entry.at),
        actor_id=ctx.actor.id,
        kind=kind,
        body={**body, **marks},
    )
    if kind is EventKind.RISK_SCREENING:
        refresh_risk(conn, episode_id)  # the episode's risk as its timeline now says
    episode = episode_rows.episode_by_id(conn, episode_id)
    ctx.audit(
        conn,
        f"timeline.{kind.value}",
        "episode",
        episode_id,
        client_id=episode.client_id if episode else None,
        detail={"event_id": event.id, "downtime_id": entry.id, "happened_at": to_iso(entry.at)},
    )
