"""Escalation (W6), follow-up escalation (W4) and handoff reminders (W7) against a frozen clock."""

from __future__ import annotations

import threading
from datetime import timedelta

from conftest import Clinic
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ContactChannel, ContactResult
from oncall.services.alerts import acknowledge_alert
from oncall.services.context import ServiceContext
from oncall.services.episodes import confirm_handoff
from oncall.services.escalation import (
    REMINDER_BY_MESSAGE_AFTER,
    dispatcher_actor,
    run_due_escalations,
)
from oncall.services.followups import record_follow_up_attempt
from oncall.services.reminders import claim_reminders
from oncall.store import claims
from oncall.store.db import connect
from scheduling_support import count, new_alert, open_episode, schedule_follow_ups

HOTLINE = {
    "org": "988 Orange County",
    "counselor": "K-17",
    "reference": "988-55812",
    "callback": "+1-714-555-0101",
}


def _dispatcher(clinic: Clinic) -> ServiceContext:
    return ServiceContext(clinic.store, dispatcher_actor(), clinic.clock, clinic.settings)


def _outbox(clinic: Clinic) -> dict[str, str]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT idempotency_key, target FROM outbox").fetchall()
    return {r[0]: r[1] for r in rows}


def test_unacknowledged_alert_goes_to_backup_then_supervisor_once_each(clinic: Clinic) -> None:
    alert_id = new_alert(clinic, severity="high")  # deadline 5 min
    clinic.clock.advance(timedelta(minutes=4, seconds=59))
    assert run_due_escalations(_dispatcher(clinic)).steps == []

    clinic.clock.advance(timedelta(seconds=1))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (step.level, step.recipient_name) == (1, "Bob Okafor")
    assert step.idempotency_key == f"escalation-alert-{alert_id}-level-1"
    assert run_due_escalations(_dispatcher(clinic)).steps == []  # done once, not again
    assert _outbox(clinic) == {f"escalation-alert-{alert_id}-level-1": "staff:bob"}

    clinic.clock.advance(timedelta(minutes=5))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (step.level, step.recipient_name) == (2, "Sue Lindqvist")
    assert _outbox(clinic)[f"escalation-alert-{alert_id}-level-2"] == "staff:sue"
    assert count(clinic, "SELECT escalation_level FROM alerts WHERE id = ?", alert_id) == 2
    # No episode yet: the record is the claim row and the audit entry.
    record = claims.claims_for(clinic.store.conn, claims.ALERT, alert_id)
    assert [(c.level, c.target_role) for c in record] == [(1, "backup_on_call"), (2, "supervisor")]
    assert count(clinic, "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.escalated'") == 2
    assert count(clinic, "SELECT COUNT(*) FROM timeline_events WHERE kind = 'escalation'") == 0
    clinic.clock.advance(timedelta(hours=1))
    assert run_due_escalations(_dispatcher(clinic)).steps == []


def test_a_dispatcher_that_was_down_never_takes_two_levels_in_one_instant(
    clinic: Clinic,
) -> None:
    alert_id = new_alert(clinic, severity="imminent")  # 2 min, then 4 min
    clinic.clock.advance(timedelta(hours=70))
    steps = run_due_escalations(_dispatcher(clinic)).steps
    assert [s.level for s in steps] == [1]  # the backup only, not the supervisor with it
    clinic.clock.advance(timedelta(minutes=1, seconds=59))
    assert run_due_escalations(_dispatcher(clinic)).steps == []  # the 2-minute gap holds
    with clinic.store.write() as conn:  # the backup's page went out 30 s after its step
        conn.execute(
            "UPDATE outbox SET status = 'delivered', delivered_at = ? WHERE idempotency_key = ?",
            (
                to_iso(clinic.clock.now() - timedelta(seconds=89)),
                f"escalation-alert-{alert_id}-level-1",
            ),
        )
    clinic.clock.advance(timedelta(seconds=1))  # 2 min after the step, 90 s after sending
    assert run_due_escalations(_dispatcher(clinic)).steps == []
    clinic.clock.advance(timedelta(seconds=30))  # 2 min after the page was sent
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert step.level == 2


