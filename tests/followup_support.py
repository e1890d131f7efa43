"""Follow-ups on a closed episode, for the follow-up workspace tests.

The episode is closed through the store, not `close_episode`: these tests are about
working follow-ups after a crisis, not about what closing an episode requires.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import Clinic
from oncall.domain.timefmt import to_iso
from oncall.domain.types import EpisodeStatus, FollowUpKind
from oncall.services import safety_plans
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from scheduling_support import open_episode

PLAN = {"warning_signs": ["Skipping meetings"], "internal_coping": ["Walk the dog"]}


def closed_episode_follow_ups(
    clinic: Clinic,
    kinds: list[FollowUpKind],
    *,
    assignee: str = "pat",
    client_ref: str = "C-2",
    due_in: timedelta = timedelta(hours=2),
) -> list[int]:
    """A closed episode of `client_ref` with one pending follow-up per kind; their ids."""
    episode_id = open_episode(clinic, client_ref=client_ref)
    now = clinic.clock.now()
    with clinic.store.write() as conn:
        ids = [
            follow_up_rows.insert_follow_up(
                conn,
                episode_id=episode_id,
                client_id=clinic.clients[client_ref],
                kind=kind.value,
                due_at=to_iso(now + due_in),
                assignee_id=clinic.staff[assignee].id,
                created_at=to_iso(now),
                created_by=clinic.staff["alice"].id,
            ).id
            for kind in kinds
        ]
        episode_rows.update_episode(
            conn,
            episode_id,
            status=EpisodeStatus.CLOSED.value,
            disposition="stabilized",
            summary="Stabilized by phone.",
            closed_at=to_iso(now),
            closed_by=clinic.staff["alice"].id,
        )
    return ids


def save_plan(clinic: Clinic, client_ref: str = "C-2") -> None:
    """Give the client a safety plan (written by their primary clinician)."""
    safety_plans.save_safety_plan(
        clinic.ctx("alice"), clinic.clients[client_ref], PLAN, "My daughter"
    )
