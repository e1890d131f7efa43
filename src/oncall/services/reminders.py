"""What is due for a person (W4, W8): follow-up reminders, the due-now list, plans to review."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oncall.domain.followup_plan import is_overdue
from oncall.domain.followup_work import follow_up_ref
from oncall.domain.models import FollowUp
from oncall.domain.safety_plan import review_due
from oncall.domain.timefmt import maybe_from_iso, to_iso
from oncall.domain.types import FollowUpKind, FollowUpStatus
from oncall.services.context import ServiceContext
from oncall.store import claims
from oncall.store import due as due_rows
from oncall.store.rows import follow_up_from_row

LATE_AFTER = timedelta(minutes=1)
"""A reminder firing this long after its due time is shown as overdue (the console was busy)."""


@dataclass(frozen=True)
class DueFollowUp:
    """A follow-up as the due-now list and a reminder show it."""

    follow_up_id: int
    episode_id: int
    client_id: int
    client_name: str
    preferred_name: str | None
    kind: FollowUpKind
    due_at: datetime
    assignee_id: int
    attempts: int
    overdue: bool
    """Past its due time by more than the grace: it escalates (or has) to the supervisor."""

    @property
    def label(self) -> str:
        """The kind in words ("contact 24h")."""
        return self.kind.value.replace("_", " ")

    @property
    def ref(self) -> str:
        """Its name on screen ("F-3"), never mistaken for an episode number."""
        return follow_up_ref(self.follow_up_id)


def _card(row: sqlite3.Row, now: datetime, grace: timedelta) -> tuple[FollowUp, DueFollowUp]:
    follow_up = follow_up_from_row(row)
    card = DueFollowUp(
        follow_up.id,
        follow_up.episode_id,
        follow_up.client_id,
        row["client_name"],
        row["client_preferred_name"],
        follow_up.kind,
        follow_up.due_at,
        follow_up.assignee_id,
        follow_up.attempts,
        is_overdue(follow_up, now, grace),
    )
    return follow_up, card


@dataclass(frozen=True)
class Reminder:
    """A follow-up's reminder, fired once in its assignee's console."""

    follow_up: DueFollowUp
    fired_at: datetime
    overdue: bool
    """It fell due while no console was running (fired at start) or fired late."""


@dataclass(frozen=True)
class ReminderBatch:
    """What claiming a batch of reminders came to."""

    won: list[Reminder]
    """Reminders this process claimed: show them."""
    not_yet_due: list[int]
    """Follow-ups not due yet by the injected clock: plan them again."""


def claim_reminders(
    ctx: ServiceContext,
    follow_up_ids: Sequence[int],
    *,
    fired_by: str,
    started_at: datetime,
) -> ReminderBatch:
    """Claim the reminders of these due follow-ups; the ones this process won are to be shown.

    A reminder fires once across every console and every restart: the claim row
    is written in the same transaction as the audit entry. A follow-up no longer
    pending, or already reminded by another console, is skipped.
    """
    now = ctx.clock.now()
    at = to_iso(now)
    won: list[Reminder] = []
    early: list[int] = []
    with ctx.store.write() as conn:
        for row in due_rows.follow_up_cards(conn, follow_up_ids):
            follow_up, card = _card(row, now, ctx.settings.follow_up_grace)
            if follow_up.status is not FollowUpStatus.PENDING:
                continue
            if follow_up.due_at > now:
                early.append(follow_up.id)
                continue
            overdue = follow_up.due_at < started_at or now - follow_up.due_at > LATE_AFTER
            claim_id = claims.claim(
                conn,
                subject_type=claims.REMINDER,
                subject_id=follow_up.id,
                level=0,
                fired_at=at,
                fired_by=fired_by,
                target_role="assignee",
                target_staff_id=follow_up.assignee_id,
                detail={"overdue": overdue, "due_at": to_iso(follow_up.due_at)},
            )
            if claim_id is None:
                continue
            ctx.audit(
                conn,
                "follow_up.reminded",
                "follow_up",
                follow_up.id,
                client_id=follow_up.client_id,
                detail={"overdue": overdue, "assignee_id": follow_up.assignee_id},
            )
            won.append(Reminder(card, now, overdue))
    won.sort(key=lambda r: (r.follow_up.due_at, r.follow_up.follow_up_id))
    return ReminderBatch(won, early)


def follow_ups_due(
    ctx: ServiceContext, assignee_id: int, *, within: timedelta = timedelta(0), limit: int = 200
) -> list[DueFollowUp]:
    """One person's pending follow-ups due now (or within `within`), earliest first."""
    now = ctx.clock.now()
    with ctx.store.read() as conn:
        rows = due_rows.due_follow_ups(conn, assignee_id, to_iso(now + within), limit)
    return [_card(row, now, ctx.settings.follow_up_grace)[1] for row in rows]


@dataclass(frozen=True)
class PlanReview:
    """A client whose safety plan is due for review, and why (W8)."""

    client_id: int
    client_name: str
    preferred_name: str | None
    reason: str
    last_reviewed_at: datetime | None


def plans_due_for_review(
    ctx: ServiceContext, clinician_id: int | None = None, *, limit: int = 200
) -> list[PlanReview]:
    """Plans not reviewed for 30 days or not since the last episode; one clinician's or all.

    Saving a new version counts as a review (it is written with the client),
    as on the client screen. Longest unreviewed first.
    """
    now = ctx.clock.now()
    with ctx.store.read() as conn:
        rows = due_rows.plan_review_facts(conn, clinician_id)
    due: list[PlanReview] = []
    for row in rows:
        times = [t for t in (row["saved_at"], row["reviewed_at"]) if t is not None]
        last = maybe_from_iso(max(times)) if times else None
        verdict = review_due(last, maybe_from_iso(row["last_episode_at"]), now)
        if verdict.due:
            due.append(
                PlanReview(row["id"], row["name"], row["preferred_name"], verdict.reason, last)
            )
    due.sort(key=lambda p: (p.last_reviewed_at is not None, p.last_reviewed_at or now, p.client_id))
    return due[:limit]


@dataclass(frozen=True)
class DueNow:
    """Everything due for one person right now, for the console's due-now list."""

    as_of: datetime
    follow_ups: list[DueFollowUp]
    plan_reviews: list[PlanReview]
    upcoming: list[DueFollowUp] = field(default_factory=list)
    """The person's follow-ups not due yet, within UPCOMING: a contact is best made before
    its deadline, not after the reminder says it has passed."""


UPCOMING = timedelta(days=9)
"""How far ahead the due-now list shows follow-ups: past a high-risk plan's last check-in."""


def due_now(ctx: ServiceContext, staff_id: int | None = None) -> DueNow:
    """The person's due and upcoming follow-ups and their clients' plans due for review."""
    who = ctx.actor.id if staff_id is None else staff_id
    now = ctx.clock.now()
    cards = follow_ups_due(ctx, who, within=UPCOMING)
    due = [c for c in cards if c.due_at <= now]
    later = [c for c in cards if c.due_at > now]
    return DueNow(now, due, plans_due_for_review(ctx, who), later)
