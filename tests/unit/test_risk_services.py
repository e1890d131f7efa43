"""Risk kept as the highest current assessment, and overdose steps on the timeline (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import Clinic, alert_record
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.overdose import CHECKLIST, OverdoseFlag
from oncall.domain.overdose_response import OverdoseStep
from oncall.domain.timefmt import from_iso
from oncall.domain.types import EventKind, FollowUpKind, RiskLevel
from oncall.services import assessments, closing, episodes
from oncall.services import overdose_response as protocol
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.errors import ValidationFailed
from oncall.store import episodes as episode_rows
from oncall.store.audit import audit_entries

LOW = CssrsAnswers(q1=True, q2=False, q3=None, q4=None, q5=None, q6=False)
HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
FIVE = list(CHECKLIST)[:5]


def _open(clinic: Clinic, ref: str = "C-1", **fields: object) -> int:
    record = alert_record(id=f"r-{ref}-{fields.get('kind', 'si')}", client_ref=ref, **fields)
    (alert_id,) = ingest_records(clinic.ctx(), [(1, record)], origin="t").accepted_ids
    episode = acknowledge_alert(clinic.ctx(), alert_id).episode
    assert episode is not None
    return episode.id


def _stored_risk(clinic: Clinic, episode_id: int) -> RiskLevel | None:
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None
    return episode.risk_level


def test_checklist_and_screener_give_the_same_risk_and_plan_in_either_order(
    clinic: Clinic,
) -> None:
    ctx = clinic.ctx()
    first = _open(clinic, "C-1")
    episodes.record_cssrs(ctx, first, LOW)
    episodes.record_overdose_screen(ctx, first, FIVE)
    second = _open(clinic, "C-3")
    episodes.record_overdose_screen(ctx, second, FIVE)
    episodes.record_cssrs(ctx, second, LOW)  # used to overwrite the raised level with LOW
    assert _stored_risk(clinic, first) is _stored_risk(clinic, second) is RiskLevel.MODERATE
    for episode_id in (first, second):
        plan = closing.propose_follow_ups(ctx, episode_id)
        assert [d.kind for d in plan] == [FollowUpKind.CONTACT_24H, FollowUpKind.CALL_72H]


def test_a_checklist_recorded_twice_raises_once(clinic: Clinic) -> None:
    ctx = clinic.ctx()
    episode_id = _open(clinic)
    episodes.record_cssrs(ctx, episode_id, LOW)
    episodes.record_overdose_screen(ctx, episode_id, [OverdoseFlag.USING_ALONE])
    event = episodes.record_overdose_screen(ctx, episode_id, [OverdoseFlag.NO_NALOXONE])
    assert _stored_risk(clinic, episode_id) is RiskLevel.MODERATE
    assert (event.body["risk_before"], event.body["risk_level"]) == ("moderate", "moderate")


def test_correcting_a_screener_changes_the_risk_and_the_plan(clinic: Clinic) -> None:
    ctx = clinic.ctx()
    episode_id = _open(clinic)
    wrong = episodes.record_cssrs(ctx, episode_id, HIGH)
    assert len(closing.propose_follow_ups(ctx, episode_id)) == 8
    clinic.clock.advance(timedelta(minutes=4))
    fix = assessments.correct_cssrs(ctx, episode_id, wrong.id, LOW, "Question 4 was no")
    assert fix.kind is EventKind.AMENDMENT and fix.amends == wrong.id
    assert fix.body["corrected"]["risk_level"] == "low"
    assert _stored_risk(clinic, episode_id) is RiskLevel.LOW
    assert [d.kind for d in closing.propose_follow_ups(ctx, episode_id)] == [FollowUpKind.CALL_72H]
    with pytest.raises(ValidationFailed, match="What was wrong"):
        assessments.correct_cssrs(ctx, episode_id, wrong.id, LOW, "  ")


def test_correcting_the_checklist_to_no_flags_lowers_the_risk(clinic: Clinic) -> None:
    ctx = clinic.ctx()
    episode_id = _open(clinic)
    episodes.record_cssrs(ctx, episode_id, LOW)
    checklist = episodes.record_overdose_screen(ctx, episode_id, FIVE)
    assert _stored_risk(clinic, episode_id) is RiskLevel.MODERATE
    assessments.correct_overdose_screen(ctx, episode_id, checklist.id, [], "Ticked in error")
    assert _stored_risk(clinic, episode_id) is RiskLevel.LOW


def test_overdose_steps_are_timed_numbered_and_in_order(clinic: Clinic) -> None:
    ctx = clinic.ctx()
    episode_id = _open(clinic, kind="overdose", severity="imminent")
    start = clinic.clock.now()
    protocol.record_check(ctx, episode_id, OverdoseStep.BREATHING, False)
    clinic.clock.advance(timedelta(seconds=20))
    protocol.record_911_called(
        ctx, episode_id, called_by="Mother", called_at=start - timedelta(minutes=1)
    )
    clinic.clock.advance(timedelta(seconds=40))
    first = protocol.record_step(ctx, episode_id, OverdoseStep.NALOXONE)
    clinic.clock.advance(timedelta(minutes=2, seconds=30))
    second = protocol.record_step(ctx, episode_id, OverdoseStep.NALOXONE)
    protocol.record_step(ctx, episode_id, OverdoseStep.EMS_ARRIVED, "Engine 4")
    with clinic.store.read() as conn:
        steps = [
            e
            for e in episode_rows.timeline(conn, episode_id)
            if e.kind is EventKind.OVERDOSE_RESPONSE
        ]
    assert [(e.body["step"], e.at - start) for e in steps] == [
        ("breathing", timedelta(0)),
        ("called_911", timedelta(seconds=20)),
        ("naloxone", timedelta(seconds=60)),
        ("naloxone", timedelta(seconds=210)),
        ("ems_arrived", timedelta(seconds=210)),
    ]
    assert steps[1].body["called_by"] == "Mother"
    assert from_iso(steps[1].body["called_at"]) == start - timedelta(minutes=1)
    assert (first.body["dose"], second.body["dose"]) == (1, 2)
    assert steps[-1].body["note"] == "Engine 4"
    assert _stored_risk(clinic, episode_id) is RiskLevel.HIGH  # an overdose under way


def test_911_called_by_the_clinician_links_the_disclosure_record(clinic: Clinic) -> None:
    ctx = clinic.ctx()
    episode_id = _open(clinic, kind="overdose")
    other = _open(clinic, "C-3")
    disclosure = episodes.record_emergency_services(
        ctx,
        episode_id,
        service="911",
        recipient_name="Dispatcher 12",
        recipient_affiliation="County 911",
        nature_of_emergency="Overdose in progress",
    )
    call = protocol.record_911_called(
        ctx, episode_id, called_by="Alice Rivera", emergency_event_id=disclosure.id
    )
    assert call.body["emergency_event_id"] == disclosure.id
    assert "recipient_name" not in call.body  # linked, not copied
    with pytest.raises(ValidationFailed, match="not on this episode"):
        protocol.record_911_called(
            ctx, other, called_by="Alice Rivera", emergency_event_id=disclosure.id
        )
    with pytest.raises(ValidationFailed, match="later than now"):
        protocol.record_911_called(
            ctx, episode_id, called_by="x", called_at=clinic.clock.now() + timedelta(minutes=1)
        )
    with clinic.store.read() as conn:
        actions = [e.action for e in audit_entries(conn, client_id=clinic.clients["C-1"])]
    assert actions.count("disclosure.emergency") == 1
