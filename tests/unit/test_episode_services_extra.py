"""Services the episode screen needed beyond the first cut: plan review, revision check."""

from __future__ import annotations

from dataclasses import replace

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.types import Disposition, EventKind
from oncall.services import closing, episodes, views
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.errors import NotFound, Refused
from oncall.store import people
from oncall.store import safety as safety_rows
from oncall.store.audit import audit_entries


def _open_episode(clinic: Clinic, ref: str = "C-1") -> int:
    report = ingest_records(
        clinic.ctx(), [(1, alert_record(id=f"x-{ref}", client_ref=ref))], origin="test"
    )
    ack = acknowledge_alert(clinic.ctx(), report.accepted_ids[0])
    assert ack.episode is not None
    return ack.episode.id


def _audit_count(clinic: Clinic) -> int:
    with clinic.store.read() as conn:
        return len(audit_entries(conn))


def _give_plan(clinic: Clinic, ref: str = "C-1") -> None:
    with clinic.store.write() as conn:
        people.insert_safety_plan(
            conn,
            client_id=clinic.clients[ref],
            sections={"warning_signs": ["not sleeping"]},
            reasons_for_living="my daughter",
            created_by=clinic.staff["alice"].id,
            created_at="2026-10-01T10:00:00.000000+00:00",
        )


def test_plan_review_is_on_the_timeline_and_counts_as_reviewed(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    _give_plan(clinic)
    event = episodes.record_safety_plan_review(clinic.ctx(), episode_id, "  went over step 4 ")
    assert event.kind is EventKind.SAFETY_PLAN_REVIEW
    assert event.body == {"plan_version": 1, "note": "went over step 4"}
    with clinic.store.read() as conn:
        reviewed = safety_rows.last_reviewed_at(conn, clinic.clients["C-1"])
    assert reviewed == clinic.clock.now()
    record = views.view_client(clinic.ctx(), clinic.clients["C-1"])
    assert not record.plan_review.due


def test_plan_review_refused_without_a_plan_or_on_a_closed_episode(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    with pytest.raises(Refused, match="no safety plan"):
        episodes.record_safety_plan_review(clinic.ctx(), episode_id)
    _give_plan(clinic)
    make_safe_to_close(clinic.ctx(), episode_id)
    closing.close_episode(
        clinic.ctx(),
        episode_id,
        disposition=Disposition.NO_CRISIS,
        summary="checked in",
        follow_ups=[],
        no_follow_up_reason="no crisis",
    )
    with pytest.raises(Refused, match="closed"):
        episodes.record_safety_plan_review(clinic.ctx(), episode_id)


def test_revision_changes_with_the_episode_but_not_with_views(clinic: Clinic) -> None:
    episode_id = _open_episode(clinic)
    ctx = clinic.ctx()
    before = views.episode_revision(ctx, episode_id)
    audited = _audit_count(clinic)
    views.view_episode(ctx, episode_id)
    assert views.episode_revision(ctx, episode_id) == before
    assert _audit_count(clinic) == audited + 1  # the view, not the revision check
    episodes.add_note(ctx, episode_id, "spoke with client")
    after_note = views.episode_revision(ctx, episode_id)
    assert after_note != before
    assert after_note.last_event_id > before.last_event_id
    _give_plan(clinic)
    assert views.episode_revision(ctx, episode_id) != after_note


def test_revision_of_a_missing_episode_says_so(clinic: Clinic) -> None:
    with pytest.raises(NotFound, match="no episode 999"):
        views.episode_revision(clinic.ctx(), 999)


def test_contacts_who_may_be_told_follows_both_consents(clinic: Clinic) -> None:
    with clinic.store.read() as conn:
        consenting = people.client_by_id(conn, clinic.clients["C-1"])
        refusing = people.client_by_id(conn, clinic.clients["C-2"])
        contacts = people.emergency_contacts(conn, clinic.clients["C-1"])
    assert consenting is not None and refusing is not None
    today = clinic.clock.now().date()
    allowed, why = episodes.contacts_who_may_be_told(consenting, contacts, today)
    assert [c.name for c in allowed] == ["Sam Sample"] and why is None
    allowed, why = episodes.contacts_who_may_be_told(refusing, contacts, today)
    assert allowed == [] and why is not None and "not consented to disclosure" in why
    no_consent = [replace(c, consent_to_contact=False) for c in contacts]
    allowed, why = episodes.contacts_who_may_be_told(consenting, no_consent, today)
    assert allowed == [] and why is not None and "None of the client's" in why
    allowed, why = episodes.contacts_who_may_be_told(consenting, [], today)
    assert allowed == [] and why == "The client has no emergency contacts on file."
