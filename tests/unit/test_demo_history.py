"""The demo database's four-week past: made by the services, and the figures add up.

Every hand count below is SQL over the demo's own rows, written here without the
metrics or board code, and compared with what the supervisor's services compute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Disposition
from oncall.feeds.demo_pager import DemoPager
from oncall.services.board import read_board
from oncall.services.context import ServiceContext
from oncall.services.demo import seed_everything
from oncall.services.demo_history import HISTORY_DAYS, make_history
from oncall.services.metrics import compute_figures
from oncall.services.seed import fixture_alert_objects, seed_people
from oncall.store import people
from oncall.store.db import Store, connect

END = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)  # 10:30 in the clinic, a Sunday
START = END - timedelta(days=HISTORY_DAYS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Settings]]:
    """One demo database with its history, ending at END (made once for this module)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    settings = Settings(db_path=path)
    store = connect(path)
    seed_everything(store, settings=settings, clock=FrozenClock(END), history=DemoPager)
    yield store, settings
    store.close()


def _one(store: Store, sql: str, *params: object) -> int:
    return int(store.query(sql, params)[0][0] or 0)


def _supervisor(store: Store, settings: Settings) -> ServiceContext:
    with store.read() as conn:
        staff = people.staff_by_login(conn, "hcho")
    assert staff is not None
    return ServiceContext(store, staff, FrozenClock(END), settings)


def test_four_weeks_of_alerts_arrive_spread_over_days_and_hours(
    demo: tuple[Store, Settings],
) -> None:
    store, _ = demo
    total = _one(store, "SELECT COUNT(*) FROM alerts")
    assert total >= 150
    first, last = store.query("SELECT MIN(received_at), MAX(received_at) FROM alerts")[0]
    assert datetime.fromisoformat(first) >= START and datetime.fromisoformat(last) <= END
    assert datetime.fromisoformat(last) - datetime.fromisoformat(first) > timedelta(days=26)
    days = _one(store, "SELECT COUNT(DISTINCT substr(received_at, 1, 10)) FROM alerts")
    hours = _one(store, "SELECT COUNT(DISTINCT substr(received_at, 12, 2)) FROM alerts")
    busiest_minute = _one(
        store,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM alerts GROUP BY substr(received_at, 1, 16))",
    )
    assert days >= 27 and hours >= 20 and busiest_minute <= 3
    # The sixty fixture alerts are among them, no longer all in one minute.
    fixtures = store.query(
        "SELECT COUNT(*), COUNT(DISTINCT substr(received_at, 1, 10)) FROM alerts"
        " WHERE external_id NOT LIKE 'demo-%'"
    )[0]
    assert fixtures[0] == 60 and fixtures[1] >= 20


def test_the_history_holds_every_kind_of_work(demo: tuple[Store, Settings]) -> None:
    store, _ = demo
    now = to_iso(END)
    counts = {
        "acknowledged in time": "SELECT COUNT(*) FROM alerts"
        " WHERE acknowledged_at <= ack_deadline_at",
        "acknowledged late": "SELECT COUNT(*) FROM alerts WHERE acknowledged_at > ack_deadline_at",
        "escalated, then acknowledged": "SELECT COUNT(*) FROM alerts"
        " WHERE escalation_level > 0 AND acknowledged_at IS NOT NULL",
        "still waiting": "SELECT COUNT(*) FROM alerts WHERE status = 'new'",
        "episodes closed": "SELECT COUNT(*) FROM episodes WHERE status = 'closed'",
        "handoffs confirmed": "SELECT COUNT(*) FROM episodes"
        " WHERE handoff_confirmed_at IS NOT NULL",
        "handoffs pending": "SELECT COUNT(*) FROM episodes WHERE status = 'handoff_pending'",
        "follow-ups done": "SELECT COUNT(*) FROM follow_ups WHERE status = 'done'",
        "follow-ups done late": "SELECT COUNT(*) FROM follow_ups"
        " WHERE status = 'done' AND completed_at > due_at",
        "follow-ups out of attempts": "SELECT COUNT(*) FROM follow_ups WHERE attempts = 5",
        "pages delivered": "SELECT COUNT(*) FROM outbox WHERE status = 'delivered'",
        "pages failed": "SELECT COUNT(*) FROM outbox WHERE status = 'failed'",
    }
    for what, sql in counts.items():
        assert _one(store, sql) > 0, what
    assert _one(
        store, "SELECT COUNT(*) FROM follow_ups WHERE status = 'pending' AND due_at < ?", now
    )
    assert _one(
        store, "SELECT COUNT(*) FROM follow_ups WHERE status = 'pending' AND due_at > ?", now
    )
    # Closed episodes carry full timelines: every one was located, reached and ended.
    for kind in ("location_confirmed", "contact_attempt", "safety_plan_review", "note", "outcome"):
        missing = _one(
            store,
            "SELECT COUNT(*) FROM episodes e WHERE e.status = 'closed' AND NOT EXISTS"
            " (SELECT 1 FROM timeline_events t WHERE t.episode_id = e.id AND t.kind = ?)",
            kind,
        )
        assert missing == 0, kind
    for kind in ("risk_screening", "overdose_screening", "escalation", "emergency_services"):
        assert _one(store, "SELECT COUNT(*) FROM timeline_events WHERE kind = ?", kind), kind
    # Made through the services: each claim and each close has its audit entry.
    assert _one(
        store, "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.acknowledged'"
    ) == _one(store, "SELECT COUNT(*) FROM alerts WHERE acknowledged_at IS NOT NULL")
    assert _one(store, "SELECT COUNT(*) FROM audit_log WHERE action = 'episode.closed'") == _one(
        store, "SELECT COUNT(*) FROM episodes WHERE status = 'closed'"
    )


