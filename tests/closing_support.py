"""Bringing an episode to where it may close safely (issue 14), for tests about something else."""

from __future__ import annotations

from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.models import Location
from oncall.domain.risk import RiskSource, episode_risk
from oncall.domain.types import AlertKind, EventKind, RiskLevel
from oncall.services import episodes, safety_plans
from oncall.services.context import ServiceContext
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import people

ALL_NO = CssrsAnswers(q1=False, q2=False, q3=None, q4=None, q5=None, q6=False)

PLAN = {"warning_signs": ["Not sleeping"], "professionals": ["988, call or text"]}


def make_safe_to_close(ctx: ServiceContext, episode_id: int) -> None:
    """Confirm the location, screen what the alerts call for, review the plan when at risk."""
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        assert episode is not None
        kinds = {a.kind for a in alert_rows.alerts_for_episode(conn, episode_id)}
        risk = episode_risk(episode_rows.timeline(conn, episode_id, limit=10_000))
        has_plan = people.latest_safety_plan(conn, episode.client_id) is not None
        reviewed = episode_rows.has_event(conn, episode_id, EventKind.SAFETY_PLAN_REVIEW)
    if episode.location_confirmed_at is None:
        episodes.confirm_location(ctx, episode_id, Location("home", "92701"))
    if kinds & {AlertKind.SUICIDAL_IDEATION, AlertKind.SELF_HARM} and not risk.by_source(
        RiskSource.CSSRS
    ):
        episodes.record_cssrs(ctx, episode_id, ALL_NO)
    if AlertKind.OVERDOSE in kinds and not risk.by_source(RiskSource.OVERDOSE_CHECKLIST):
        episodes.record_overdose_screen(ctx, episode_id, [])
    if risk.level in (RiskLevel.MODERATE, RiskLevel.HIGH) and not reviewed:
        if not has_plan:
            safety_plans.save_safety_plan(ctx, episode.client_id, PLAN, "My family")
        episodes.record_safety_plan_review(ctx, episode_id)
