"""With thousands of alerts waiting the scheduler holds only the next deadlines, and every
deadline still escalates once, on time (issue 17)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from conftest import Clinic
from oncall.clock import SystemClock
from oncall.domain.timefmt import from_iso, to_iso
from oncall.scheduler.engine import ConsoleScheduler, SchedulerTiming
from oncall.scheduler.plan import DEADLINE_WINDOW
from oncall.services.context import ServiceContext
from oncall.store import alerts as alert_rows

WAITING = 5_000
DUE_SOON = 150
"""Deadlines within the test's first two seconds: more than the plan holds at once."""
# Escalations run only when a deadline's job fires: the dispatcher's own tick is too rare
# to hide a deadline the plan left out.
TIMING = SchedulerTiming(lease_ttl_s=5.0, renew_every_s=0.2, dispatch_every_s=60.0)


def _waiting_alerts(clinic: Clinic, now: datetime) -> dict[int, datetime]:
    """WAITING unacknowledged alerts: DUE_SOON of them past their deadline within two
    seconds of `now`, the rest in an hour or more; their ids and deadlines."""
    rows = []
    for n in range(WAITING):
        if n < DUE_SOON:
            deadline = now + timedelta(seconds=0.6 + 1.4 * n / DUE_SOON)
        else:
            deadline = now + timedelta(hours=1, seconds=n)
        received = deadline - timedelta(minutes=5)
        rows.append((
            "flood", f"f-{n}", f"X-{n}", "craving", "high", 1, "Cravings", to_iso(received),
            None, None, None, None, 1, to_iso(received), to_iso(deadline), "new",
        ))  # fmt: skip
    with clinic.store.write() as conn:
        added = alert_rows.insert_alerts(conn, rows)
    return {alert_id: from_iso(rows[n][14]) for n, (_s, _e, alert_id) in enumerate(added)}


async def test_thousands_waiting_hold_a_few_jobs_and_each_deadline_escalates_once_on_time(
    clinic: Clinic,
) -> None:
    # The real clock: lateness is measured as the dispatcher's claim time minus the deadline.
    ctx = ServiceContext(clinic.store, clinic.staff["bob"], SystemClock(), clinic.settings)
    deadlines = _waiting_alerts(clinic, datetime.now(UTC))
    scheduler = ConsoleScheduler(ctx, timing=TIMING, hooks={}, role="console-bob")
    await scheduler.start()
    try:
        assert scheduler.planned <= DEADLINE_WINDOW, f"{scheduler.planned} jobs held"
        loop = asyncio.get_running_loop()
        until = loop.time() + 10.0
        while loop.time() < until:
            claimed = clinic.store.query(
                "SELECT COUNT(*) FROM dispatch_claims WHERE subject_type = 'alert'"
            )[0][0]
            if claimed >= DUE_SOON:
                break
            assert scheduler.planned <= DEADLINE_WINDOW
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # nothing more may fire
    finally:
        await scheduler.shutdown()
    claims = clinic.store.query(
        "SELECT subject_id, level, fired_at FROM dispatch_claims WHERE subject_type = 'alert'"
    )
    fired = [int(row[0]) for row in claims]
    due = sorted(deadlines, key=deadlines.__getitem__)[:DUE_SOON]
    assert sorted(fired) == sorted(due), "each deadline passed escalates once, no other"
    assert {row[1] for row in claims} == {1}
    late = [(from_iso(row[2]) - deadlines[int(row[0])]).total_seconds() for row in claims]
    assert min(late) >= 0, "no escalation before its deadline"
    assert max(late) < 1.0, f"an escalation {max(late):.2f} s late"