def test_the_figures_match_a_hand_count_of_the_demo_rows(demo: tuple[Store, Settings]) -> None:
    store, settings = demo
    figures = compute_figures(_supervisor(store, settings), START, END)
    lo, hi = to_iso(START), to_iso(END)
    window = "received_at >= ? AND received_at < ?"
    assert figures.alerts == _one(store, f"SELECT COUNT(*) FROM alerts WHERE {window}", lo, hi)
    assert figures.unacknowledged == _one(
        store, f"SELECT COUNT(*) FROM alerts WHERE {window} AND acknowledged_at IS NULL", lo, hi
    )
    assert figures.escalated == _one(
        store,
        "SELECT COUNT(DISTINCT object_id) FROM audit_log WHERE action = 'alert.escalated'"
        f" AND object_id IN (SELECT CAST(id AS TEXT) FROM alerts WHERE {window})",
        lo,
        hi,
    )
    waits = (
        "SELECT (julianday(acknowledged_at) - julianday(received_at)) * 86400 AS s FROM alerts"
        f" WHERE {window} AND acknowledged_at IS NOT NULL"
    )
    count = _one(store, f"SELECT COUNT(*) FROM ({waits})", lo, hi)
    middle = store.query(
        f"SELECT AVG(s) FROM (SELECT s FROM ({waits}) ORDER BY s LIMIT ? OFFSET ?)",
        (lo, hi, 2 - count % 2, (count - 1) // 2),
    )[0][0]
    assert figures.time_to_acknowledge.count == count
    assert figures.time_to_acknowledge.median_s == pytest.approx(middle, abs=0.01)
    due = "kind = 'contact_24h' AND due_at >= ? AND due_at < ?"
    on_time, total = store.query(
        "SELECT SUM(status = 'done' AND completed_at <= due_at), COUNT(*) FROM follow_ups"
        f" WHERE {due}",
        (lo, hi),
    )[0]
    assert (figures.follow_ups_24h_on_time.met, figures.follow_ups_24h_on_time.total) == (
        on_time,
        total,
    )
    assert 0 < on_time < total
    closed = store.query(
        "SELECT disposition, COUNT(*) FROM episodes WHERE status = 'closed'"
        " AND closed_at >= ? AND closed_at < ? GROUP BY disposition",
        (lo, hi),
    )
    assert figures.dispositions == {Disposition(d).label: n for d, n in closed}
    assert len(figures.dispositions) >= 6


def test_the_board_shows_what_the_demo_rows_hold(demo: tuple[Store, Settings]) -> None:
    store, settings = demo
    board = read_board(_supervisor(store, settings))
    now = to_iso(END)
    assert len(board.waiting) == _one(store, "SELECT COUNT(*) FROM alerts WHERE status = 'new'")
    assert len(board.breaches) == _one(
        store, "SELECT COUNT(*) FROM alerts WHERE status = 'new' AND ack_deadline_at <= ?", now
    )
    assert len(board.handoffs) == _one(
        store, "SELECT COUNT(*) FROM episodes WHERE status = 'handoff_pending'"
    )
    overdue = _one(
        store,
        "SELECT COUNT(*) FROM follow_ups WHERE (status = 'pending' AND due_at < ?)"
        " OR (status = 'exhausted' AND completed_at IS NULL)",
        now,
    )
    assert len(board.overdue) == overdue > 0
    assert {f.status for f in board.failing} >= {"failed"}
    assert board.breaches and board.handoffs


def test_the_same_end_gives_the_same_history_without_a_refusal(
    demo: tuple[Store, Settings], tmp_path: Path
) -> None:
    store, _ = demo
    settings = Settings(db_path=tmp_path / "again.db")
    again = connect(settings.db_path)
    try:
        clock = FrozenClock(END)
        seed_people(again, clock=clock, settings=settings)
        report = make_history(
            again,
            settings=settings,
            end=END,
            fixture_alerts=fixture_alert_objects(clock),
            pager=DemoPager,
        )
        assert report.refused == []
        rows = (
            "SELECT source, external_id, received_at, acknowledged_at, status FROM alerts"
            " ORDER BY source, external_id"
        )
        assert again.query(rows) == store.query(rows)
        due = "SELECT kind, due_at, status, completed_at FROM follow_ups ORDER BY due_at, kind"
        assert again.query(due) == store.query(due)
    finally:
        again.close()


def test_the_demo_history_is_refused_nothing_at_a_summer_midnight(tmp_path: Path) -> None:
    """Another season and hour of the day: every service call of the history succeeds."""
    end = datetime(2026, 7, 4, 7, 5, tzinfo=UTC)  # 00:05 in the clinic, daylight time
    settings = Settings(db_path=tmp_path / "summer.db")
    store = connect(settings.db_path)
    try:
        clock = FrozenClock(end)
        seed_people(store, clock=clock, settings=settings)
        report = make_history(
            store,
            settings=settings,
            end=end,
            fixture_alerts=fixture_alert_objects(clock),
            pager=DemoPager,
        )
        assert report.refused == []
        assert report.alerts > 150 and report.episodes_closed > 100
        assert report.pages_delivered > 0 and report.follow_ups_done > 0
    finally:
        store.close()
