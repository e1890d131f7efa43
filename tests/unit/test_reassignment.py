"""A supervisor hands work to a named colleague, or pages one by hand: audited and announced."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import Clinic, alert_record
from followup_support import closed_episode_follow_ups
from oncall.domain.types import EventKind, FollowUpKind
from oncall.services import reassignment
from oncall.services.alerts import ingest_records
from oncall.services.board import read_board
from oncall.services.errors import PermissionDenied, Refused, ValidationFailed
from oncall.services.escalation_notices import notices_since
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store.audit import audit_entries
from oncall.ui.widgets.timeline_text import describe
from scheduling_support import open_episode


def _outbox(clinic: Clinic) -> list[dict[str, object]]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT kind, target, payload FROM outbox ORDER BY id").fetchall()
    return [{**json.loads(r[2]), "kind": r[0], "target": r[1]} for r in rows]


def _actions(clinic: Clinic) -> list[tuple[str, str, str]]:
    with clinic.store.read() as conn:
        return [(e.actor, e.action, str(e.object_id)) for e in audit_entries(conn)]


def test_the_chooser_lists_active_staff_on_call_first(clinic: Clinic) -> None:
    found = reassignment.colleagues(clinic.ctx("sue"))
    assert [(c.name, [r.value for r in c.on_call]) for c in found] == [
        ("Alice Rivera", ["primary"]),
        ("Bob Okafor", ["backup"]),
        ("Sue Lindqvist", ["supervisor"]),
        ("Pat Moreno", []),
    ]


def test_a_waiting_alert_assigned_to_a_colleague_pages_them_and_keeps_waiting(
    clinic: Clinic,
) -> None:
    alert_id = ingest_records(
        clinic.ctx(), [alert_record(id="w1", severity="imminent")], origin="t"
    ).accepted_ids[0]
    clinic.clock.advance(timedelta(minutes=7))
    sue, bob = clinic.ctx("sue"), clinic.staff["bob"]
    handed = reassignment.assign_alert(sue, alert_id, bob.id)
    assert "Alert 1 (imminent, suicidal ideation), waiting 7 min" in handed.message
    [page] = _outbox(clinic)
    assert page["kind"] == "page" and page["target"] == "staff:bob"
    assert page["recipient_login"] == "bob" and page["severity"] == "imminent"
    assert "Jordan" not in json.dumps(page)  # no client name leaves in a page
    assert ("sue", "alert.assigned", str(alert_id)) in _actions(clinic)
    notices, _ = notices_since(clinic.ctx("bob"), 0, bob.id)
    assert [n.message for n in notices] == [handed.message]
    # Still waiting (asking is not claiming), and the board says who was asked.
    [waiting] = read_board(sue).waiting
    assert waiting.alert_id == alert_id and waiting.assigned_to == "Bob Okafor"
    with pytest.raises(ValidationFailed, match="already asked"):
        reassignment.assign_alert(sue, alert_id, bob.id)


def test_an_episode_reassigned_changes_owner_timeline_audit_and_notifies(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, login="alice", client_ref="C-1")
    sue, bob = clinic.ctx("sue"), clinic.staff["bob"]
    handed = reassignment.reassign_episode(sue, episode_id, bob.id)
    assert "from Alice Rivera to Bob Okafor by Sue Lindqvist" in handed.message
    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        events = episode_rows.timeline(conn, episode_id)
    assert episode is not None and episode.opened_by == bob.id
    change = events[-1]
    assert change.kind is EventKind.STATUS_CHANGE
    zone = clinic.settings.zone
    said = describe(change, zone, clinic.clock.now())
    assert said == "Episode handed from Alice Rivera to Bob Okafor by Sue Lindqvist."
    assert ("sue", "episode.reassigned", str(episode_id)) in _actions(clinic)
    assert [p["target"] for p in _outbox(clinic)] == ["staff:bob"]
    load = {w.name: w.open_episodes for w in read_board(sue).workload}
    assert load["Bob Okafor"] == 1 and load["Alice Rivera"] == 0
    with pytest.raises(ValidationFailed, match="already Bob Okafor's"):
        reassignment.reassign_episode(sue, episode_id, bob.id)


def test_a_follow_up_reassigned_goes_to_the_colleague_with_a_console_notice(
    clinic: Clinic,
) -> None:
    [fu] = closed_episode_follow_ups(clinic, [FollowUpKind.CONTACT_24H], assignee="pat")
    bob = clinic.staff["bob"]
    reassignment.reassign_follow_up(clinic.ctx("sue"), fu, bob.id)
    with clinic.store.read() as conn:
        follow_up = follow_up_rows.follow_up_by_id(conn, fu)
    assert follow_up is not None and follow_up.assignee_id == bob.id
    notices, _ = notices_since(clinic.ctx("bob"), 0, bob.id)
    assert len(notices) == 1 and f"F-{fu}" in notices[0].message
    assert ("sue", "follow_up.handed_over", str(fu)) in _actions(clinic)


def test_a_page_by_hand_about_an_alert_is_audited_and_queued(clinic: Clinic) -> None:
    alert_id = ingest_records(clinic.ctx(), [alert_record(id="p1")], origin="t").accepted_ids[0]
    pat = clinic.staff["pat"]
    handed = reassignment.page_colleague(clinic.ctx("sue"), pat.id, alert_id)
    assert handed.message.startswith("Sue Lindqvist pages Pat Moreno to help with alert 1")
    [page] = _outbox(clinic)
    assert page["target"] == "staff:pat" and page["alert_id"] == alert_id
    assert ("sue", "page.sent", str(pat.id)) in _actions(clinic)
    # With the client's episode open, a page about the alert is on its timeline as well.
    episode_id = open_episode(clinic, login="alice", client_ref="C-3")
    [other] = ingest_records(
        clinic.ctx(), [alert_record(id="p2", client_ref="C-3")], origin="t"
    ).accepted_ids
    reassignment.page_colleague(clinic.ctx("sue"), pat.id, other)
    with clinic.store.read() as conn:
        last = episode_rows.timeline(conn, episode_id)[-1]
    assert last.kind is EventKind.ESCALATION and last.body["recipient"] == "Pat Moreno"
    assert last.body["by_hand"] is True
    # A second page to the same person is a second message (a new key), not a duplicate.
    reassignment.page_colleague(clinic.ctx("sue"), pat.id, alert_id)
    assert len(_outbox(clinic)) == 3


def test_only_supervisors_reassign_and_only_to_active_staff(clinic: Clinic) -> None:
    alert_id = ingest_records(clinic.ctx(), [alert_record(id="x1")], origin="t").accepted_ids[0]
    with pytest.raises(PermissionDenied, match="supervisors and admins"):
        reassignment.assign_alert(clinic.ctx("alice"), alert_id, clinic.staff["bob"].id)
    with clinic.store.write() as conn:
        conn.execute("UPDATE staff SET active = 0 WHERE login = 'pat'")
    with pytest.raises(ValidationFailed, match="active staff"):
        reassignment.assign_alert(clinic.ctx("sue"), alert_id, clinic.staff["pat"].id)
    episode_id = open_episode(clinic, login="alice", client_ref="C-3")
    from oncall.services.alerts import acknowledge_alert

    acknowledge_alert(clinic.ctx("bob"), alert_id)
    with pytest.raises(Refused, match="acknowledged already"):
        reassignment.assign_alert(clinic.ctx("sue"), alert_id, clinic.staff["bob"].id)
    assert _outbox(clinic) == []
    assert episode_id
