"""W1 to W5 at burst speed: every step's keys sent at once, every stored record as typed."""

from __future__ import annotations

from typing import Any

from burst import burst, keys_of
from episode_helpers import settle

from conftest import Clinic, alert_record
from oncall.cli import make_app
from oncall.domain.types import (
    Disposition,
    EpisodeStatus,
    EventKind,
    FollowUpKind,
    RiskLevel,
)
from oncall.services import safety_plans
from oncall.services.alerts import ingest_records
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.ui.screens.dashboard import DashboardScreen
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.location import LocationForm

WHERE = "At her sister's apartment, 14 Elm St, 2nd floor (buzz #3)"
ZIP = "92703"
NOTE = (
    "Reached by phone 03:04; sister present; says the pills are locked in the car and the"
    " sister has the key. Agreed: no driving tonight, 988 if the urge returns, call at 09:00."
)
SUMMARY = "High risk, safe tonight with sister; plan reviewed; daily check-ins for a week."


def _episode_of(clinic: Clinic, alert_id: int) -> int:
    with clinic.store.read() as conn:
        row = conn.execute("SELECT episode_id FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    assert row is not None and row[0] is not None, "the alert was claimed"
    return int(row[0])


async def test_alert_to_closed_episode_at_burst_speed_stores_exactly_what_was_typed(
    clinic: Clinic,
) -> None:
    safety_plans.save_safety_plan(
        clinic.ctx(),
        clinic.clients["C-1"],
        {"warning_signs": ["Isolating"], "internal_coping": ["Walk the dog"]},
        "My daughter",
    )
    report = ingest_records(
        clinic.ctx(), [(1, alert_record(id="w-1", severity="high"))], origin="test"
    )
    (alert_id,) = report.accepted_ids
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        # W1: claim the alert and open its episode in one breath.
        await burst(pilot, "a", "enter")
        assert isinstance(app.screen, LocationForm), "Enter saw the claim: the episode opened"
        episode_id = _episode_of(clinic, alert_id)
        # W2: where the client is now (the form's own keys, typed once it shows).
        await burst(pilot, keys_of(WHERE), "tab", keys_of(ZIP), "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen)
        # W2: the C-SSRS (1-4 yes, 5 no, 6 no: high), a note, the plan gone over (W3).
        await burst(pilot, "s", "y", "y", "y", "y", "n", "n", "ctrl+s")
        await burst(pilot, "n", keys_of(NOTE), "ctrl+s")
        await burst(pilot, "p", "ctrl+s")
        assert isinstance(app.screen, EpisodeScreen)
        # W5: close with a disposition, a summary and the proposed plan (W4).
        await burst(
            pilot,
            "x",
            "enter",
            "down",
            "down",
            "enter",  # safety plan reviewed and updated
            "tab",
            keys_of(SUMMARY),
            "ctrl+s",
        )
        assert isinstance(app.screen, EpisodeScreen)

    with clinic.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        events = episode_rows.timeline(conn, episode_id)
        planned = follow_up_rows.follow_ups_for_episode(conn, episode_id)
    assert episode is not None and episode.status is EpisodeStatus.CLOSED
    assert episode.location is not None
    assert (episode.location.text, episode.location.zip) == (WHERE, ZIP)
    assert episode.disposition is Disposition.SAFETY_PLAN_UPDATED
    assert episode.summary == SUMMARY
    assert episode.risk_level is RiskLevel.HIGH
    by_kind: dict[EventKind, list[Any]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    [screening] = by_kind[EventKind.RISK_SCREENING]
    assert screening.body["answers"] == {
        "q1": True,
        "q2": True,
        "q3": True,
        "q4": True,
        "q5": False,
        "q6": False,
        "q6_within_3_months": None,
    }
    assert [e.body["text"] for e in by_kind[EventKind.NOTE]] == [NOTE]
    assert len(by_kind[EventKind.SAFETY_PLAN_REVIEW]) == 1
    assert EventKind.EMERGENCY_SERVICES not in by_kind, "no stray hotkey recorded anything"
    # High risk: contact within 24 h, then a daily check-in for 7 days, to her clinician.
    kinds = [f.kind for f in planned]
    assert kinds.count(FollowUpKind.CONTACT_24H) == 1
    assert kinds.count(FollowUpKind.DAILY_CHECKIN) == 7
    assert {f.assignee_id for f in planned} == {clinic.staff["alice"].id}
