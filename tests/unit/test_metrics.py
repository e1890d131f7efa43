"""The supervisor's figures from one hand-worked clinic day (numbers worked out below)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.figures import median, percentile
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services import closing, episodes, followups
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.metrics import Figures, compute_figures

PACIFIC = ZoneInfo("America/Los_Angeles")
HANDOFF = {"org": "988 Orange County", "reference": "988-1", "callback": "+1-714-555-0101"}
MODERATE = CssrsAnswers(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False)


def _ingest(clinic: Clinic, record: object) -> int:
    return ingest_records(clinic.ctx(), [record], origin="test").accepted_ids[0]


def _day(clinic: Clinic) -> Figures:
    """T0 = 03:00 Pacific. Four alerts, three episodes, two follow-ups."""
    c, t0 = clinic.clock, clinic.clock.now()
    a = _ingest(clinic, alert_record(id="A", severity="high", client_ref="C-1"))  # 03:00
    c.set(t0 + timedelta(minutes=2))
    e1 = acknowledge_alert(clinic.ctx("alice"), a).episode  # ack 120 s
    c.set(t0 + timedelta(minutes=5))
    episodes.record_contact_attempt(
        clinic.ctx("alice"),
        e1.id,
        who="client",  # type: ignore[union-attr]
        channel=ContactChannel.PHONE,
        result=ContactResult.REACHED,
    )
    episodes.record_cssrs(clinic.ctx("alice"), e1.id, MODERATE)  # type: ignore[union-attr]
    c.set(t0 + timedelta(minutes=10))
    b = _ingest(
        clinic,
        alert_record(
            id="B", severity="moderate", client_ref="C-2", source="hotline", handoff=HANDOFF
        ),
    )  # 03:10
    c.set(t0 + timedelta(minutes=16))
    e2 = acknowledge_alert(clinic.ctx("bob"), b).episode  # ack 360 s
    assert e2 is not None
    c.set(t0 + timedelta(minutes=20))
    c3 = _ingest(clinic, alert_record(id="C", severity="low", client_ref="C-3"))  # 03:20
    c.set(t0 + timedelta(minutes=21))
    e3 = acknowledge_alert(clinic.ctx("alice"), c3).episode  # ack 60 s
    episodes.record_contact_attempt(
        clinic.ctx("alice"),
        e3.id,
        who="client",  # type: ignore[union-attr]
        channel=ContactChannel.PHONE,
        result=ContactResult.NO_ANSWER,
    )
    c.set(t0 + timedelta(minutes=25))
    episodes.confirm_handoff(clinic.ctx("bob"), e2.id)  # 900 s after B arrived
    episodes.record_cssrs(clinic.ctx("bob"), e2.id, MODERATE)
    c.set(t0 + timedelta(minutes=30))
    _ingest(clinic, alert_record(id="D", severity="low", client_ref="C-404"))  # 03:30, never acked
    c.set(t0 + timedelta(minutes=40))
    episodes.record_contact_attempt(
        clinic.ctx("bob"),
        e2.id,
        who="client",
        channel=ContactChannel.VIDEO,
        result=ContactResult.REACHED,
    )
    c.set(t0 + timedelta(hours=1))
    plan = closing.propose_follow_ups(clinic.ctx("alice"), e1.id)  # type: ignore[union-attr]
    make_safe_to_close(clinic.ctx("alice"), e1.id)  # type: ignore[union-attr]
    done = closing.close_episode(
        clinic.ctx("alice"),
        e1.id,  # type: ignore[union-attr]
        disposition=Disposition.STABILIZED,
        summary="ok",
        follow_ups=plan,
    )
    fu_24, fu_72 = done.follow_ups
    c.set(t0 + timedelta(hours=21))  # 20 h after closing: the 24 h contact is on time
    followups.record_follow_up_attempt(
        clinic.ctx("alice"), fu_24.id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    c.set(t0 + timedelta(hours=74))  # 73 h after closing: the 72 h call is late
    followups.record_follow_up_attempt(
        clinic.ctx("alice"), fu_72.id, channel=ContactChannel.PHONE, result=ContactResult.REACHED
    )
    start = datetime(2026, 11, 22, tzinfo=PACIFIC)
    return compute_figures(clinic.ctx("sue"), start, start + timedelta(days=5))


def test_figures_of_a_hand_worked_day(clinic: Clinic) -> None:
    f = _day(clinic)
    assert (f.alerts, f.unacknowledged) == (4, 1)
    # Acknowledged after 120, 360 and 60 s: median 120, nearest-rank p90 = 360.
    assert (f.time_to_acknowledge.median_s, f.time_to_acknowledge.p90_s) == (120, 360)
    # First reached contact: E1 300 s after A; E2 1,800 s after B; E3 never reached.
    assert (f.time_to_first_contact.count, f.time_to_first_contact.median_s) == (2, 1050)
    assert f.time_to_first_contact.p90_s == 1800
    # B's hotline handoff confirmed 15 minutes after it arrived.
    assert f.time_to_handoff.median_s == 900
    assert (f.follow_ups_24h_on_time.met, f.follow_ups_24h_on_time.total) == (1, 1)
    assert (f.follow_ups_72h_on_time.met, f.follow_ups_72h_on_time.total) == (0, 1)
    assert (f.screening_completion.met, f.screening_completion.total) == (2, 3)
    assert f.dispositions == {"Stabilized by phone/video": 1}
    assert f.volume_by_hour[3] == {"imminent": 0, "high": 1, "moderate": 1, "low": 2}
    assert sum(sum(h.values()) for h in f.volume_by_hour.values()) == 4


def test_figures_per_clinician(clinic: Clinic) -> None:
    people = {p.name: p for p in _day(clinic).clinicians}
    alice, bob = people["Alice Rivera"], people["Bob Okafor"]
    assert (alice.time_to_acknowledge.median_s, alice.time_to_acknowledge.p90_s) == (90, 120)
    assert (alice.episodes_opened, bob.episodes_opened) == (2, 1)
    assert bob.time_to_first_contact.median_s == 1800
    assert (alice.follow_ups_on_time.met, alice.follow_ups_on_time.total) == (1, 2)


@pytest.mark.parametrize(
    ("values", "p50", "p90"),
    [([], None, None), ([5], 5, 5), ([1, 2, 3, 4], 2.5, 4), (list(range(1, 11)), 5.5, 9)],
)
def test_median_and_nearest_rank_percentile(values: list[int], p50: float, p90: float) -> None:
    assert median(values) == p50
    assert percentile(values, 0.9) == p90
