"""What is due for a person: follow-up reminders (once), the due-now list, plans to review (W8)."""

from __future__ import annotations

from datetime import timedelta

from conftest import Clinic
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ContactChannel, ContactResult
from oncall.services.followups import record_follow_up_attempt
from oncall.services.reminders import claim_reminders, due_now, follow_ups_due, plans_due_for_review
from oncall.store import people
from oncall.store import safety as safety_rows
from scheduling_support import open_episode, schedule_follow_ups


def test_due_now_lists_a_follow_up_from_its_due_time(clinic: Clinic) -> None:
    first, second = schedule_follow_ups(clinic, [timedelta(hours=24), timedelta(hours=72)])
    pat = clinic.staff["pat"].id
    clinic.clock.advance(timedelta(hours=23, minutes=59))
    assert follow_ups_due(clinic.ctx("pat"), pat) == []
    assert [
        f.follow_up_id for f in follow_ups_due(clinic.ctx(), pat, within=timedelta(hours=1))
    ] == [first]
    clinic.clock.advance(timedelta(minutes=1))
    (card,) = follow_ups_due(clinic.ctx("pat"), pat)
    assert (card.follow_up_id, card.client_name, card.overdue) == (first, "Casey Sample", False)
    clinic.clock.advance(clinic.settings.follow_up_grace + timedelta(seconds=1))
    assert follow_ups_due(clinic.ctx("pat"), pat)[0].overdue
    assert follow_ups_due(clinic.ctx(), clinic.staff["alice"].id) == []  # only the assignee's
    assert second not in [f.follow_up_id for f in follow_ups_due(clinic.ctx("pat"), pat)]


def test_a_reminder_is_claimed_once_and_only_when_due(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    ctx = clinic.ctx("pat")
    started = clinic.clock.now()
    early = claim_reminders(ctx, [follow_up_id], fired_by="test", started_at=started)
    assert (early.won, early.not_yet_due) == ([], [follow_up_id])
    clinic.clock.advance(timedelta(hours=24))
    batch = claim_reminders(ctx, [follow_up_id], fired_by="test", started_at=started)
    assert [(r.follow_up.follow_up_id, r.overdue) for r in batch.won] == [(follow_up_id, False)]
    again = claim_reminders(clinic.ctx("sue"), [follow_up_id], fired_by="other", started_at=started)
    assert again.won == [] and again.not_yet_due == []


def test_a_reminder_that_fell_due_before_start_is_marked_overdue(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    clinic.clock.advance(timedelta(hours=30))
    batch = claim_reminders(
        clinic.ctx("pat"), [follow_up_id], fired_by="test", started_at=clinic.clock.now()
    )
    assert [r.overdue for r in batch.won] == [True]


def test_a_done_follow_up_is_not_reminded(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    record_follow_up_attempt(
        clinic.ctx("pat"), follow_up_id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    clinic.clock.advance(timedelta(hours=25))
    batch = claim_reminders(
        clinic.ctx("pat"), [follow_up_id], fired_by="test", started_at=clinic.clock.now()
    )
    assert batch.won == []


def _plan(clinic: Clinic, ref: str, saved_days_ago: float) -> None:
    with clinic.store.write() as conn:
        people.insert_safety_plan(
            conn,
            client_id=clinic.clients[ref],
            sections={"warning_signs": ["Not sleeping"]},
            reasons_for_living="My kids",
            created_by=clinic.staff["alice"].id,
            created_at=to_iso(clinic.clock.now() - timedelta(days=saved_days_ago)),
        )


def test_plans_due_for_review_after_30_days_or_since_the_last_episode(clinic: Clinic) -> None:
    _plan(clinic, "C-1", saved_days_ago=31)
    _plan(clinic, "C-2", saved_days_ago=3)
    _plan(clinic, "C-3", saved_days_ago=40)
    with clinic.store.write() as conn:  # C-3 was reviewed with the client a week ago
        safety_rows.record_review(
            conn,
            client_id=clinic.clients["C-3"],
            plan_version=1,
            episode_id=None,
            reviewed_by=clinic.staff["alice"].id,
            reviewed_at=to_iso(clinic.clock.now() - timedelta(days=7)),
        )
    due = {p.client_name: p.reason for p in plans_due_for_review(clinic.ctx())}
    assert due == {"Jordan Test": "Not reviewed for 31 days."}
    open_episode(clinic, client_ref="C-2")  # a crisis since C-2's plan was last gone over
    due = {p.client_name: p.reason for p in plans_due_for_review(clinic.ctx())}
    assert due["Casey Sample"] == "Not reviewed since the last crisis episode."
    assert "Riley Example" not in due
    # One clinician's clients only: everyone here has Alice as primary clinician.
    assert plans_due_for_review(clinic.ctx(), clinic.staff["bob"].id) == []
    assert len(plans_due_for_review(clinic.ctx(), clinic.staff["alice"].id)) == 2


def test_due_now_gathers_a_persons_follow_ups_and_plans(clinic: Clinic) -> None:
    _plan(clinic, "C-1", saved_days_ago=45)
    schedule_follow_ups(clinic, [timedelta(hours=1)], assignee="alice")
    clinic.clock.advance(timedelta(hours=2))
    listing = due_now(clinic.ctx("alice"))
    assert [f.client_name for f in listing.follow_ups] == ["Casey Sample"]
    assert [p.client_name for p in listing.plan_reviews] == ["Jordan Test"]
    assert listing.as_of == clinic.clock.now()
