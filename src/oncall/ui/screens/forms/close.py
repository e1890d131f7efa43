"""Closing an episode: disposition, summary, the follow-up plan or a reason for none (W4, W5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Select, TextArea

from oncall.domain.episode_state import close_problems
from oncall.domain.models import Staff
from oncall.domain.types import Disposition, EpisodeStatus, RiskLevel
from oncall.services import closing
from oncall.services.closing import Closure, FollowUpDraft, default_follow_up_assignee
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError, StoreError
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.screens.forms.close_safety import SafetyState
from oncall.ui.screens.forms.follow_up_plan import FollowUpPlanEditor

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


class CloseEpisodeForm(ServiceForm[Closure]):
    """Everything closing needs; a refusal lists every reason and the form stays open."""

    FORM_TITLE = "Close the episode"
    SAVE_LABEL = "Close episode"
    DEFAULT_CSS = """
    CloseEpisodeForm #form-body TextArea { height: 3; }
    CloseEpisodeForm #disposition { width: 1fr; }
    CloseEpisodeForm #form-problems { max-height: 10; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "add_follow_up", "Add follow-up", priority=True),
        Binding("ctrl+r", "remove_follow_up", "Remove follow-up", priority=True),
    ]

    def __init__(
        self,
        services: ServiceContext,
        episode_id: int,
        *,
        status: EpisodeStatus,
        risk: RiskLevel | None,
        drafts: Sequence[FollowUpDraft],
        staff: Sequence[Staff],
        zone: ZoneInfo,
        safety: SafetyState | None = None,
    ) -> None:
        super().__init__(services, episode_id)
        self.status = status
        """The episode's status when the form opened (the service checks it again)."""
        self.risk = risk
        self.safety = safety or SafetyState()
        """What closing safely needs, as read when the form opened."""
        self.proposed = list(drafts)
        self.staff = list(staff)
        self.zone = zone

    def compose_fields(self) -> ComposeResult:
        """Disposition, summary, the plan, the reason for none."""
        yield Label("Disposition", classes="field-label")
        yield Select(
            [(d.label, d) for d in Disposition],
            id="disposition",
            prompt="How did the episode end?",
            compact=True,
        )
        yield Label(
            "Summary (a few lines for the record and the next clinician)", classes="field-label"
        )
        yield TextArea(id="summary")
        yield from self.safety.compose_fields()
        risk = self.risk.value.upper() if self.risk else "NOT SCREENED"
        yield Label(
            f"Follow-up plan, proposed for risk {risk}: change, add or remove before saving",
            classes="field-label",
        )
        yield FollowUpPlanEditor(self.proposed, self.staff, self.zone, self.now(), id="plan-editor")
        yield Label("Reason for no follow-up (only when the plan is empty)", classes="field-label")
        yield Input(id="no-follow-up-reason")

    def now(self) -> datetime:
        """The service clock's now (a frozen clock in tests)."""
        return self.services.clock.now()

    def on_mount(self) -> None:
        """Start at the disposition."""
        super().on_mount()
        self.query_one("#disposition").focus()

    @property
    def editor(self) -> FollowUpPlanEditor:
        """The follow-up plan editor."""
        return self.query_one(FollowUpPlanEditor)

    def _disposition(self) -> Disposition | None:
        value = self.query_one("#disposition", Select).value
        return value if isinstance(value, Disposition) else None

    def problems(self) -> list[str]:
        """What closing needs, checked as the clinician types (the service decides on save)."""
        found = close_problems(
            self.status,
            self._disposition(),
            self.query_one("#summary", TextArea).text,
            bool(self.editor.drafts),
            self.query_one("#no-follow-up-reason", Input).value,
        )
        return found + self.safety.problems(self) + self.editor.problems(self.now())

    def action_save(self) -> None:
        """Save even with problems listed: the service checks the episode as it is now."""
        if self._saving:
            return
        # The status shown may be stale (another console may have confirmed the handoff),
        # so the refusal must come from the service; only a garbled due time stops here.
        bad = self.editor.problems(self.now())
        if bad:
            self.show_error("Not saved: " + " ".join(bad))
            return
        self._start_save()

    def show_error(self, message: str) -> None:
        """Show a refusal's reasons one per line."""
        head, _, rest = message.partition(": ")
        if rest:
            reasons = _SENTENCE_END.split(rest)
            message = f"{head}:\n" + "\n".join(f"• {r}" for r in reasons)
        super().show_error(message)

    def saver(self) -> Callable[[], Closure]:
        """Close through the closing service with the plan as edited."""
        disposition = self._disposition()
        summary = self.query_one("#summary", TextArea).text
        drafts = list(self.editor.drafts)
        reason = self.query_one("#no-follow-up-reason", Input).value.strip() or None
        no_location, override = self.safety.typed(self)
        return lambda: closing.close_episode(
            self.services,
            self.episode_id,
            disposition=disposition,
            summary=summary,
            follow_ups=drafts,
            no_follow_up_reason=reason,
            no_location_reason=no_location,
            override_reason=override,
        )

    def action_add_follow_up(self) -> None:
        """Add a follow-up to the plan, for whom the plan's follow-ups go by default (the
        client's primary clinician, else the acting user); its assignee can be changed."""
        try:
            assignee = default_follow_up_assignee(self.services, self.episode_id)
        except (ServiceError, StoreError):
            assignee = self.services.actor.id
        self.editor.add(assignee)
        self.show_problems()

    def action_remove_follow_up(self) -> None:
        """Remove the highlighted follow-up from the plan."""
        if self.editor.remove_current() is None:
            self.notify("The plan has no follow-ups to remove.", severity="warning")
        self.show_problems()
