"""The queue one client to a row, on a real SQLite file: the groups the triggers keep."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from conftest import Clinic, alert_record
from oncall.services.alerts import acknowledge_alert, ingest_records, link_alert_to_client
from oncall.store import alerts as alert_rows
from oncall.store import console_reads, schema
from oncall.store.db import connect

GROUPED = next(n for n, (name, _) in enumerate(schema.MIGRATIONS, 1) if "grouped" in name)


def arrive(clinic: Clinic, external_id: str, client_ref: str, severity: str) -> int:
    """One alert through the usual ingest; a minute passes after it. Returns its id."""
    record = alert_record(id=external_id, client_ref=client_ref, severity=severity)
    accepted = ingest_records(clinic.ctx(), [record], origin="test").accepted_ids
    clinic.clock.advance(timedelta(minutes=1))
    return accepted[0]


def rows(clinic: Clinic) -> list[tuple[str, str, str, int, int]]:
    """The queue from the top: (client ref, shown alert, its status, open alerts, waiting)."""
    with clinic.store.read() as conn:
        grouped = console_reads.queue_after(conn, None, limit=100)
    return [
        (a.client_ref, a.external_id, a.status.value, c.open_alerts, c.waiting) for a, c in grouped
    ]


def test_one_row_per_client_with_its_count_and_most_urgent_waiting_alert(clinic: Clinic) -> None:
    arrive(clinic, "c1-low", "C-1", "low")
    arrive(clinic, "c2-mod", "C-2", "moderate")
    arrive(clinic, "c1-imm", "C-1", "imminent")
    arrive(clinic, "x-high", "X-9", "high")  # an unknown reference is a row of its own
    arrive(clinic, "c1-high", "C-1", "high")
    arrive(clinic, "x-low", "X-9", "low")
    assert rows(clinic) == [
        ("C-1", "c1-imm", "new", 3, 3),
        ("X-9", "x-high", "new", 2, 2),
        ("C-2", "c2-mod", "new", 1, 1),
    ]


def test_a_claim_shows_the_next_waiting_alert_and_closing_takes_the_row_away(
    clinic: Clinic,
) -> None:
    imminent = arrive(clinic, "c1-imm", "C-1", "imminent")
    high = arrive(clinic, "c1-high", "C-1", "high")
    arrive(clinic, "c2-low", "C-2", "low")
    acknowledge_alert(clinic.ctx(), imminent)
    # What still waits for a claim is what the row shows; the count keeps the claimed one,
    # and the row knows who holds the client.
    assert rows(clinic)[0] == ("C-1", "c1-high", "new", 2, 1)
    with clinic.store.read() as conn:
        _, counts = console_reads.queue_after(conn, None, limit=1)[0]
    assert counts.holder_id == clinic.staff["alice"].id
    ack = acknowledge_alert(clinic.ctx(), high)
    assert rows(clinic)[0] == ("C-1", "c1-imm", "acknowledged", 2, 0)
    assert ack.episode is not None
    with clinic.store.write() as conn:
        alert_rows.close_episode_alerts(conn, ack.episode.id)
    assert rows(clinic) == [("C-2", "c2-low", "new", 1, 1)]


def test_linking_an_unknown_reference_moves_its_alert_to_the_client(clinic: Clinic) -> None:
    arrive(clinic, "c2-mod", "C-2", "moderate")
    stray = arrive(clinic, "x-imm", "X-9", "imminent")
    arrive(clinic, "x-low", "X-9", "low")
    link_alert_to_client(clinic.ctx(), stray, clinic.clients["C-2"])
    assert rows(clinic) == [("X-9", "x-imm", "new", 2, 2), ("X-9", "x-low", "new", 1, 1)]
    with clinic.store.read() as conn:
        top = console_reads.queue_after(conn, None, limit=1)[0][0]
    assert top.client_id == clinic.clients["C-2"]  # the linked alert now stands for C-2


def expected_groups(conn: object) -> dict[str, tuple[int, int, int]]:
    """What the groups must be, from every alert (a test may read them all)."""
    found: dict[str, list[tuple[int, int, str, int]]] = defaultdict(list)
    for row in conn.execute(  # type: ignore[attr-defined]
        "SELECT client_id, client_ref, status, severity_rank, received_at, id FROM alerts"
        " WHERE status IN ('new', 'acknowledged')"
    ):
        key = f"c{row[0]}" if row[0] is not None else f"r{row[1]}"
        found[key].append((0 if row[2] == "new" else 1, row[3], row[4], row[5]))
    return {
        key: (min(alerts)[3], len(alerts), sum(1 for a in alerts if a[0] == 0))
        for key, alerts in found.items()
    }


def stored_groups(conn: object) -> dict[str, tuple[int, int, int]]:
    """What the triggers kept."""
    return {
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute(  # type: ignore[attr-defined]
            "SELECT group_key, alert_id, open_alerts, waiting FROM queue_groups"
        )
    }


def test_groups_stay_right_through_random_arrivals_claims_links_and_closes(
    clinic: Clinic,
) -> None:
    rng = random.Random(11)
    refs = ["C-1", "C-2", "C-3", "X-1", "X-2"]
    ids: list[int] = []
    for number in range(120):
        step = rng.random()
        if step < 0.55 or not ids:
            # A batch of 1-4 arrivals in one insert, some for the same client.
            batch = [
                alert_record(
                    id=f"r-{number}-{k}",
                    client_ref=rng.choice(refs),
                    severity=rng.choice(["imminent", "high", "moderate", "low"]),
                )
                for k in range(rng.randint(1, 4))
            ]
            ids += ingest_records(clinic.ctx(), batch, origin="test").accepted_ids
            if rng.random() < 0.7:  # else the next batch ties on received_at
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
            assert stored_groups(conn) == expected_groups(conn), f"after step {number}"


OLD_INSERT = (
    f"INSERT INTO alerts ({', '.join(alert_rows.ALERT_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in alert_rows.ALERT_COLUMNS)})"
)


def _old_alert(client_ref: str, client_id: int | None, severity: str, n: int) -> tuple[object, ...]:
    rank = ["imminent", "high", "moderate", "low"].index(severity)
    received = f"2026-11-22T10:{n:02d}:00+00:00"
    return (
        "app", f"old-{n}", client_ref, "overdose", severity, rank, f"summary {n}",
        received, None, None, None, client_id, int(client_id is None), received,
        "2026-11-22T12:00:00+00:00", "new",
    )  # fmt: skip


def test_a_single_insert_is_counted_and_a_duplicate_is_not(clinic: Clinic) -> None:
    arrive(clinic, "c1", "C-1", "high")
    values = _old_alert("C-1", clinic.clients["C-1"], "imminent", 1)
    with clinic.store.write() as conn:
        assert alert_rows.insert_alert(conn, values) is not None
        assert alert_rows.insert_alert(conn, values) is None  # the same source and id
    assert rows(clinic) == [("C-1", "old-1", "new", 2, 2)]


def test_migration_groups_the_alerts_an_older_database_holds(db_path: Path) -> None:
    old = connect(db_path, migrate=False)
    schema.migrate(old, target=GROUPED - 1)
    with old.write() as conn:
        client = conn.execute(
            "INSERT INTO clients (external_ref, name) VALUES ('C-7', 'Dana Older')"
        ).lastrowid
        for n, (ref, cid, severity) in enumerate(
            [("C-7", client, "low"), ("C-7", client, "high"), ("Z-1", None, "moderate")]
        ):
            conn.execute(OLD_INSERT, _old_alert(ref, cid, severity, n))  # as older code did
    old.close()
    store = connect(db_path)
    try:
        with store.read() as conn:
            assert stored_groups(conn) == expected_groups(conn)
            grouped = console_reads.queue_after(conn, None, limit=10)
        assert [(a.external_id, c.open_alerts) for a, c in grouped] == [("old-1", 2), ("old-2", 1)]
    finally:
        store.close()
