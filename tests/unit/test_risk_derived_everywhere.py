"""Every place that shows an episode's risk shows it as its timeline says now.

An episode stored before risk was derived from all its assessments kept the level of
whichever form saved last (here: LOW, where the C-SSRS on its timeline says HIGH). The
episode screen and the close rule derived afresh; lists, the board, the handoff, the
export, the follow-up workspace and a reassignment's message read the stale copy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import Clinic
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.timefmt import to_iso
from oncall.domain.types import FollowUpKind, RiskLevel
from oncall.services import episodes
from oncall.services.board import read_board
from oncall.services.client_history import client_episodes_page
from oncall.services.episode_history import read_history_page
from oncall.services.export import export_episodes
from oncall.services.followup_workspace import view_follow_up
from oncall.services.reassignment import reassign_episode
from oncall.services.shift_handoff import build_shift_handoff, render_text
from oncall.store import followups as follow_up_rows
from scheduling_support import open_episode

HIGH = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)


@pytest.fixture
def stale(clinic: Clinic) -> int:
    """An open episode screened HIGH whose stored copy still says LOW (stored before)."""
    episode_id = open_episode(clinic, client_ref="C-1")
    episodes.record_cssrs(clinic.ctx(), episode_id, HIGH)
    with clinic.store.write() as conn:
        conn.execute("UPDATE episodes SET risk_level = 'low' WHERE id = ?", (episode_id,))
    return episode_id


def test_the_episode_history_and_the_client_record_list_the_derived_risk(
    clinic: Clinic, stale: int
) -> None:
    (row,) = [r for r in read_history_page(clinic.ctx()).rows if r.episode_id == stale]
    assert row.risk_level is RiskLevel.HIGH
    page = client_episodes_page(clinic.ctx(), clinic.clients["C-1"])
    assert [(e.id, e.risk_level) for e in page.episodes] == [(stale, RiskLevel.HIGH)]


def test_the_board_and_the_shift_handoff_say_the_derived_risk(clinic: Clinic, stale: int) -> None:
    board = read_board(clinic.ctx("sue"))
    assert [(e.episode_id, e.risk_level) for e in board.episodes] == [(stale, "high")]
    text = render_text(build_shift_handoff(clinic.ctx("sue")), clinic.settings.zone)
    assert f"Episode {stale} opened" in text
    assert "risk high" in text and "risk low" not in text


def test_an_export_carries_the_derived_risk(clinic: Clinic, stale: int) -> None:
    now = clinic.clock.now()
    span = (now - timedelta(days=1), now + timedelta(days=1))
    (named,) = export_episodes(clinic.ctx("sue"), *span, deidentify=False)
    assert named["risk_level"] == "high"
    (anonymous,) = export_episodes(clinic.ctx("sue"), *span, deidentify=True)
    assert anonymous["risk_level"] == "high"


def test_the_follow_up_workspace_shows_the_derived_risk(clinic: Clinic, stale: int) -> None:
    now = clinic.clock.now()
    with clinic.store.write() as conn:
        follow_up = follow_up_rows.insert_follow_up(
            conn,
            episode_id=stale,
            client_id=clinic.clients["C-1"],
            kind=FollowUpKind.CONTACT_24H.value,
            due_at=to_iso(now + timedelta(hours=2)),
            assignee_id=clinic.staff["alice"].id,
            created_at=to_iso(now),
            created_by=clinic.staff["alice"].id,
        )
    view = view_follow_up(clinic.ctx(), follow_up.id)
    assert view.risk is RiskLevel.HIGH


def test_a_reassignment_names_the_derived_risk(clinic: Clinic, stale: int) -> None:
    handed = reassign_episode(clinic.ctx("sue"), stale, clinic.staff["bob"].id)
    assert "risk high" in handed.message
