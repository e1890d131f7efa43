"""Keyset reads of the queue: forwards, backwards and positions agree with queue order."""

from __future__ import annotations

import random
from datetime import timedelta

from conftest import Clinic, alert_record
from oncall.domain.timefmt import to_iso
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store import console_reads
from oncall.store.alerts import QueueCursor, queue_page

SEVERITIES = ["imminent", "high", "moderate", "low"]


def seed(clinic: Clinic, count: int = 60) -> None:
    """`count` alerts of random severity; some share a received time, some are claimed."""
    rng = random.Random(7)
    for number in range(count):
        record = alert_record(id=f"r-{number}", severity=rng.choice(SEVERITIES))
        ingest_records(clinic.ctx(), [record], origin="test")
        if rng.random() < 0.5:  # ties on received_at are broken by id
            clinic.clock.advance(timedelta(seconds=rng.randint(1, 90)))
    for alert_id in rng.sample(range(1, count + 1), 10):
        acknowledge_alert(clinic.ctx("bob"), alert_id)


def test_forwards_backwards_and_positions_agree(clinic: Clinic) -> None:
    seed(clinic)
    with clinic.store.read() as conn:
        everything = queue_page(conn, limit=1000)
        keys = [(a.severity.rank, a.received_at, a.id) for a in everything]
        assert keys == sorted(keys) and len(everything) == 60
        for index, alert in enumerate(everything):
            cursor = QueueCursor.after(alert)
            assert console_reads.queue_position(conn, cursor) == index
            before = console_reads.queue_before(conn, cursor, limit=7)
            assert [a.id for a in before] == [a.id for a in everything[max(0, index - 7) : index]]
        tail = console_reads.queue_before(conn, None, limit=5)
        assert [a.id for a in tail] == [a.id for a in everything[-5:]]


def test_tallies_count_waiting_and_breached(clinic: Clinic) -> None:
    seed(clinic)
    now = clinic.clock.now() + timedelta(hours=2)  # every deadline but some lows has passed
    with clinic.store.read() as conn:
        total, waiting, breached = console_reads.queue_tallies(conn, to_iso(now))
        assert (total, waiting) == (60, 50)
        new = [a for a in queue_page(conn, limit=1000) if a.status.value == "new"]
    assert breached == sum(1 for a in new if a.ack_deadline_at < now)


def test_open_episodes_are_mine_and_not_closed(clinic: Clinic) -> None:
    seed(clinic, 12)
    with clinic.store.read() as conn:
        bobs = console_reads.open_episodes(conn, opened_by=clinic.staff["bob"].id)
        alices = console_reads.open_episodes(conn, opened_by=clinic.staff["alice"].id)
    # Bob claimed alerts for C-1 only: they all attach to one open episode.
    assert len(bobs) == 1 and alices == []


def test_finding_clients_treats_wildcards_as_text(clinic: Clinic) -> None:
    with clinic.store.read() as conn:
        assert [r["name"] for r in console_reads.find_clients(conn, "casey")] == ["Casey Sample"]
        assert console_reads.find_clients(conn, "%") == []
        assert console_reads.find_clients(conn, "_") == []
        assert [r["external_ref"] for r in console_reads.find_clients(conn, "C-3")] == ["C-3"]