def test_acknowledging_stops_the_chain(clinic: Clinic) -> None:
    alert_id = new_alert(clinic, severity="moderate")  # 15 min
    clinic.clock.advance(timedelta(minutes=16))
    assert len(run_due_escalations(_dispatcher(clinic)).steps) == 1
    acknowledge_alert(clinic.ctx("alice"), alert_id)
    clinic.clock.advance(timedelta(hours=2))
    assert run_due_escalations(_dispatcher(clinic)).steps == []
    assert list(_outbox(clinic)) == [f"escalation-alert-{alert_id}-level-1"]


def test_alert_for_a_client_with_an_open_episode_escalates_on_its_timeline(
    clinic: Clinic,
) -> None:
    episode_id = open_episode(clinic, client_ref="C-1")
    alert_id = new_alert(clinic, client_ref="C-1", severity="low")
    clinic.clock.advance(timedelta(minutes=60))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert step.episode_id == episode_id
    with clinic.store.read() as conn:
        body = conn.execute(
            "SELECT body FROM timeline_events WHERE episode_id = ? AND kind = 'escalation'",
            (episode_id,),
        ).fetchone()[0]
    assert f'"alert_id":{alert_id}' in body and "Bob Okafor" in body


def test_with_no_backup_on_the_rota_the_supervisor_is_told(clinic: Clinic) -> None:
    with clinic.store.write() as conn:
        conn.execute("DELETE FROM on_call_shifts WHERE role = 'backup'")
    new_alert(clinic, severity="high")
    clinic.clock.advance(timedelta(minutes=5))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert step.recipient_name == "Sue Lindqvist"
    assert "no backup on the rota" in step_how(clinic, step.claim_id)


def step_how(clinic: Clinic, claim_id: int) -> str:
    """How the claim's recipient was found."""
    with clinic.store.read() as conn:
        row = conn.execute(
            "SELECT detail FROM dispatch_claims WHERE id = ?", (claim_id,)
        ).fetchone()
    return str(row[0])


