"""Figures that tell the truth (issue 15.5): deadlines met with unclaimed alerts as breaches,
follow-ups on time with overdue ones counted, trends by day and week, one's own figures.

The clinic's night, hand-counted (T0 = Sun 22 Nov 03:00 PST; Alice primary Sat 21:00 to
Sun 09:00, Bob backup):

  alert  severity  received     deadline     acknowledged             outcome
  A1     high      Sun 03:00    Sun 03:05    Alice Sun 03:02 (120 s)  in time
  A2     imminent  Sun 03:10    Sun 03:12    Bob   Sun 03:20 (600 s)  late
  A3     moderate  Sun 03:30    Sun 03:45    never                    breach (Alice's shift)
  A4     low       Sun 03:40    Sun 04:40    never                    breach (Alice's shift)
  A5     high      Sun 03:50    Sun 03:55    never                    breach (Alice's shift)
  A6     low       Mon 10:00    Mon 11:00    Alice Mon 10:10 (600 s)  in time (no primary)
  A7     imminent  Mon 10:29    Mon 10:31    not yet                  waiting (deadline ahead)

Now is Mon 23 Nov 10:30. Within deadline: A1, A6 of A1-A6 = 2 of 6; A7 has no outcome yet.
Median time to acknowledge over the 3 acknowledged (120, 600, 600) = 600 s.

Follow-ups from A1's episode, closed Sun 03:30:

  F1  contact_24h  Alice  due Sun 05:00  done Sun 04:00  on time
  F2  call_72h     Alice  due Sun 06:00  done Sun 07:00  late
  F3  contact_24h  Bob    due Mon 09:00  pending         overdue
  F4  call_72h     Alice  due Mon 12:00  pending         not yet due
  F5  daily_checkin Bob   due Mon 08:00  cancelled       left out

Done on time: F1 of F1, F2, F3 = 1 of 3.
"""

from __future__ import annotations

import os
import pwd
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from closing_support import make_safe_to_close
from conftest import T0, Clinic, alert_record
from oncall.cli import main
from oncall.domain.types import ContactChannel, ContactResult, Disposition, FollowUpKind
from oncall.services import closing, followups
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.closing import FollowUpDraft
from oncall.services.metrics import EVERYONE, Figures, compute_figures
from oncall.store import people

PACIFIC = ZoneInfo("America/Los_Angeles")
START = datetime(2026, 11, 22, tzinfo=PACIFIC)
END = START + timedelta(days=2)


def _at(clinic: Clinic, minutes: float) -> None:
    clinic.clock.set(T0 + timedelta(minutes=minutes))


def _alert(clinic: Clinic, name: str, severity: str, ref: str = "C-3") -> int:
    record = alert_record(id=name, severity=severity, client_ref=ref)
    return ingest_records(clinic.ctx(), [record], origin="test").accepted_ids[0]


def _night(clinic: Clinic) -> None:
    mon = 31 * 60  # Mon 10:00 is 31 hours after T0
    a1 = _alert(clinic, "A1", "high", "C-1")
    _at(clinic, 2)
    e1 = acknowledge_alert(clinic.ctx("alice"), a1).episode
    assert e1 is not None
    _at(clinic, 10)
    a2 = _alert(clinic, "A2", "imminent", "C-2")
    _at(clinic, 20)
    acknowledge_alert(clinic.ctx("bob"), a2)
    _at(clinic, 30)
    _alert(clinic, "A3", "moderate")
    make_safe_to_close(clinic.ctx("alice"), e1.id)
    alice, bob = clinic.staff["alice"].id, clinic.staff["bob"].id
    drafts = [
        FollowUpDraft(FollowUpKind.CONTACT_24H, T0 + timedelta(hours=2), alice),
        FollowUpDraft(FollowUpKind.CALL_72H, T0 + timedelta(hours=3), alice),
        FollowUpDraft(FollowUpKind.CONTACT_24H, T0 + timedelta(hours=30), bob),
        FollowUpDraft(FollowUpKind.CALL_72H, T0 + timedelta(hours=33), alice),
        FollowUpDraft(FollowUpKind.DAILY_CHECKIN, T0 + timedelta(hours=29), bob),
    ]
    done = closing.close_episode(
        clinic.ctx("alice"),
        e1.id,
        disposition=Disposition.STABILIZED,
        summary="ok",
        follow_ups=drafts,
    ).follow_ups
    f1, f2, _f3, _f4, f5 = done
    assert [f.due_at for f in done] == [d.due_at for d in drafts]
    _at(clinic, 40)
    _alert(clinic, "A4", "low")
    _at(clinic, 50)
    _alert(clinic, "A5", "high")
    _at(clinic, 60)
    reached = {"channel": ContactChannel.PHONE, "result": ContactResult.REACHED}
    followups.record_follow_up_attempt(clinic.ctx("alice"), f1.id, **reached)  # type: ignore[arg-type]
    _at(clinic, 240)
    followups.record_follow_up_attempt(clinic.ctx("alice"), f2.id, **reached)  # type: ignore[arg-type]
    followups.cancel_follow_up(clinic.ctx("sue"), f5.id, "Client moved to residential care")
    _at(clinic, mon)
    a6 = _alert(clinic, "A6", "low")
    _at(clinic, mon + 10)
    acknowledge_alert(clinic.ctx("alice"), a6)
    _at(clinic, mon + 29)
    _alert(clinic, "A7", "imminent")
    _at(clinic, mon + 30)


def test_unacknowledged_alerts_count_as_breaches(clinic: Clinic) -> None:
    _night(clinic)
    f = compute_figures(clinic.ctx("sue"), START, END)
    assert f.scope == EVERYONE and f.alerts == 7
    ack = f.acknowledgement
    assert (ack.in_time, ack.late, ack.never, ack.waiting) == (2, 1, 3, 1)
    assert (ack.within_deadline.met, ack.within_deadline.total) == (2, 6)
    assert (f.time_to_acknowledge.count, f.time_to_acknowledge.median_s) == (3, 600)


