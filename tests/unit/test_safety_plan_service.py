"""Safety-plan use cases: versions with who and when, reviews, comparisons, paged history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import Clinic, alert_record
from oncall.domain.types import EventKind
from oncall.services import safety_plans
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.client_history import client_episodes_page, client_revision
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.services.views import view_client
from oncall.store import episodes as episode_rows
from oncall.store.audit import audit_entries

SECTIONS = {
    "warning_signs": ["Skipping meetings", "  ", "Not sleeping  "],
    "internal_coping": ["Walk the dog"],
    "people_for_help": ["Sam (sister) +1-714-555-0199"],
    "professionals": ["988, call or text"],
}


def _save(clinic: Clinic, login: str = "alice", **changes: list[str]) -> int:
    plan = safety_plans.save_safety_plan(
        clinic.ctx(login), clinic.clients["C-1"], {**SECTIONS, **changes}, "My daughter"
    )
    return plan.version


def test_every_save_is_a_new_version_with_who_and_when(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    first = safety_plans.save_safety_plan(clinic.ctx(), client_id, SECTIONS, " My daughter ")
    clinic.clock.advance(timedelta(hours=2))
    second = safety_plans.save_safety_plan(
        clinic.ctx("sue"), client_id, {**SECTIONS, "internal_coping": ["Call my sponsor"]}, "x"
    )
    assert (first.version, second.version) == (1, 2)
    assert first.created_by == clinic.staff["alice"].id
    assert second.created_by == clinic.staff["sue"].id
    assert second.created_at - first.created_at == timedelta(hours=2)
    # blank items dropped, items trimmed, all six sections present
    assert first.sections["warning_signs"] == ["Skipping meetings", "Not sleeping"]
    assert first.sections["social_distraction"] == []
    assert first.reasons_for_living == "My daughter"
    record = view_client(clinic.ctx(), client_id)
    assert [p.version for p in record.plan_versions] == [2, 1]
    actions = [e.action for e in audit_entries(clinic.store.conn, client_id=client_id)]
    assert actions.count("safety_plan.saved") == 2


def test_unchanged_save_is_refused_and_writes_nothing(clinic: Clinic) -> None:
    _save(clinic)
    with pytest.raises(Refused, match="Nothing has changed since version 1"):
        # same words, different blank lines and spacing: still the same plan
        safety_plans.save_safety_plan(
            clinic.ctx(),
            clinic.clients["C-1"],
            {**SECTIONS, "warning_signs": ["", "Skipping meetings ", "Not sleeping"]},
            "My daughter",
        )
    assert [p.version for p in view_client(clinic.ctx(), clinic.clients["C-1"]).plan_versions] == [
        1
    ]


@pytest.mark.parametrize(
    ("sections", "reasons", "message"),
    [
        ({"hobbies": ["x"]}, "r", "no safety-plan section called 'hobbies'"),
        ({"warning_signs": ["x" * 501]}, "r", "Warning signs, item 1 is 501 characters"),
        ({"internal_coping": [f"i{n}" for n in range(21)]}, "r", "has 21 items"),
        ({}, "x" * 1001, "1,001 characters; the limit is 1,000"),
        ({"warning_signs": ["  ", ""]}, "   ", "The plan is empty"),
    ],
)
def test_invalid_plans_are_refused_with_the_reason(
    clinic: Clinic, sections: dict[str, list[str]], reasons: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        safety_plans.save_safety_plan(clinic.ctx(), clinic.clients["C-1"], sections, reasons)
    assert view_client(clinic.ctx(), clinic.clients["C-1"]).plan is None


def test_save_for_unknown_client(clinic: Clinic) -> None:
    with pytest.raises(NotFound):
        safety_plans.save_safety_plan(clinic.ctx(), 9999, SECTIONS, "x")


def test_review_clears_due_and_is_audited(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    with pytest.raises(Refused, match="no safety plan yet"):
        safety_plans.record_plan_review(clinic.ctx(), client_id)
    _save(clinic)
    clinic.clock.advance(timedelta(days=31))
    assert view_client(clinic.ctx(), client_id).plan_review.due
    review = safety_plans.record_plan_review(clinic.ctx("sue"), client_id)
    assert review.plan_version == 1 and review.event_id is None
    record = view_client(clinic.ctx(), client_id)
    assert not record.plan_review.due
    assert record.last_reviewed_at == clinic.clock.now()
    actions = [e.action for e in audit_entries(clinic.store.conn, client_id=client_id)]
    assert "safety_plan.reviewed" in actions


def test_review_during_an_episode_goes_on_its_timeline(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    _save(clinic)
    report = ingest_records(clinic.ctx(), [(1, alert_record())], origin="t")
    episode = acknowledge_alert(clinic.ctx(), report.accepted_ids[0]).episode
    assert episode is not None
    review = safety_plans.record_plan_review(clinic.ctx(), client_id, episode.id)
    with clinic.store.read() as conn:
        events = episode_rows.timeline(conn, episode.id)
    reviews = [e for e in events if e.kind is EventKind.SAFETY_PLAN_REVIEW]
    assert [e.id for e in reviews] == [review.event_id]
    assert reviews[0].body["plan_version"] == 1
    other = clinic.clients["C-2"]
    with pytest.raises(NotFound, match="not one of this client's episodes"):
        safety_plans.record_plan_review(clinic.ctx(), other, episode.id)


def test_compare_any_two_versions(clinic: Clinic) -> None:
    _save(clinic)
    _save(clinic, warning_signs=["Skipping meetings", "Isolating"])
    _save(clinic, internal_coping=["Walk the dog", "Cold shower"])
    comparison = safety_plans.compare_versions(clinic.ctx(), clinic.clients["C-1"], 1, 3)
    signs = comparison.sections["warning_signs"]
    assert signs.added == () and signs.removed == () and signs.kept
    coping = comparison.sections["internal_coping"]
    assert coping.added == ("Cold shower",) and coping.kept == ("Walk the dog",)
    two = safety_plans.compare_versions(clinic.ctx(), clinic.clients["C-1"], 1, 2)
    assert two.sections["warning_signs"].added == ("Isolating",)
    assert two.sections["warning_signs"].removed == ("Not sleeping",)
    assert not two.sections["reasons_for_living"].changed
    with pytest.raises(NotFound, match="no safety plan version 7"):
        safety_plans.compare_versions(clinic.ctx(), clinic.clients["C-1"], 1, 7)
    with pytest.raises(ValidationFailed, match="two different versions"):
        safety_plans.compare_versions(clinic.ctx(), clinic.clients["C-1"], 2, 2)


def test_episode_history_pages_newest_first(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    opened = []
    for n in range(5):
        report = ingest_records(clinic.ctx(), [(1, alert_record(id=f"h-{n}"))], origin="t")
        episode = acknowledge_alert(clinic.ctx(), report.accepted_ids[0]).episode
        assert episode is not None
        opened.append(episode.id)
        with clinic.store.write() as conn:
            episode_rows.update_episode(conn, episode.id, status="closed")
        clinic.clock.advance(timedelta(hours=1))
    first = client_episodes_page(clinic.ctx(), client_id, limit=2)
    assert [e.id for e in first.episodes] == opened[::-1][:2] and first.has_more
    second = client_episodes_page(clinic.ctx(), client_id, before=first.episodes[-1], limit=2)
    third = client_episodes_page(clinic.ctx(), client_id, before=second.episodes[-1], limit=2)
    assert [e.id for e in second.episodes] == opened[::-1][2:4]
    assert [e.id for e in third.episodes] == opened[:1] and not third.has_more


def test_revision_changes_with_the_plan_but_does_not_audit(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    before = client_revision(clinic.ctx(), client_id)
    count = len(audit_entries(clinic.store.conn))
    assert client_revision(clinic.ctx(), client_id) == before
    assert len(audit_entries(clinic.store.conn)) == count
    _save(clinic)
    assert client_revision(clinic.ctx(), client_id) != before


def test_a_save_based_on_an_old_version_is_refused(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]
    _save(clinic)
    _save(clinic, "sue", internal_coping=["Sue's edit"])
    with pytest.raises(Refused, match="Version 2 was saved by Sue Lindqvist while you"):
        safety_plans.save_safety_plan(
            clinic.ctx(),
            client_id,
            {**SECTIONS, "internal_coping": ["Mine"]},
            "x",
            based_on_version=1,
        )
    plan = safety_plans.save_safety_plan(
        clinic.ctx(),
        client_id,
        {**SECTIONS, "internal_coping": ["Mine"]},
        "x",
        based_on_version=2,
    )
    assert plan.version == 3
