"""Amending a recorded safety-plan review withdraws it: the plan is due for review again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import Clinic, alert_record, build_clinic
from oncall.clock import FrozenClock
from oncall.domain.close_safety import SafetyCheck
from oncall.domain.cssrs import CssrsAnswers
from oncall.services import episodes, safety_plans
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.close_safety import episode_safety_gaps
from oncall.services.views import view_client
from oncall.store import episodes as episode_rows
from oncall.store import safety as safety_rows
from oncall.store import schema
from oncall.store.audit import audit_entries
from oncall.store.db import connect


def _plan(clinic: Clinic) -> None:
    safety_plans.save_safety_plan(
        clinic.ctx(),
        clinic.clients["C-1"],
        {"warning_signs": ["Skipping meetings"], "internal_coping": ["Walk the dog"]},
        "My daughter",
    )


def _episode(clinic: Clinic, ref: str = "r-1") -> int:
    report = ingest_records(clinic.ctx(), [(1, alert_record(id=ref))], origin="test")
    ack = acknowledge_alert(clinic.ctx(), report.accepted_ids[0])
    assert ack.episode is not None
    return ack.episode.id


def test_amending_a_review_withdraws_it_and_the_plan_is_due_again(clinic: Clinic) -> None:
    _plan(clinic)
    clinic.clock.advance(timedelta(days=2))
    episode_id = _episode(clinic)  # a crisis since the plan was saved: due for review
    assert view_client(clinic.ctx(), clinic.clients["C-1"]).plan_review.due
    clinic.clock.advance(timedelta(minutes=5))
    review = episodes.record_safety_plan_review(clinic.ctx(), episode_id)
    assert not view_client(clinic.ctx(), clinic.clients["C-1"]).plan_review.due

    clinic.clock.advance(timedelta(minutes=5))
    amendment = episodes.amend_event(
        clinic.ctx(), episode_id, review.id, "Recorded on the wrong client: no review happened"
    )

    assert amendment.body["review_withdrawn"] is True
    assert view_client(clinic.ctx(), clinic.clients["C-1"]).plan_review.due, "due again"
    with clinic.store.read() as conn:
        assert safety_rows.last_reviewed_at(conn, clinic.clients["C-1"]) is None
    actions = [e.action for e in audit_entries(clinic.store.conn)]
    assert "safety_plan.review_withdrawn" in actions


def _gaps(clinic: Clinic, episode_id: int) -> set[SafetyCheck]:
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        assert episode is not None
        return {gap.check for gap in episode_safety_gaps(conn, episode, None)}


def test_a_withdrawn_review_does_not_satisfy_the_close_rule(clinic: Clinic) -> None:
    _plan(clinic)
    episode_id = _episode(clinic)
    moderate = CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False)
    episodes.record_cssrs(clinic.ctx(), episode_id, moderate)  # a review is then required
    review = episodes.record_safety_plan_review(clinic.ctx(), episode_id)
    assert SafetyCheck.SAFETY_PLAN_REVIEW not in _gaps(clinic, episode_id)
    episodes.amend_event(clinic.ctx(), episode_id, review.id, "Not gone over after all")
    assert SafetyCheck.SAFETY_PLAN_REVIEW in _gaps(clinic, episode_id)


def test_amending_another_event_withdraws_no_review(clinic: Clinic) -> None:
    _plan(clinic)
    episode_id = _episode(clinic)
    episodes.record_safety_plan_review(clinic.ctx(), episode_id)
    note = episodes.add_note(clinic.ctx(), episode_id, "Client at home")
    amendment = episodes.amend_event(clinic.ctx(), episode_id, note.id, "At her sister's")
    assert "review_withdrawn" not in amendment.body
    assert not view_client(clinic.ctx(), clinic.clients["C-1"]).plan_review.due


def test_the_migration_withdraws_reviews_amended_before_it(
    db_path: Path, clock: FrozenClock
) -> None:
    old = connect(db_path, migrate=False)
    schema.migrate(old, target=12)  # before reviews pointed at their events
    clinic = build_clinic(old, clock)
    _plan(clinic)
    episode_id = _episode(clinic)
    with old.write() as conn:  # a review and its amendment as version 12 stored them
        at = clock.now().isoformat()
        conn.execute(
            "INSERT INTO safety_plan_reviews (client_id, plan_version, episode_id, reviewed_by,"
            " reviewed_at) VALUES (?, 1, ?, ?, ?)",
            (clinic.clients["C-1"], episode_id, clinic.staff["alice"].id, at),
        )
        event = conn.execute(
            "INSERT INTO timeline_events (episode_id, at, actor_id, kind, body)"
            " VALUES (?, ?, ?, 'safety_plan_review', '{}')",
            (episode_id, at, clinic.staff["alice"].id),
        ).lastrowid
        conn.execute(
            "INSERT INTO timeline_events (episode_id, at, actor_id, kind, body, amends)"
            " VALUES (?, ?, ?, 'amendment', '{}', ?)",
            (episode_id, at, clinic.staff["alice"].id, event),
        )
    old.close()
    store = connect(db_path)
    with store.read() as conn:
        row = conn.execute("SELECT event_id, withdrawn_at FROM safety_plan_reviews").fetchone()
        assert row["event_id"] == event and row["withdrawn_at"] == at
        assert safety_rows.last_reviewed_at(conn, clinic.clients["C-1"]) is None
    store.close()
