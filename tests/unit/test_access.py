"""Minimum necessary, per role: who may open which client's record, and breaking the glass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.models import Staff
from oncall.domain.types import ContactChannel, ContactResult, Disposition, FollowUpKind, Role
from oncall.services import closing, episodes, followups
from oncall.services.access import (
    BREAK_GLASS_HOURS,
    accessible_client_ids,
    break_glass,
    can_open_client,
)
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.context import ServiceContext
from oncall.services.errors import PermissionDenied, ValidationFailed
from oncall.services.views import episode_revision, view_client, view_episode
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import staff_admin as accounts
from oncall.store.audit import audit_entries


def _add_staff(clinic: Clinic, login: str, role: Role) -> ServiceContext:
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=login,
            display_name=login.title(),
            role=role.value,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
        staff = people.staff_by_login(conn, login)
    assert staff is not None
    clinic.staff[login] = staff
    return clinic.ctx(login)


def _episode_for(clinic: Clinic, ref: str, login: str = "alice") -> int:
    """An alert for `ref`, acknowledged by `login`: returns the episode id."""
    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id=f"{ref}-{login}", client_ref=ref)], origin="t"
    ).accepted_ids
    ack = acknowledge_alert(clinic.ctx(login), alert_id)
    assert ack.episode is not None
    return ack.episode.id


def _actions(clinic: Clinic, client_id: int) -> list[tuple[str, str]]:
    with clinic.store.read() as conn:
        return [(e.actor, e.action) for e in audit_entries(conn, client_id=client_id)]


def test_clinician_opens_their_caseload(clinic: Clinic) -> None:
    record = view_client(clinic.ctx("alice"), clinic.clients["C-1"])
    assert record.client.name == "Jordan Test"
    assert ("alice", "client.viewed") in _actions(clinic, clinic.clients["C-1"])


def test_clinician_outside_their_care_is_refused_and_the_refusal_is_audited(
    clinic: Clinic,
) -> None:
    client = clinic.clients["C-2"]
    with pytest.raises(PermissionDenied) as refused:
        view_client(clinic.ctx("bob"), client)
    assert "C-2" in str(refused.value) and "Break the glass" in str(refused.value)
    assert "Casey" not in str(refused.value)
    assert ("bob", "access.denied") in _actions(clinic, client)
    assert ("bob", "client.viewed") not in _actions(clinic, client)


def test_acknowledging_from_the_queue_needs_no_access_and_grants_it(clinic: Clinic) -> None:
    client = clinic.clients["C-2"]
    assert not can_open_client(clinic.ctx("bob"), client)
    episode_id = _episode_for(clinic, "C-2", "bob")
    assert view_episode(clinic.ctx("bob"), episode_id).client.id == client
    assert view_client(clinic.ctx("bob"), client).client.external_ref == "C-2"


def test_another_clinicians_episode_cannot_be_read_or_changed(clinic: Clinic) -> None:
    episode_id = _episode_for(clinic, "C-1", "alice")
    bob = clinic.ctx("bob")
    with clinic.store.read() as conn:
        before = len(episode_rows.timeline(conn, episode_id, limit=100))
    with pytest.raises(PermissionDenied):
        view_episode(bob, episode_id)
    with pytest.raises(PermissionDenied):
        episode_revision(bob, episode_id)
    with pytest.raises(PermissionDenied):
        episodes.add_note(bob, episode_id, "a note from outside the care team")
    with pytest.raises(PermissionDenied):
        episodes.notify_emergency_contact(bob, episode_id, 1, what_was_said="x")
    with pytest.raises(PermissionDenied):
        closing.close_episode(
            bob,
            episode_id,
            disposition=Disposition.NO_CRISIS,
            summary="closed by someone else",
            follow_ups=[],
            no_follow_up_reason="none needed",
        )
    with clinic.store.read() as conn:
        assert len(episode_rows.timeline(conn, episode_id, limit=100)) == before
        episode = episode_rows.episode_by_id(conn, episode_id)
    assert episode is not None and episode.closed_at is None


def test_break_the_glass_needs_a_reason_is_audited_and_expires(clinic: Clinic) -> None:
    client = clinic.clients["C-3"]
    bob = clinic.ctx("bob")
    with pytest.raises(ValidationFailed):
        break_glass(bob, client, "  need ")
    grant = break_glass(bob, client, "Client called the on-call line asking for Bob")
    assert grant.expires_at - grant.granted_at == timedelta(hours=BREAK_GLASS_HOURS)
    view_client(bob, client)
    with clinic.store.read() as conn:
        entries = audit_entries(conn, client_id=client)
    glass = next(e for e in entries if e.action == "access.break_glass")
    assert glass.actor == "bob" and "asking for Bob" in glass.detail["reason"]
    viewed = next(e for e in entries if e.action == "client.viewed")
    assert viewed.detail == {"access": "break_glass"}
    clinic.clock.advance(timedelta(hours=BREAK_GLASS_HOURS, seconds=1))
    with pytest.raises(PermissionDenied):
        view_client(bob, client)


def test_peer_sees_only_clients_of_their_follow_ups(clinic: Clinic) -> None:
    episode_id = _episode_for(clinic, "C-1", "alice")
    pat = clinic.ctx("pat")
    assert not can_open_client(pat, clinic.clients["C-1"])
    draft = [
        closing.FollowUpDraft(
            FollowUpKind.CALL_72H, clinic.clock.now() + timedelta(days=3), pat.actor.id
        )
    ]
    make_safe_to_close(clinic.ctx("alice"), episode_id)
    closure = closing.close_episode(
        clinic.ctx("alice"),
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Stabilized by phone",
        follow_ups=draft,
    )
    assert closure.follow_ups
    assert can_open_client(pat, clinic.clients["C-1"])
    followups.record_follow_up_attempt(
        pat, closure.follow_ups[0].id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    assert accessible_client_ids(pat) == {clinic.clients["C-1"]}
    with pytest.raises(PermissionDenied):
        view_client(pat, clinic.clients["C-2"])


def test_case_manager_follows_the_same_rule(clinic: Clinic) -> None:
    manager = _add_staff(clinic, "cm", Role.CASE_MANAGER)
    with pytest.raises(PermissionDenied):
        view_client(manager, clinic.clients["C-1"])
    with clinic.store.write() as conn:
        conn.execute(
            "UPDATE clients SET primary_clinician_id = ? WHERE id = ?",
            (manager.actor.id, clinic.clients["C-1"]),
        )
    assert view_client(manager, clinic.clients["C-1"]).client.external_ref == "C-1"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_see_everyone(clinic: Clinic, role: Role) -> None:
    ctx = _add_staff(clinic, f"boss-{role.value}", role)
    episode_id = _episode_for(clinic, "C-2", "bob")
    for client in clinic.clients.values():
        view_client(ctx, client)
    view_episode(ctx, episode_id)
    assert accessible_client_ids(ctx) is None


def test_a_deactivated_account_loses_access_mid_session(clinic: Clinic) -> None:
    alice = clinic.ctx("alice")
    view_client(alice, clinic.clients["C-1"])
    with clinic.store.write() as conn:
        accounts.set_active(conn, alice.actor.id, False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        view_client(alice, clinic.clients["C-1"])


def test_system_actor_for_imports_is_not_refused(clinic: Clinic) -> None:
    system = ServiceContext(
        clinic.store,
        Staff(id=0, login="ingest", display_name="ingest", role=Role.ADMIN),
        clinic.clock,
        clinic.settings,
    )
    assert view_client(system, clinic.clients["C-2"]).client.external_ref == "C-2"


def test_exports_are_for_supervisors_and_admins(clinic: Clinic) -> None:
    from oncall.services.export import export_episodes

    _episode_for(clinic, "C-1", "alice")
    start, end = clinic.clock.now() - timedelta(days=1), clinic.clock.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied, match="export identifiable episodes"):
        export_episodes(clinic.ctx("alice"), start, end, deidentify=False)
    with pytest.raises(PermissionDenied, match="export de-identified episodes"):
        export_episodes(clinic.ctx("alice"), start, end, deidentify=True)
    rows = export_episodes(clinic.ctx("sue"), start, end, deidentify=True)
    assert len(rows) == 1 and "name" not in rows[0]
    full = export_episodes(clinic.ctx("sue"), start, end, deidentify=False)
    assert full[0]["name"] == "Jordan Test"
