"""`oncall handoff`: what is late first, every time with its day, the horizon asked for."""

from __future__ import annotations

import os
import pwd
from datetime import timedelta

import pytest

from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.shift_handoff import build_shift_handoff, day_time, render_text
from oncall.store import people

HANDOFF = {"org": "988 Orange County", "reference": "988-77", "callback": "+1-714-555-0101"}


def _as_os_supervisor(clinic: Clinic) -> None:
    """The commands act as the OS account running them: make it a supervisor."""
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Test Supervisor",
            role="supervisor",
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )


def _waiting_night(clinic: Clinic) -> None:
    """Sun 03:00: five IMMINENT alerts and one low arrive and nobody claims them; a hotline
    handoff is acknowledged (to be confirmed within 30 minutes). At 03:40 another low arrives.

    IMMINENT must be acknowledged within 2 minutes (by 03:02), low within 60 (by 04:00).
    """
    records = [alert_record(id=f"i{n}", severity="imminent", kind="overdose") for n in range(5)]
    records.append(alert_record(id="low", severity="low", kind="craving", client_ref="C-3"))
    records.append(alert_record(id="h", client_ref="C-2", source="hotline", handoff=HANDOFF))
    ids = ingest_records(clinic.ctx(), records, origin="test").accepted_ids
    acknowledge_alert(clinic.ctx("bob"), ids[-1])  # the handoff's episode
    clinic.clock.set(clinic.clock.now() + timedelta(minutes=40))
    low = ingest_records(
        clinic.ctx(),
        [alert_record(id="late-low", severity="low", client_ref="C-3")],
        origin="test",
    )
    assert low.accepted_ids


def test_waiting_and_breached_alerts_come_first_and_say_overdue(clinic: Clinic) -> None:
    _waiting_night(clinic)
    summary = build_shift_handoff(clinic.ctx("sue"))
    text = render_text(summary, clinic.settings.zone)
    titles = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert titles[1:] == [
        "Alerts waiting for acknowledgement (7)",
        "Hotline handoffs awaiting confirmation (1)",
        "Open episodes (0)",
        "Follow-ups due in the next 12 hours or overdue (0)",
    ]
    waiting = summary.waiting_alerts
    # It is 03:40: the five IMMINENT are 38 minutes past their deadline and come first; the
    # two low ones are not due yet (04:00, 04:40), the older first.
    assert [i.overdue for i in waiting] == [True] * 5 + [False, False]
    assert waiting[0].situation.startswith("IMMINENT overdose alert from app, received Sun 03:00")
    assert "acknowledgement was due Sun 03:02 — OVERDUE by 38m 00s" in waiting[0].situation
    assert waiting[0].needs == "acknowledge now"
    assert waiting[5].needs == "acknowledge by Sun 04:00"
    assert "  • Jordan Test  OVERDUE" in text
    # The handoff was due at 03:30: it says so with its day.
    assert "confirm contact for 988 Orange County handoff 988-77 by Sun 03:30 — OVERDUE" in text


def test_times_further_away_carry_their_date(clinic: Clinic) -> None:
    now = clinic.clock.now()
    zone = clinic.settings.zone
    assert day_time(now + timedelta(hours=20), now, zone) == "Sun 23:00"
    assert day_time(now + timedelta(hours=22), now, zone) == "Mon 01:00"
    assert day_time(now - timedelta(days=9), now, zone) == "Fri 13 Nov 03:00"
    assert (
        day_time(now - timedelta(days=400), now, zone) == "Sat 18 Oct 2025 04:00"
    )  # summer time then


def test_handoff_hours_change_the_heading_and_the_audit_names_each_client(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _waiting_night(clinic)
    _as_os_supervisor(clinic)
    path = str(clinic.store.path)
    assert main(["handoff", "--db", path, "--hours", "48"]) == 0
    out = capsys.readouterr().out
    assert "Follow-ups due in the next 48 hours or overdue (0)" in out
    assert "12 hours" not in out
    assert main(["audit", "--db", path, "--client", "C-3", "--since", "2026-11-22"]) == 0
    audit = capsys.readouterr().out
    assert "shift_handoff.client_viewed" in audit
    assert main(["audit", "--db", path, "--client", "C-2", "--since", "2026-11-22"]) == 0
    assert "shift_handoff.client_viewed" in capsys.readouterr().out
    assert main(["audit", "--db", path, "--verify"]) == 0  # the chain holds with them
