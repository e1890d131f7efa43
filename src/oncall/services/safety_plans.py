"""Writing, reviewing and comparing a client's Stanley-Brown safety plan (W8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import SafetyPlan
from oncall.domain.safety_plan import (
    REASONS_FOR_LIVING_KEY,
    REASONS_FOR_LIVING_LABEL,
    SafetyPlanSection,
    SectionDiff,
    diff_plans,
)
from oncall.domain.timefmt import from_iso
from oncall.services.access import require_client_access
from oncall.services.context import ServiceContext
from oncall.services.episodes import record_safety_plan_review
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import safety as safety_rows


class PlanChangedMeanwhile(Refused):
    """Someone saved a newer version while this one was being written."""


def current_plan(ctx: ServiceContext, client_id: int) -> SafetyPlan | None:
    """The client's latest safety plan version (what an edit is based on), if any."""
    with ctx.store.read() as conn:
        return people.latest_safety_plan(conn, client_id)


MAX_ITEMS = 20
"""Items a section may hold: a plan is read in a crisis, so it must stay short."""
MAX_ITEM_CHARS = 500
MAX_REASON_CHARS = 1_000


@dataclass(frozen=True)
class PlanDraft:
    """A plan as the clinician wrote it, cleaned: all six sections, blank items dropped."""

    sections: dict[str, list[str]]
    reasons_for_living: str


def clean_draft(sections: Mapping[str, Sequence[str]], reasons_for_living: str) -> PlanDraft:
    """Trim every item, drop blank ones, and give every section a list (unknown keys kept)."""
    cleaned: dict[str, list[str]] = {s.value: [] for s in SafetyPlanSection} | {
        key: [item.strip() for item in items if item.strip()] for key, items in sections.items()
    }
    return PlanDraft(cleaned, reasons_for_living.strip())


def plan_problems(draft: PlanDraft, current: SafetyPlan | None = None) -> list[str]:
    """What stops the draft being saved, in words; empty when it may be saved."""
    known = {s.value for s in SafetyPlanSection}
    problems = [
        f"There is no safety-plan section called {key!r}."
        for key in sorted(set(draft.sections) - known)
    ]
    for section in SafetyPlanSection:
        items = draft.sections.get(section.value, [])
        if len(items) > MAX_ITEMS:
            problems.append(
                f"{section.label} has {len(items)} items; keep it to {MAX_ITEMS} or fewer."
            )
        for number, item in enumerate(items, 1):
            if len(item) > MAX_ITEM_CHARS:
                problems.append(
                    f"{section.label}, item {number} is {len(item):,} characters; "
                    f"the limit is {MAX_ITEM_CHARS}."
                )
    if len(draft.reasons_for_living) > MAX_REASON_CHARS:
        problems.append(
            f"{REASONS_FOR_LIVING_LABEL} is {len(draft.reasons_for_living):,} characters; "
            f"the limit is {MAX_REASON_CHARS:,}."
        )
    if not draft.reasons_for_living and not any(draft.sections.values()):
        problems.append("The plan is empty: write at least one item with the client.")
    elif current is not None and same_as(draft, current):
        problems.append(f"Nothing has changed since version {current.version}.")
    return problems


def same_as(draft: PlanDraft, plan: SafetyPlan) -> bool:
    """Whether the draft says exactly what a saved version says."""
    saved = clean_draft(plan.sections, plan.reasons_for_living)
    return saved == draft