def test_overdue_follow_up_escalates_to_the_supervisor_after_the_grace(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    claim_reminders(
        clinic.ctx("pat"), [follow_up_id], fired_by="pat-console", started_at=clinic.clock.now()
    )  # nothing due yet: claims nothing
    clinic.clock.advance(timedelta(hours=24))
    batch = claim_reminders(
        clinic.ctx("pat"), [follow_up_id], fired_by="pat-console", started_at=clinic.clock.now()
    )
    assert len(batch.won) == 1  # pat's console showed it: no message is needed
    clinic.clock.advance(clinic.settings.follow_up_grace)
    assert run_due_escalations(_dispatcher(clinic)).steps == []  # due + grace, not yet past
    clinic.clock.advance(timedelta(seconds=1))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (step.subject_type, step.recipient_name) == ("follow_up", "Sue Lindqvist")
    assert step.idempotency_key == f"escalation-followup-{follow_up_id}"
    assert "overdue" in step.message
    assert run_due_escalations(_dispatcher(clinic)).steps == []
    assert count(clinic, "SELECT COUNT(*) FROM timeline_events WHERE kind = 'escalation'") == 1


def test_follow_up_whose_attempts_ran_out_escalates_before_it_is_due(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    for _ in range(5):
        record_follow_up_attempt(
            clinic.ctx("pat"),
            follow_up_id,
            channel=ContactChannel.PHONE,
            result=ContactResult.NO_ANSWER,
        )
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert "attempts ran out after 5 attempts" in step.message
    clinic.clock.advance(timedelta(days=2))
    assert run_due_escalations(_dispatcher(clinic)).steps == []


def test_unconfirmed_handoff_reminds_owner_then_supervisor(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, login="alice", source="hotline", handoff=HOTLINE)
    clinic.clock.advance(timedelta(minutes=30))
    (first,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (first.subject_type, first.level, first.recipient_name) == ("handoff", 1, "Alice Rivera")
    assert first.idempotency_key == f"handoff-reminder-episode-{episode_id}-level-1"
    clinic.clock.advance(timedelta(minutes=29))
    assert run_due_escalations(_dispatcher(clinic)).steps == []
    clinic.clock.advance(timedelta(minutes=1))
    (second,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (second.level, second.recipient_name) == (2, "Sue Lindqvist")
    assert (
        count(
            clinic,
            "SELECT COUNT(*) FROM timeline_events WHERE episode_id = ? AND kind = 'escalation'",
            episode_id,
        )
        == 2
    )


def test_confirming_the_handoff_stops_its_reminders(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="hotline", handoff=HOTLINE)
    clinic.clock.advance(timedelta(minutes=10))
    confirm_handoff(clinic.ctx(), episode_id)
    clinic.clock.advance(timedelta(hours=3))
    assert run_due_escalations(_dispatcher(clinic)).steps == []


def _race(clinic: Clinic) -> int:
    """Three dispatchers on their own connections run the escalations at once."""
    stores = [connect(clinic.store.path) for _ in range(3)]
    start = threading.Barrier(3)
    taken: list[int] = []

    def race(index: int) -> None:
        ctx = ServiceContext(stores[index], dispatcher_actor(), clinic.clock, clinic.settings)
        start.wait()
        taken.append(len(run_due_escalations(ctx, fired_by=f"p{index}").steps))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    return sum(taken)


def test_three_connections_racing_take_each_step_once(clinic: Clinic) -> None:
    for _ in range(30):
        new_alert(clinic, severity="imminent")
    schedule_follow_ups(clinic, [timedelta(minutes=m) for m in range(1, 11)])
    clinic.clock.advance(timedelta(hours=3))
    assert _race(clinic) == 30 + 10 + 10  # level 1 of each alert, and a reminder per follow-up
    clinic.clock.advance(timedelta(minutes=2))  # the imminent gap: level 2 of each, once
    assert _race(clinic) == 30
    assert count(clinic, "SELECT COUNT(*) FROM outbox WHERE kind = 'escalation'") == 70
    assert count(clinic, "SELECT COUNT(*) FROM audit_log WHERE action LIKE '%.escalated'") == 70


def test_an_assignee_not_at_a_console_is_reminded_by_message_once(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    clinic.clock.advance(timedelta(hours=24) + REMINDER_BY_MESSAGE_AFTER)
    assert run_due_escalations(_dispatcher(clinic)).steps == []  # a console may still show it
    clinic.clock.advance(timedelta(seconds=1))
    (step,) = run_due_escalations(_dispatcher(clinic)).steps
    assert (step.subject_type, step.target.value, step.recipient_name) == (
        "follow_up_reminder",
        "assignee",
        "Pat Moreno",
    )
    assert _outbox(clinic) == {f"reminder-followup-{follow_up_id}": "staff:pat"}
    assert run_due_escalations(_dispatcher(clinic)).steps == []  # once
    assert (
        count(clinic, "SELECT COUNT(*) FROM audit_log WHERE action = 'follow_up.reminder_sent'")
        == 1
    )
    # A console opened later still shows the reminder, marked overdue.
    batch = claim_reminders(
        clinic.ctx("pat"), [follow_up_id], fired_by="pat-console", started_at=clinic.clock.now()
    )
    assert [r.overdue for r in batch.won] == [True]


def test_no_message_when_the_follow_up_was_done_in_time(clinic: Clinic) -> None:
    (follow_up_id,) = schedule_follow_ups(clinic, [timedelta(hours=24)])
    clinic.clock.advance(timedelta(hours=23))
    record_follow_up_attempt(
        clinic.ctx("pat"), follow_up_id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    clinic.clock.advance(timedelta(hours=5))
    assert run_due_escalations(_dispatcher(clinic)).steps == []
    assert _outbox(clinic) == {}
