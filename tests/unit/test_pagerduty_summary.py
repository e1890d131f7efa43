"""Every kind of page gets a summary a responder can act on, built from facts only."""

from __future__ import annotations

from datetime import UTC, datetime

from oncall.feeds.pagerduty import page_summary

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_a_follow_up_escalation_names_the_follow_up_its_reason_and_lateness() -> None:
    data = {
        "follow_up_id": 12,
        "follow_up_kind": "contact_24h",
        "reason": "overdue",
        "due_at": "2026-11-22T10:30:00+00:00",
        "target": "supervisor",
        "message": "Follow-up F-12 for Jordan Test overdue",  # free text: never used
    }
    assert page_summary("escalation", data, NOW) == (
        "Follow-up F-12 (contact 24h) overdue, due 90 min ago: escalation to supervisor"
    )


def test_a_handoff_reminder_names_the_episode_and_how_late_it_is() -> None:
    data = {
        "episode_id": 4,
        "handoff_deadline_at": "2026-11-22T09:00:00+00:00",
        "target": "episode_owner",
        "org": "988 Orange County",
    }
    assert page_summary("handoff_reminder", data, NOW) == (
        "Episode #4: handoff reminder, 3 h 00 min past its deadline to episode owner"
    )


def test_a_supervisors_page_says_who_asks_and_about_what() -> None:
    data = {"alert_id": 9, "severity": "imminent", "kind": "overdose", "from": "sue"}
    assert page_summary("page", data, NOW) == (
        "IMMINENT overdose alert #9: sue asks you to take it (oncall)"
    )
    assert page_summary("page", {"episode_id": 3, "from": "sue"}, NOW) == (
        "episode #3: sue asks you to take it (oncall)"
    )


def test_an_alert_waiting_days_reads_in_days() -> None:
    data = {
        "alert_id": 7,
        "severity": "moderate",
        "kind": "missed_checkin",
        "received_at": "2026-11-19T10:00:00+00:00",
        "level": 2,
        "target": "supervisor",
        "escalated_from": "Bob Okafor (backup on call)",
    }
    assert page_summary("escalation", data, NOW) == (
        "MODERATE missed checkin alert #7 unacknowledged 3 d 2 h: level 2 escalated to"
        " supervisor (from Bob Okafor (backup on call))"
    )


def test_a_reminder_to_an_assignee_says_how_long_it_has_been_due() -> None:
    data = {
        "follow_up_id": 5,
        "follow_up_kind": "caring_contact",
        "due_at": "2026-11-22T11:55:00+00:00",
        "target": "assignee",
    }
    assert page_summary("reminder", data, NOW) == (
        "Follow-up F-5 (caring contact) due 5 min ago: reminder to assignee"
    )