def save_safety_plan(
    ctx: ServiceContext,
    client_id: int,
    sections: Mapping[str, Sequence[str]],
    reasons_for_living: str,
    *,
    based_on_version: int | None = None,
) -> SafetyPlan:
    """Save the plan as a new version, recording who and when; refuse an unchanged copy.

    `based_on_version` is the version the editor started from (0 for none): when
    someone saved a newer one meanwhile, the save is refused so their words are
    not silently replaced.
    """
    draft = clean_draft(sections, reasons_for_living)
    with ctx.store.write() as conn:
        if people.client_by_id(conn, client_id) is None:
            raise NotFound(f"There is no client {client_id}.")
        require_client_access(ctx, conn, client_id)
        current = people.latest_safety_plan(conn, client_id)
        latest = current.version if current else 0
        if based_on_version is not None and latest != based_on_version and current:
            author = people.staff_by_id(conn, current.created_by) if current.created_by else None
            raise PlanChangedMeanwhile(
                f"Version {latest} was saved by {author.display_name if author else 'someone'}"
                f" while you were editing version {based_on_version}. Your text is still here:"
                " compare the versions, then save again to replace it."
            )
        problems = plan_problems(draft, current)
        if problems:
            unchanged = current is not None and same_as(draft, current)
            raise (Refused if unchanged else ValidationFailed)(" ".join(problems))
        plan = people.insert_safety_plan(
            conn,
            client_id=client_id,
            sections=draft.sections,
            reasons_for_living=draft.reasons_for_living,
            created_by=ctx.actor.id,
            created_at=ctx.now_iso(),
        )
        ctx.audit(
            conn,
            "safety_plan.saved",
            "client",
            client_id,
            client_id=client_id,
            detail={"version": plan.version, "plan_id": plan.id},
        )
        return plan


@dataclass(frozen=True)
class PlanReview:
    """A recorded review of a client's plan."""

    client_id: int
    plan_version: int
    reviewed_at: datetime
    episode_id: int | None
    event_id: int | None
    """The SAFETY_PLAN_REVIEW timeline event, when the review was part of an episode."""


def record_plan_review(
    ctx: ServiceContext, client_id: int, episode_id: int | None = None
) -> PlanReview:
    """Record that the current plan was gone over with the client (on the timeline too)."""
    with ctx.store.write() as conn:
        if people.client_by_id(conn, client_id) is None:
            raise NotFound(f"There is no client {client_id}.")
        require_client_access(ctx, conn, client_id)
        if episode_id is not None:
            episode = episode_rows.episode_by_id(conn, episode_id)
            if episode is None or episode.client_id != client_id:
                raise NotFound(f"Episode {episode_id} is not one of this client's episodes.")
        plan = people.latest_safety_plan(conn, client_id)
        if plan is None:
            raise Refused("The client has no safety plan yet: write one before reviewing it.")
        at = ctx.now_iso()
        event_id = None
        if episode_id is not None:
            # Joins this transaction: the review, its timeline event and audit commit together.
            event_id = record_safety_plan_review(ctx, episode_id).id
        else:
            safety_rows.record_review(
                conn,
                client_id=client_id,
                plan_version=plan.version,
                episode_id=None,
                reviewed_by=ctx.actor.id,
                reviewed_at=at,
            )
        ctx.audit(
            conn,
            "safety_plan.reviewed",
            "client",
            client_id,
            client_id=client_id,
            detail={"version": plan.version, "episode_id": episode_id},
        )
        return PlanReview(client_id, plan.version, from_iso(at), episode_id, event_id)


@dataclass(frozen=True)
class PlanComparison:
    """Two versions of a plan and how each section changed between them."""

    old: SafetyPlan
    new: SafetyPlan
    sections: dict[str, SectionDiff]
    """The six sections in plan order, then `reasons_for_living`."""


def compare_versions(
    ctx: ServiceContext, client_id: int, old_version: int, new_version: int
) -> PlanComparison:
    """Added, removed and kept items per section between two versions (audited as a view)."""
    if old_version == new_version:
        raise ValidationFailed("Pick two different versions to compare.")
    with ctx.store.write() as conn:
        require_client_access(ctx, conn, client_id)
        old = people.safety_plan_version(conn, client_id, old_version)
        new = people.safety_plan_version(conn, client_id, new_version)
        for version, plan in ((old_version, old), (new_version, new)):
            if plan is None:
                raise NotFound(f"The client has no safety plan version {version}.")
        assert old is not None and new is not None
        ctx.audit(
            conn,
            "safety_plan.compared",
            "client",
            client_id,
            client_id=client_id,
            detail={"old_version": old_version, "new_version": new_version},
        )
    diff = diff_plans(
        {**old.sections, REASONS_FOR_LIVING_KEY: [old.reasons_for_living]},
        {**new.sections, REASONS_FOR_LIVING_KEY: [new.reasons_for_living]},
    )
    return PlanComparison(old, new, diff)
