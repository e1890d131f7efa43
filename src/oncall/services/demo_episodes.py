"""The demo's past episodes and follow-ups, played through the real services step by step.

An episode opened by a claim gets what a clinician records (location, contact
attempts, the screening its alert calls for, a safety-plan review, a note, for an
imminent alert the 911 request) and closes with a disposition and the W4 follow-up
plan; each follow-up is then done on time, late, runs out of attempts or waits.
Recent episodes may still be open, and recent hotline handoffs still unconfirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.followup_work import FollowUpOutcome
from oncall.domain.models import Alert, Episode, FollowUp, Location
from oncall.domain.types import (
    ContactChannel,
    ContactResult,
    Disposition,
    EpisodeStatus,
    Severity,
)
from oncall.services import demo_story as story
from oncall.services import episodes as episode_service
from oncall.services.closing import close_episode, propose_follow_ups
from oncall.services.context import ServiceContext
from oncall.services.followups import complete_follow_up, record_follow_up_attempt
from oncall.services.reminders import claim_reminders
from oncall.services.safety_plans import save_safety_plan
from oncall.store import alerts as alert_rows
from oncall.store import episodes as episode_rows
from oncall.store import people

if TYPE_CHECKING:
    from oncall.services.demo_history import Simulation

LEFT_UNDONE = timedelta(days=3)
"""Only follow-ups due this close to the end are left untouched; older ones were done late."""
FIRST_PLAN = {
    "warning_signs": ["Isolating and skipping meetings"],
    "internal_coping": ["Walk around the block", "Play music loud"],
    "social_distraction": ["Coffee with my cousin"],
    "people_for_help": ["My sponsor"],
    "professionals": ["My clinician, program line", "988, call or text any time", "911"],
    "environment_safety": ["Naloxone at home", "Never use alone"],
}
"""A first safety plan, written with a client who had none before an episode closes."""
WELLNESS_CHECK = "Five calls unanswered; wellness check requested from county mobile crisis."


def _minutes(low: float, high: float, rng_value: float) -> timedelta:
    return timedelta(minutes=low + (high - low) * rng_value)


class EpisodePlayer:
    """Plays one episode from its opening claim to its close and follow-ups."""

    def __init__(
        self,
        sim: Simulation,
        ctx: ServiceContext,
        episode: Episode,
        alert: Alert,
        recent: bool,
        scene: str = story.Scene.USUAL,
    ) -> None:
        self.sim = sim
        self.ctx = ctx
        self.episode_id = episode.id
        self.client_id = episode.client_id
        self.alert = alert
        self.opened = sim.clock.now()
        self.recent = recent
        self.scene = scene

    def _step(self, after: timedelta, what: str, action: Callable[[], object]) -> None:
        self.sim.at(self.opened + after, lambda: self.sim.attempt(what, action))

    def play(self) -> None:
        """Queue every step of the episode."""
        rng, ctx, eid, alert = self.sim.rng, self.ctx, self.episode_id, self.alert
        recent = self.recent
        where = alert.location or Location(text="home")
        self._step(_minutes(1, 4, rng.random()), "location", lambda: self._locate(where))
        if alert.severity is Severity.IMMINENT and rng.random() < 0.6:
            self._step(_minutes(3, 8, rng.random()), "911", self._emergency)
        if rng.random() < 0.3:
            self._step(_minutes(4, 6, rng.random()), "contact", lambda: self._contact(False))
        self._step(_minutes(7, 20, rng.random()), "contact", lambda: self._contact(True))
        if alert.kind in story.SCREENED_BY_CSSRS:
            answers = story.cssrs_answers(rng, alert.severity)
            self._step(_minutes(21, 28, rng.random()), "C-SSRS", lambda: self._cssrs(answers))
        if alert.kind in story.SCREENED_FOR_OVERDOSE:
            flags = story.overdose_flags(rng)
            self._step(
                _minutes(21, 28, rng.random()),
                "overdose checklist",
                lambda: episode_service.record_overdose_screen(ctx, eid, flags),
            )
        self._step(_minutes(30, 38, rng.random()), "plan review", self._review_plan)
        note = rng.choice(story.NOTES)
        self._step(_minutes(39, 44, rng.random()), "note", lambda: self._note(note))
        confirm_after = _minutes(10, 50, rng.random())
        if alert.handoff is not None:
            if self.scene == story.Scene.HANDOFF_PENDING or (recent and rng.random() < 0.8):
                return  # the handoff still awaits confirmation: the episode cannot close
            self._step(confirm_after, "confirm handoff", self._confirm)
        if recent and rng.random() < 0.6:
            return
        outcome = story.disposition(rng, alert.severity)
        self._step(_minutes(60, 360, rng.random()), "close", lambda: self._close(outcome))

    def _locate(self, where: Location) -> None:
        episode_service.confirm_location(self.ctx, self.episode_id, where)

    def _emergency(self) -> None:
        episode_service.record_emergency_services(
            self.ctx,
            self.episode_id,
            service="911",
            recipient_name=f"Dispatcher {self.sim.rng.randint(10, 60)}",
            recipient_affiliation="County 911 communications center",
            nature_of_emergency=self.alert.kind.value.replace("_", " "),
        )

    def _contact(self, reached: bool) -> None:
        episode_service.record_contact_attempt(
            self.ctx,
            self.episode_id,
            who="client",
            channel=ContactChannel.PHONE,
            result=ContactResult.REACHED if reached else ContactResult.NO_ANSWER,
        )

    def _cssrs(self, answers: CssrsAnswers) -> None:
        episode_service.record_cssrs(self.ctx, self.episode_id, answers)

    def _review_plan(self) -> None:
        with self.sim.store.read() as conn:
            plan = people.latest_safety_plan(conn, self.client_id)
        if plan is None:
            save_safety_plan(self.ctx, self.client_id, FIRST_PLAN, "My kids", based_on_version=0)
        episode_service.record_safety_plan_review(self.ctx, self.episode_id, "Went over it")

    def _note(self, text: str) -> None:
        episode_service.add_note(self.ctx, self.episode_id, text)

    def _confirm(self) -> None:
        episode_service.confirm_handoff(self.ctx, self.episode_id, "Reached the client")
        self.sim.report.handoffs_confirmed += 1

    def _catch_up_on_later_alerts(self) -> None:
        """Confirm a handoff and screen for what alerts attached since the opening call for."""
        with self.sim.store.read() as conn:
            later = alert_rows.alerts_for_episode(conn, self.episode_id)
            episode = episode_rows.episode_by_id(conn, self.episode_id)
        if episode is not None and episode.status is EpisodeStatus.HANDOFF_PENDING:
            self._confirm()
        rng, first = self.sim.rng, self.alert.kind
        for alert in later:
            if alert.kind in story.SCREENED_BY_CSSRS and first not in story.SCREENED_BY_CSSRS:
                self._cssrs(story.cssrs_answers(rng, alert.severity))
                first = alert.kind
            if (
                alert.kind in story.SCREENED_FOR_OVERDOSE
                and first not in story.SCREENED_FOR_OVERDOSE
            ):
                flags = story.overdose_flags(rng)
                episode_service.record_overdose_screen(self.ctx, self.episode_id, flags)
                first = alert.kind

    def _close(self, outcome: Disposition) -> None:
        self._catch_up_on_later_alerts()
        drafts = propose_follow_ups(self.ctx, self.episode_id)
        closure = close_episode(
            self.ctx,
            self.episode_id,
            disposition=outcome,
            summary=story.SUMMARIES[outcome],
            follow_ups=drafts,
            no_follow_up_reason=None if drafts else "No risk found; outpatient team informed.",
        )
        self.sim.report.episodes_closed += 1
        self.sim.report.follow_ups_scheduled += len(closure.follow_ups)
        if closure.outcome_report_queued:
            self.sim.send_pages_soon(outcome_report=True)
        for follow_up in closure.follow_ups:
            FollowUpPlayer(self.sim, follow_up).play()


class FollowUpPlayer:
    """Plays one follow-up: done on time, done late, out of attempts, or still waiting."""

    def __init__(self, sim: Simulation, follow_up: FollowUp) -> None:
        self.sim = sim
        self.follow_up = follow_up
        self.ctx = sim.as_staff(follow_up.assignee_id)

    def play(self) -> None:
        """Queue the attempts, the reminder and the escalation checks."""
        sim, due, rng = self.sim, self.follow_up.due_at, self.sim.rng
        closed = sim.clock.now()
        roll = rng.random()
        if roll < 0.70:  # on time, sometimes after a missed call
            first = max(closed + timedelta(hours=1), due - timedelta(hours=rng.uniform(1, 8)))
            if rng.random() < 0.25:
                sim.at(first, lambda: self._attempt(ContactResult.NO_ANSWER))
                first += timedelta(minutes=40)
            sim.at(first, lambda: self._attempt(ContactResult.REACHED))
        elif roll < 0.95 and roll >= 0.88:  # five missed calls two hours apart: out of tries
            for n in range(5):
                at = due - timedelta(hours=3) + timedelta(hours=2 * n)
                sim.at(at, lambda: self._attempt(ContactResult.NO_ANSWER))
            sim.at(due + timedelta(hours=rng.uniform(6, 30)), self._resolve_unreached)
        elif roll < 0.88 or due < sim.end - LEFT_UNDONE:  # late: reached hours after, escalated
            sim.at(due + timedelta(hours=rng.uniform(1.5, 12)), self._reached)
        # else: still waiting for its first try (only a recent one)
        if rng.random() < 0.85:  # the assignee's console showed the reminder
            sim.at(due + timedelta(seconds=20), self._remind)
        sim.check(due + timedelta(minutes=2, seconds=1))
        sim.check(due + sim.settings.follow_up_grace + timedelta(seconds=1))

    def _reached(self) -> None:
        self._attempt(ContactResult.REACHED)

    def _attempt(self, result: ContactResult) -> None:
        def attempt() -> None:
            done = record_follow_up_attempt(
                self.ctx, self.follow_up.id, channel=ContactChannel.PHONE, result=result
            )
            self.sim.report.follow_ups_done += done.status.value == "done"

        self.sim.attempt(f"follow-up {self.follow_up.id}", attempt)

    def _resolve_unreached(self) -> None:
        self.sim.attempt(
            f"follow-up {self.follow_up.id}",
            lambda: complete_follow_up(
                self.ctx, self.follow_up.id, FollowUpOutcome.NOT_REACHED, WELLNESS_CHECK
            ),
        )

    def _remind(self) -> None:
        due = self.follow_up.due_at
        claim_reminders(
            self.ctx,
            [self.follow_up.id],
            fired_by="demo-history",
            started_at=due - timedelta(hours=8),
        )
