"""What the screens read: a client's record, an episode's workspace. Every view is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import (
    Alert,
    Client,
    EmergencyContact,
    Episode,
    FollowUp,
    SafetyPlan,
    Staff,
    TimelineEvent,
)
from oncall.domain.safety_plan import ReviewDue, review_due
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.store import alerts as alert_rows
from oncall.store import client_records, people
from oncall.store import episodes as episode_rows
from oncall.store import followups as follow_up_rows
from oncall.store import safety as safety_rows


@dataclass(frozen=True)
class ClientRecord:
    """Everything the client screen shows about one client."""

    client: Client
    primary_clinician: Staff | None
    contacts: list[EmergencyContact]
    plan_versions: list[SafetyPlan]
    """Newest first."""
    episodes: list[Episode]
    """Newest first (the most recent 100)."""
    plan_review: ReviewDue
    last_reviewed_at: datetime | None
    care_team: tuple[str, ...] = ()
    """Display names of the care team beside the primary clinician (their caseload too)."""

    @property
    def plan(self) -> SafetyPlan | None:
        """The current safety plan."""
        return self.plan_versions[0] if self.plan_versions else None


@dataclass(frozen=True)
class EpisodeWorkspace:
    """Everything the episode screen shows, read in one go."""

    episode: Episode
    client: Client
    primary_clinician: Staff | None
    contacts: list[EmergencyContact]
    plan: SafetyPlan | None
    alerts: list[Alert]
    timeline: list[TimelineEvent]
    follow_ups: list[FollowUp]
    staff_names: dict[int, str]
    """Display names of everyone who appears on the timeline."""


def view_client(ctx: ServiceContext, client_id: int) -> ClientRecord:
    """Read a client's record (audited as a view); refused outside the user's care."""
    with ctx.store.read() as conn:
        basis = require_client_access(ctx, conn, client_id)
    with ctx.store.write() as conn:
        client = people.client_by_id(conn, client_id)
        if client is None:
            raise NotFound(f"There is no client {client_id}.")
        clinician = (
            people.staff_by_id(conn, client.primary_clinician_id)
            if client.primary_clinician_id
            else None
        )
        plans = people.safety_plan_versions(conn, client_id)
        history = episode_rows.episodes_for_client(conn, client_id)
        reviewed = safety_rows.last_reviewed_at(conn, client_id)
        last_review = max(
            [t for t in (reviewed, plans[0].created_at if plans else None) if t is not None],
            default=None,
        )
        due = review_due(last_review, history[0].opened_at if history else None, ctx.clock.now())
        ctx.audit(
            conn,
            "client.viewed",
            "client",
            client_id,
            client_id=client_id,
            detail={"access": basis},
        )
        return ClientRecord(
            client,
            clinician,
            people.emergency_contacts(conn, client_id),
            plans,
            history,
            due,
            last_review,
            tuple(
                member.display_name
                for staff_id in client_records.care_team_ids(conn, client_id)
                if (member := people.staff_by_id(conn, staff_id)) is not None
            ),
        )


def view_episode(ctx: ServiceContext, episode_id: int) -> EpisodeWorkspace:
    """Read an episode's workspace (audited as a view of the client's record)."""
    basis = None
    with ctx.store.read() as conn:
        found = episode_rows.episode_by_id(conn, episode_id)
        if found is not None:
            basis = require_client_access(ctx, conn, found.client_id)
    with ctx.store.write() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode {episode_id}.")
        client = people.client_by_id(conn, episode.client_id)
        assert client is not None
        clinician = (
            people.staff_by_id(conn, client.primary_clinician_id)
            if client.primary_clinician_id
            else None
        )
        events = episode_rows.timeline(conn, episode_id, limit=10_000)
        names = {s.id: s.display_name for s in people.list_staff(conn)}
        ctx.audit(
            conn,
            "episode.viewed",
            "episode",
            episode_id,
            client_id=episode.client_id,
            detail={"access": basis},
        )
        return EpisodeWorkspace(
            episode=episode,
            client=client,
            primary_clinician=clinician,
            contacts=people.emergency_contacts(conn, client.id),
            plan=people.latest_safety_plan(conn, client.id),
            alerts=alert_rows.alerts_for_episode(conn, episode_id),
            timeline=events,
            follow_ups=follow_up_rows.follow_ups_for_episode(conn, episode_id),
            staff_names=names,
        )


@dataclass(frozen=True)
class EpisodeRevision:
    """What changes whenever anything the episode screen shows changes; compared, not shown."""

    episode: Episode
    client: Client | None
    contacts: list[EmergencyContact]
    plan_id: int | None
    last_event_id: int
    follow_ups: list[FollowUp]


def episode_revision(ctx: ServiceContext, episode_id: int) -> EpisodeRevision:
    """A cheap, unaudited check of whether an episode's workspace changed since it was viewed.

    A screen compares it before calling `view_episode` again: the audit entry a
    view writes wakes every other console, so re-viewing on every wake-up would
    have two consoles on one episode auditing each other forever.
    """
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode {episode_id}.")
        require_client_access(ctx, conn, episode.client_id)
        plan = people.latest_safety_plan(conn, episode.client_id)
        return EpisodeRevision(
            episode=episode,
            client=people.client_by_id(conn, episode.client_id),
            contacts=people.emergency_contacts(conn, episode.client_id),
            plan_id=plan.id if plan else None,
            last_event_id=episode_rows.last_event_id(conn, episode_id),
            follow_ups=follow_up_rows.follow_ups_for_episode(conn, episode_id),
        )


def open_imminent_episodes(ctx: ServiceContext) -> int:
    """How many episodes the acting user opened are still open with an IMMINENT alert."""
    with ctx.store.read() as conn:
        return episode_rows.open_episodes_with_severity(conn, ctx.actor.id, "imminent")
