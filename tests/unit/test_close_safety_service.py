"""Unsafe closes refused, unless a supervisor overrides with a reason (audited) (issue 14)."""

from __future__ import annotations

import pytest

from conftest import Clinic, alert_record
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.models import Location
from oncall.domain.types import Disposition, EpisodeStatus, EventKind
from oncall.services import closing, episodes, safety_plans
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.errors import Refused
from oncall.store import episodes as episode_rows
from oncall.store.audit import audit_entries

HANDOFF = {"org": "988 Orange County", "reference": "988-1", "callback": "+1-714-555-0101"}
HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)


def _988_self_harm(clinic: Clinic) -> int:
    record = alert_record(
        id="988-cmd",
        source="hotline",
        kind="self_harm",
        summary="Command hallucinations telling them to hurt themselves",
        handoff=HANDOFF,
    )
    (alert_id,) = ingest_records(clinic.ctx(), [(1, record)], origin="t").accepted_ids
    episode = acknowledge_alert(clinic.ctx(), alert_id).episode
    assert episode is not None
    episodes.confirm_handoff(clinic.ctx(), episode.id)
    return episode.id


def _close(clinic: Clinic, episode_id: int, login: str = "alice", **extra: str) -> closing.Closure:
    return closing.close_episode(
        clinic.ctx(login),
        episode_id,
        disposition=Disposition.NO_CRISIS,
        summary="No crisis found",
        follow_ups=[],
        no_follow_up_reason="none",
        **extra,  # type: ignore[arg-type]
    )


def _status(clinic: Clinic, episode_id: int) -> EpisodeStatus:
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None
    return episode.status


def test_the_988_case_cannot_close_as_no_crisis_with_nothing_done(clinic: Clinic) -> None:
    episode_id = _988_self_harm(clinic)
    with pytest.raises(Refused) as refused:
        _close(clinic, episode_id)
    message = str(refused.value)
    assert "A self-harm alert needs the C-SSRS screening before closing (s)." in message
    assert "Confirm where the client is (l), or record why it could not be confirmed." in message
    assert "A supervisor may close it anyway with a stated reason" in message
    assert _status(clinic, episode_id) is EpisodeStatus.OPEN


def test_a_clinician_cannot_override(clinic: Clinic) -> None:
    episode_id = _988_self_harm(clinic)
    with pytest.raises(Refused, match="Only a supervisor can override"):
        _close(clinic, episode_id, override_reason="I am sure")
    assert _status(clinic, episode_id) is EpisodeStatus.OPEN


def test_a_supervisor_override_closes_and_is_audited_with_its_reason(clinic: Clinic) -> None:
    episode_id = _988_self_harm(clinic)
    closed = _close(clinic, episode_id, "sue", override_reason="Client admitted to ED by EMS")
    assert closed.episode.status is EpisodeStatus.CLOSED
    with clinic.store.read() as conn:
        entries = audit_entries(conn, client_id=clinic.clients["C-1"])
        outcome = [
            e for e in episode_rows.timeline(conn, episode_id) if e.kind is EventKind.OUTCOME
        ]
    (override,) = [e for e in entries if e.action == "episode.close_override"]
    assert override.actor == "sue"
    assert override.detail["reason"] == "Client admitted to ED by EMS"
    assert override.detail["missing"] == ["risk_screening", "location"]
    assert outcome[0].body["override"]["reason"] == "Client admitted to ED by EMS"


def test_a_reason_for_no_location_is_recorded_with_the_outcome(clinic: Clinic) -> None:
    episode_id = _988_self_harm(clinic)
    episodes.record_cssrs(
        clinic.ctx(),
        episode_id,
        CssrsAnswers(q1=False, q2=False, q3=None, q4=None, q5=None, q6=False),
    )
    closed = _close(clinic, episode_id, no_location_reason="Call dropped before I could ask")
    assert closed.episode.status is EpisodeStatus.CLOSED
    with clinic.store.read() as conn:
        (outcome,) = [
            e for e in episode_rows.timeline(conn, episode_id) if e.kind is EventKind.OUTCOME
        ]
    assert outcome.body["no_location_reason"] == "Call dropped before I could ask"
    assert outcome.body["override"] is None


def test_high_risk_needs_a_safety_plan_review_before_closing(clinic: Clinic) -> None:
    episode_id = _988_self_harm(clinic)
    ctx = clinic.ctx()
    episodes.confirm_location(ctx, episode_id, Location("home"))
    episodes.record_cssrs(ctx, episode_id, HIGH)
    with pytest.raises(Refused) as refused:
        _close(clinic, episode_id)
    assert "Risk is HIGH: review the safety plan with the client before closing (p)." in str(
        refused.value
    )
    safety_plans.save_safety_plan(
        ctx, clinic.clients["C-1"], {"warning_signs": ["Voices"]}, "My son"
    )
    episodes.record_safety_plan_review(ctx, episode_id, "Went over steps 4 and 5")
    assert _close(clinic, episode_id).episode.status is EpisodeStatus.CLOSED


def test_a_missing_location_alone_needs_a_reason_not_a_supervisor(clinic: Clinic) -> None:
    record = alert_record(id="craving-1", kind="craving", severity="low")
    (alert_id,) = ingest_records(clinic.ctx(), [(1, record)], origin="t").accepted_ids
    episode = acknowledge_alert(clinic.ctx(), alert_id).episode
    assert episode is not None
    with pytest.raises(Refused) as refused:
        _close(clinic, episode.id)
    assert "Confirm where the client is (l)" in str(refused.value)
    assert "supervisor" not in str(refused.value)
    closed = _close(clinic, episode.id, no_location_reason="Texted; would not say where")
    assert closed.episode.status is EpisodeStatus.CLOSED
