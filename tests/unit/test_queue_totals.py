"""The counts above the queue stay right as alerts change, and reading them costs the same
however long the queue is (issue 17)."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

from conftest import Clinic, alert_record
from oncall.domain.timefmt import to_iso
from oncall.services.alerts import acknowledge_alert, ingest_records, link_alert_to_client
from oncall.store import alerts as alert_rows
from oncall.store import console_reads, queue_groups


def _recounted(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Clients, open alerts and waiting alerts counted from the alerts themselves."""
    clients, total, waiting = conn.execute(
        "SELECT COUNT(DISTINCT queue_group), COUNT(*), COALESCE(SUM(status = 'new'), 0)"
        " FROM alerts WHERE status IN ('new', 'acknowledged')"
    ).fetchone()
    return int(clients), int(total), int(waiting)


def _shown(clinic: Clinic) -> tuple[int, int, int]:
    with clinic.store.read() as conn:
        tallies = console_reads.queue_tallies(conn, to_iso(clinic.clock.now()))
    return tallies.clients, tallies.total, tallies.unacknowledged


def test_the_counts_stay_right_through_arrivals_claims_links_closes_and_a_rebuild(
    clinic: Clinic,
) -> None:
    rng = random.Random(17)
    refs = ["C-1", "C-2", "C-3", "X-1", "X-2"]
    ids: list[int] = []
    for number in range(80):
        step = rng.random()
        if step < 0.55 or not ids:
            batch = [
                alert_record(
                    id=f"t-{number}-{k}",
                    client_ref=rng.choice(refs),
                    severity=rng.choice(["imminent", "high", "moderate", "low"]),
                )
                for k in range(rng.randint(1, 4))
            ]
            ids += ingest_records(clinic.ctx(), batch, origin="test").accepted_ids
            clinic.clock.advance(timedelta(seconds=30))
        elif step < 0.8:
            with clinic.store.read() as conn:
                alert = alert_rows.alert_by_id(conn, rng.choice(ids))
            if alert is not None and alert.status.value == "new" and alert.client_id:
                acknowledge_alert(clinic.ctx(rng.choice(["alice", "bob"])), alert.id)
        elif step < 0.9:
            with clinic.store.read() as conn:
                alert = alert_rows.alert_by_id(conn, rng.choice(ids))
            if alert is not None and alert.client_id is None:
                link_alert_to_client(clinic.ctx(), alert.id, rng.choice([1, 2, 3]))
        else:
            with clinic.store.write() as conn:
                episode = conn.execute("SELECT MAX(id) FROM episodes").fetchone()[0]
                if episode is not None:
                    alert_rows.close_episode_alerts(conn, episode)
        with clinic.store.read() as conn:
            assert _shown(clinic) == _recounted(conn), f"after step {number}"
    with clinic.store.write() as conn:
        queue_groups.rebuild(conn)
    with clinic.store.read() as conn:
        assert _shown(clinic) == _recounted(conn) != (0, 0, 0)


def _add_waiting(clinic: Clinic, tag: str, count: int, *, overdue: bool = False) -> None:
    now = clinic.clock.now()
    deadline = now - timedelta(minutes=1) if overdue else now + timedelta(hours=1)
    rows = []
    for n in range(count):
        rows.append((
            "bulk", f"{tag}-{n}", f"X-{n}", "craving", "low", 3, "Cravings", to_iso(now),
            None, None, None, None, 1, to_iso(now), to_iso(deadline), "new",
        ))  # fmt: skip
    with clinic.store.write() as conn:
        alert_rows.insert_alerts(conn, rows)


def _steps_to_count(clinic: Clinic) -> int:
    """SQLite virtual-machine steps (in thousands) that reading the counts takes."""
    steps = [0]

    def counted() -> int:
        steps[0] += 1
        return 0

    with clinic.store.read() as conn:
        conn.set_progress_handler(counted, 1000)
        try:
            console_reads.queue_tallies(conn, to_iso(clinic.clock.now()))
        finally:
            conn.set_progress_handler(None, 0)
    return steps[0]


def test_reading_the_counts_costs_the_same_for_a_short_and_a_flooded_queue(
    clinic: Clinic,
) -> None:
    _add_waiting(clinic, "short", 100)
    short = _steps_to_count(clinic)
    _add_waiting(clinic, "flood", 20_000)
    flooded = _steps_to_count(clinic)
    assert flooded <= short + 2, f"{short} thousand steps for 100 waiting, {flooded} for 20,100"
    # Past-deadline alerts pass with time alone: they are counted up to a limit, then "+".
    _add_waiting(clinic, "late", console_reads.BREACHES_COUNTED + 5, overdue=True)
    with clinic.store.read() as conn:
        tallies = console_reads.queue_tallies(conn, to_iso(clinic.clock.now()))
    assert (tallies.breached, tallies.breached_more) == (console_reads.BREACHES_COUNTED, True)
    assert tallies.unacknowledged == 20_100 + console_reads.BREACHES_COUNTED + 5
