"""Keyset reads of the queue (one row per client): forwards, backwards and positions agree."""

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
    """`count` alerts of random severity for 3 clients and 20 unknown references; some share
    a received time, some are claimed."""
    rng = random.Random(7)
    refs = ["C-1", "C-2", "C-3", *(f"U-{n}" for n in range(20))]
    for number in range(count):
        ref = refs[number % 3] if number < 12 else rng.choice(refs)
        record = alert_record(id=f"r-{number}", severity=rng.choice(SEVERITIES), client_ref=ref)
        ingest_records(clinic.ctx(), [record], origin="test")
        if rng.random() < 0.5:  # ties on received_at are broken by id
            clinic.clock.advance(timedelta(seconds=rng.randint(1, 90)))
    for alert_id in rng.sample(range(1, count + 1), 10):
        acknowledge_alert(clinic.ctx("bob"), alert_id)


def test_forwards_backwards_and_positions_agree(clinic: Clinic) -> None:
    seed(clinic)
    with clinic.store.read() as conn:
        everything = [alert for alert, _ in console_reads.queue_after(conn, None, limit=1000)]
        keys = [(a.severity.rank, a.received_at, a.id) for a in everything]
        assert keys == sorted(keys)
        clients = {(a.client_id, a.client_ref if a.client_id is None else "") for a in everything}
        assert len(clients) == len(everything) > 15  # one row per client
        for index, alert in enumerate(everything):
            cursor = QueueCursor.after(alert)
            assert console_reads.queue_position(conn, cursor) == index
            before = console_reads.queue_before(conn, cursor, limit=7)
            assert [a.id for a, _ in before] == [
                a.id for a in everything[max(0, index - 7) : index]
            ]
            after = console_reads.queue_after(conn, cursor, limit=5)
            assert [a.id for a, _ in after] == [a.id for a in everything[index + 1 : index + 6]]
        tail = console_reads.queue_before(conn, None, limit=5)
        assert [a.id for a, _ in tail] == [a.id for a in everything[-5:]]


def test_tallies_count_clients_waiting_and_breached(clinic: Clinic) -> None:
    seed(clinic)
    now = clinic.clock.now() + timedelta(hours=2)  # every deadline but some lows has passed
    with clinic.store.read() as conn:
        tallies = console_reads.queue_tallies(conn, to_iso(now))
        assert (tallies.total, tallies.unacknowledged) == (60, 50)
        assert tallies.clients == len(console_reads.queue_after(conn, None, limit=1000))
        assert tallies.latest_alert_id == 60
        new = [a for a in queue_page(conn, limit=1000) if a.status.value == "new"]
    assert tallies.breached == sum(1 for a in new if a.ack_deadline_at < now) > 0


def test_open_episodes_are_mine_and_not_closed(clinic: Clinic) -> None:
    seed(clinic, 12)
    with clinic.store.read() as conn:
        bobs = console_reads.open_episodes(conn, opened_by=clinic.staff["bob"].id)
        alices = console_reads.open_episodes(conn, opened_by=clinic.staff["alice"].id)
    # Bob claimed alerts of C-1, C-2 and C-3: each client's attach to one open episode.
    assert sorted(e.client_id for e in bobs) == [1, 2, 3] and alices == []


def test_finding_clients_treats_wildcards_as_text(clinic: Clinic) -> None:
    with clinic.store.read() as conn:
        assert [r["name"] for r in console_reads.find_clients(conn, "casey")] == ["Casey Sample"]
        assert console_reads.find_clients(conn, "%") == []
        assert console_reads.find_clients(conn, "_") == []
        assert [r["external_ref"] for r in console_reads.find_clients(conn, "C-3")] == ["C-3"]
