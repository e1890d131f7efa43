"""What the follow-up workspace shows (W4): the follow-up, its attempts, the plan and risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.followup_work import follow_up_ref
from oncall.domain.models import Client, Episode, FollowUp, SafetyPlan, Staff
from oncall.domain.timefmt import from_iso
from oncall.domain.types import EpisodeStatus, RiskLevel
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.services.risk import with_current_risk
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import people


@dataclass(frozen=True)
class AttemptRecord:
    """One contact attempt on the follow-up (or on the one it replaced)."""

    at: datetime
    by: str
    channel: str
    result: str
    note: str


@dataclass(frozen=True)
class FollowUpView:
    """Everything the follow-up workspace shows, read in one go."""

    follow_up: FollowUp
    client: Client
    episode_status: EpisodeStatus
    assignee: str
    attempts: list[AttemptRecord]
    """Oldest first, including those made before a reschedule (they count toward five)."""
    plan: SafetyPlan | None
    """The client's current safety plan."""
    risk: RiskLevel | None
    """The client's latest risk level, from whichever episode set it last."""
    risk_set_at: datetime | None
    replaced_by: int | None
    """The follow-up that took over when this one was rescheduled."""
    colleagues: list[Staff]
    """Active staff it may be handed to (everyone active but its assignee)."""
    staff_names: dict[int, str]
    """Every staff member's display name, by id."""

    @property
    def ref(self) -> str:
        """Its name on screen ("F-3")."""
        return follow_up_ref(self.follow_up.id)


def _latest_risk(episodes: list[Episode]) -> tuple[RiskLevel | None, datetime | None]:
    rated = [e for e in episodes if e.risk_level is not None and e.risk_set_at is not None]
    if not rated:
        return None, None
    latest = max(rated, key=lambda e: e.risk_set_at or e.opened_at)
    return latest.risk_level, latest.risk_set_at


def view_follow_up(ctx: ServiceContext, follow_up_id: int, *, audited: bool = True) -> FollowUpView:
    """Read one follow-up's workspace; refused outside the user's care.

    The first read is audited as a view of the client's record; a screen re-reading
    after a change passes `audited=False`, since each audit entry wakes every other
    console and two consoles on one follow-up would otherwise audit each other forever.
    """
    with ctx.store.read() as conn:
        found = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        if found is None:
            raise NotFound(f"There is no follow-up {follow_up_ref(follow_up_id)}.")
        # Checked outside a transaction, so a refusal is audited on its own.
        basis = require_client_access(ctx, conn, found.client_id)
    with ctx.store.write() if audited else ctx.store.read() as conn:
        follow_up = follow_up_rows.follow_up_by_id(conn, follow_up_id)
        assert follow_up is not None  # follow-ups are never deleted
        client = people.client_by_id(conn, follow_up.client_id)
        episode = episode_rows.episode_by_id(conn, follow_up.episode_id)
        assert client is not None and episode is not None
        staff = people.list_staff(conn)
        names = {s.id: s.display_name for s in staff}
        attempts = [
            AttemptRecord(
                from_iso(row["at"]),
                row["actor_name"] or "someone",
                row["channel"],
                row["result"],
                row["note"],
            )
            for row in follow_up_rows.attempts_in_chain(conn, follow_up_id)
        ]
        episodes = with_current_risk(conn, episode_rows.episodes_for_client(conn, client.id))
        risk, risk_at = _latest_risk(episodes)
        if audited:
            ctx.audit(
                conn,
                "follow_up.viewed",
                "follow_up",
                follow_up_id,
                client_id=client.id,
                detail={"access": basis},
            )
        return FollowUpView(
            follow_up=follow_up,
            client=client,
            episode_status=episode.status,
            assignee=names.get(follow_up.assignee_id, "someone no longer on staff"),
            attempts=attempts,
            plan=people.latest_safety_plan(conn, client.id),
            risk=risk,
            risk_set_at=risk_at,
            replaced_by=follow_up_rows.replaced_by(conn, follow_up_id),
            colleagues=[s for s in staff if s.active and s.id != follow_up.assignee_id],
            staff_names=names,
        )
