"""The supervisor's live board: breaches, escalations, handoffs, overdue work, workload."""

from __future__ import annotations

from datetime import timedelta

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.types import ContactChannel, ContactResult, Disposition, FollowUpKind
from oncall.services import closing, followups
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.board import read_board
from oncall.store import outbox

HANDOFF = {"org": "988 Orange County", "reference": "988-9", "callback": "+1-714-555-0101"}


def test_board_shows_what_needs_attention(clinic: Clinic) -> None:
    ctx = clinic.ctx("alice")
    ids = ingest_records(
        ctx,
        [
            alert_record(id="imm", severity="imminent", client_ref="C-1"),
            alert_record(id="low", severity="low", client_ref="C-404"),
            alert_record(id="hl", client_ref="C-2", source="hotline", handoff=HANDOFF),
            alert_record(id="c3", client_ref="C-3"),
        ],
        origin="t",
    ).accepted_ids
    acknowledge_alert(ctx, ids[2])
    episode = acknowledge_alert(ctx, ids[3]).episode
    assert episode is not None
    plan = [
        closing.FollowUpDraft(
            FollowUpKind.CONTACT_24H,
            clinic.clock.now() + timedelta(hours=24),
            clinic.staff["pat"].id,
        )
    ]
    make_safe_to_close(ctx, episode.id)
    fu = closing.close_episode(
        ctx, episode.id, disposition=Disposition.STABILIZED, summary="ok", follow_ups=plan
    ).follow_ups[0]
    with ctx.store.write() as conn:
        outbox.enqueue(
            conn,
            kind="escalation",
            target="pager",
            payload={},
            idempotency_key="k1",
            created_at=ctx.now_iso(),
        )
        conn.execute("UPDATE outbox SET status='failed', attempts=8, last_error='HTTP 503'")
    clinic.clock.advance(timedelta(minutes=3))  # the imminent alert is 1 minute past due
    board = read_board(clinic.ctx("sue"))
    assert [w.client for w in board.waiting] == ["Jordan Test", "unknown client C-404"]
    assert [w.severity for w in board.breaches] == ["imminent"]
    assert [(h.client, h.reference, h.owner) for h in board.handoffs] == [
        ("Casey Sample", "988-9", "Alice Rivera")
    ]
    assert board.overdue == []
    clinic.clock.advance(timedelta(hours=25))
    overdue = read_board(clinic.ctx("sue")).overdue
    assert [(o.follow_up_id, o.assignee, o.exhausted) for o in overdue] == [
        (fu.id, "Pat Moreno", False)
    ]
    for _ in range(5):
        followups.record_follow_up_attempt(
            ctx, fu.id, channel=ContactChannel.PHONE, result=ContactResult.NO_ANSWER
        )
    board = read_board(clinic.ctx("sue"))
    assert [o.exhausted for o in board.overdue] == [True]
    load = {w.name: (w.open_episodes, w.pending_follow_ups) for w in board.workload}
    assert load["Alice Rivera"] == (1, 0)
    assert [(f.kind, f.last_error) for f in board.failing] == [("escalation", "HTTP 503")]


def test_a_breached_alert_sorts_above_fresher_more_severe_ones(clinic: Clinic) -> None:
    ctx = clinic.ctx("alice")
    ingest_records(ctx, [alert_record(id="old", severity="moderate", client_ref="C-1")], origin="t")
    clinic.clock.advance(timedelta(days=2))
    ingest_records(
        ctx,
        [
            alert_record(id="hi", severity="high", client_ref="C-2"),
            alert_record(id="imm", severity="imminent", client_ref="C-3"),
        ],
        origin="t",
    )
    board = read_board(clinic.ctx("sue"))
    # Past deadline first (the 2-day-old moderate one), then severity, then age.
    assert [w.severity for w in board.waiting] == ["moderate", "imminent", "high"]
    clinic.clock.advance(timedelta(minutes=3))  # the imminent one is past due too
    now = clinic.clock.now()
    later = sorted(board.waiting, key=lambda w: w.urgency(now))
    assert [w.severity for w in later] == ["imminent", "moderate", "high"]


def test_open_episodes_list_unconfirmed_handoffs_first_then_the_quietest(clinic: Clinic) -> None:
    from oncall.services import episodes

    ctx = clinic.ctx("alice")
    ids = ingest_records(
        ctx,
        [
            alert_record(id="e1", client_ref="C-1"),
            alert_record(id="e3", client_ref="C-3"),
            alert_record(id="h2", client_ref="C-2", source="hotline", handoff=HANDOFF),
        ],
        origin="t",
    ).accepted_ids
    first = acknowledge_alert(ctx, ids[0]).episode
    acknowledge_alert(clinic.ctx("bob"), ids[1])
    acknowledge_alert(ctx, ids[2])
    assert first is not None
    clinic.clock.advance(timedelta(minutes=30))
    episodes.add_note(ctx, first.id, "Called, no answer; trying again in 10 minutes")
    board = read_board(clinic.ctx("sue"))
    assert [(e.client, e.owner, e.handoff_reference) for e in board.episodes] == [
        ("Casey Sample", "Alice Rivera", "988-9"),
        ("Riley Example", "Bob Okafor", None),  # nothing written for 30 minutes
        ("Jordan Test", "Alice Rivera", None),
    ]