def test_follow_ups_on_time_count_the_overdue(clinic: Clinic) -> None:
    _night(clinic)
    f = compute_figures(clinic.ctx("sue"), START, END)
    fu = f.follow_ups
    assert (fu.on_time, fu.late, fu.overdue, fu.exhausted, fu.not_yet_due) == (1, 1, 1, 0, 1)
    assert (fu.done_on_time.met, fu.done_on_time.total) == (1, 3)
    assert (f.follow_ups_24h_on_time.met, f.follow_ups_24h_on_time.total) == (1, 2)
    assert (f.follow_ups_72h_on_time.met, f.follow_ups_72h_on_time.total) == (0, 1)


def test_trends_by_day_and_by_week(clinic: Clinic) -> None:
    _night(clinic)
    f = compute_figures(clinic.ctx("sue"), START, END)
    days = {t.first_day.isoformat(): t for t in f.by_day}
    assert list(days) == ["2026-11-22", "2026-11-23"]
    sunday, monday = days["2026-11-22"], days["2026-11-23"]
    assert (sunday.acknowledgement.within_deadline.met, sunday.acknowledgement.total) == (1, 5)
    assert sunday.acknowledgement.never == 3
    assert (monday.acknowledgement.in_time, monday.acknowledgement.waiting) == (1, 1)
    assert (sunday.follow_ups.done_on_time.met, sunday.follow_ups.done_on_time.total) == (1, 2)
    assert (monday.follow_ups.overdue, monday.follow_ups.not_yet_due) == (1, 1)
    # Sun 22 Nov is in the week of Mon 16 Nov; Mon 23 starts the next.
    weeks = {t.first_day.isoformat(): t.acknowledgement for t in f.by_week}
    assert list(weeks) == ["2026-11-16", "2026-11-23"]
    assert (weeks["2026-11-16"].in_time, weeks["2026-11-16"].total) == (1, 5)


def test_per_person_breaches_fall_on_the_primary(clinic: Clinic) -> None:
    _night(clinic)
    people_ = {p.name: p for p in compute_figures(clinic.ctx("sue"), START, END).clinicians}
    alice, bob = people_["Alice Rivera"], people_["Bob Okafor"]
    # Alice: A1 and A6 in time, A3-A5 unclaimed on her shift. Bob: A2 late.
    assert (alice.acknowledgement.in_time, alice.acknowledgement.never) == (2, 3)
    assert (bob.acknowledgement.late, bob.acknowledgement.total) == (1, 1)
    assert (alice.time_to_acknowledge.count, alice.time_to_acknowledge.median_s) == (2, 360)
    assert (alice.follow_ups_on_time.met, alice.follow_ups_on_time.total) == (1, 2)
    assert (bob.follow_ups_on_time.met, bob.follow_ups_on_time.total) == (0, 1)


def test_a_clinician_sees_only_their_own_figures(clinic: Clinic) -> None:
    _night(clinic)
    f: Figures = compute_figures(clinic.ctx("alice"), START, END)
    assert f.scope == "Alice Rivera"
    assert [p.name for p in f.clinicians] == ["Alice Rivera"]
    ack = f.acknowledgement
    assert (f.alerts, ack.in_time, ack.late, ack.never, ack.waiting) == (5, 2, 0, 3, 0)
    assert (f.follow_ups.done_on_time.met, f.follow_ups.done_on_time.total) == (1, 2)
    assert f.dispositions == {"Stabilized by phone/video": 1}
    bob = compute_figures(clinic.ctx("bob"), START, END)
    assert (bob.alerts, bob.acknowledgement.late, bob.follow_ups.overdue) == (1, 1, 1)
    assert bob.dispositions == {}


def _os_staff(clinic: Clinic, role: str) -> None:
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Test Person",
            role=role,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )


def test_report_names_what_each_median_is_over(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _night(clinic)
    _os_staff(clinic, "supervisor")
    path = str(clinic.store.path)
    code = main(["report", "--db", path, "--since", "2026-11-22", "--until", "2026-11-23"])
    out = capsys.readouterr().out
    assert code == 0
    lines = {" ".join(line.split()) for line in out.splitlines()}
    # The command runs on the real clock, days after that night: A7 is a breach by now and
    # F4 overdue, so 2 of 7 alerts in time (4 never) and 1 of 4 follow-ups on time.
    assert "acknowledged within deadline 2 of 7 (29%)" in lines
    assert "never acknowledged, deadline passed 4" in lines
    assert "time to acknowledge median 10m 00s (of the 3 acknowledged alerts)" in lines
    assert "follow-ups done on time 1 of 4 (25%)" in lines
    assert "follow-ups overdue 2" in lines
    assert "2026-11-22 Sun acknowledged within deadline 1 of 5 (20%), 3 never" in lines
    assert "week of 2026-11-23 acknowledged within deadline 1 of 2 (50%), 1 never" in lines
    assert "Alice Rivera" in out and "never acknowledged on their primary shift 3" in lines
    assert out.count("Everyone") == 1  # one block for everyone, then each person's


def test_a_clinicians_report_is_their_own(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _night(clinic)
    _os_staff(clinic, "clinician")
    path = str(clinic.store.path)
    assert main(["report", "--db", path, "--since", "2026-11-22", "--until", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "Test Person's own" in out.splitlines()[0]
    assert "Alice Rivera" not in out and "Bob Okafor" not in out and "Everyone" not in out
    assert "alerts 0" in {" ".join(line.split()) for line in out.splitlines()}
