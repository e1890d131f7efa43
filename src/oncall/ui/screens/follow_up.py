"""The follow-up workspace (W4): one follow-up, its attempts, and the client's plan and risk."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from oncall.domain.followup_plan import MAX_ATTEMPTS
from oncall.domain.followup_work import caring_contact_only, follow_up_ref, may_complete
from oncall.domain.models import FollowUp
from oncall.domain.types import FollowUpStatus
from oncall.services.errors import ServiceError
from oncall.services.followup_workspace import FollowUpView, view_follow_up
from oncall.ui.base import OnCallScreen
from oncall.ui.navigation import open_client, open_episode
from oncall.ui.screens.follow_up_forms import build_follow_up_form
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.follow_up_text import follow_up_text, risk_text
from oncall.ui.widgets.safety_plan_panel import SafetyPlanPanel


class FollowUpScreen(OnCallScreen[None]):
    """Work one follow-up: attempts, completion, reschedule, handover, a caring contact."""

    HELP_TITLE = "follow-up workspace"
    DEFAULT_CSS = """
    FollowUpScreen #follow-up-body { height: 1fr; }
    FollowUpScreen #follow-up-pane { width: 45%; border: round $primary; padding: 0 1; }
    FollowUpScreen #plan-side { width: 1fr; }
    FollowUpScreen #risk { height: auto; padding: 0 1; }
    FollowUpScreen SafetyPlanPanel { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "work('attempt')", "Attempt", tooltip="Record a contact attempt"),
        Binding("c", "work('complete')", "Complete", tooltip="Complete with an outcome"),
        Binding(
            "r", "work('reschedule')", "Reschedule", tooltip="Move the due time, with a reason"
        ),
        Binding("h", "work('hand_over')", "Hand over", tooltip="Hand it to an active colleague"),
        Binding(
            "m",
            "work('caring')",
            "Caring msg",
            tooltip="Caring contact sent (a brief message, no answer expected)",
        ),
        Binding("e", "episode", "Episode", tooltip="The episode this follow-up came from"),
        Binding("i", "client", "Client", tooltip="The client's record and safety plan"),
    ]

    def __init__(self, follow_up_id: int) -> None:
        super().__init__()
        self.follow_up_id = follow_up_id
        """The follow-up shown (a reschedule moves the screen to its replacement)."""
        self.view: FollowUpView | None = None
        """What was last read (None until a read succeeds)."""
        self._viewed = False
        self._denied = False

    def compose(self) -> ComposeResult:
        """The follow-up and its attempts beside the client's risk and safety plan."""
        with Horizontal(id="follow-up-body"):
            with VerticalScroll(id="follow-up-pane"):
                yield Static(id="follow-up-text")
            with Vertical(id="plan-side"):
                yield Static(id="risk")
                yield SafetyPlanPanel(id="safety-plan")
        yield ActionFooter()

    def refresh_data(self) -> None:
        """Re-read the follow-up; only the first read of each one is audited as a view."""
        if self._denied:
            return  # retrying a refused read would audit a refusal on every change
        try:
            view = view_follow_up(self.services, self.follow_up_id, audited=not self._viewed)
        except ServiceError as error:
            self.view, self._denied = None, True
            self.query_one("#follow-up-text", Static).update(str(error))
            return
        self._viewed = True
        self.view = view
        settings = self.services.settings
        now = self.services.clock.now()
        privacy = settings.privacy_mode
        self.query_one("#follow-up-text", Static).update(
            follow_up_text(view, settings.zone, now, privacy=privacy)
        )
        self.query_one("#risk", Static).update(risk_text(view, settings.zone, now))
        self.query_one(SafetyPlanPanel).show(view.plan, settings.zone, now, privacy=privacy)

    def action_work(self, what: str) -> None:
        """Open the form for `what`, or say why it cannot be done now."""
        view = self.view
        if view is None:
            self.notify("The follow-up could not be read.", severity="warning")
            return
        fu = view.follow_up
        resolvable = what == "complete" and may_complete(fu.status, fu.completed_at)
        if fu.status is not FollowUpStatus.PENDING and not resolvable:
            self.notify(
                f"Follow-up {view.ref} is {view.follow_up.status.value}: nothing more to record.",
                severity="warning",
            )
            return
        if what == "caring" and not caring_contact_only(view.follow_up.kind):
            self.notify(
                f"Follow-up {view.ref} needs the client reached: record an attempt (a).",
                severity="warning",
            )
            return
        form = build_follow_up_form(what, self.services, view)
        self.app.push_screen(form, lambda result: self._after(what, result))

    def action_episode(self) -> None:
        """Open the episode the follow-up came from (closed ones too: their record stays)."""
        if self.view is not None:
            open_episode(self.app, self.view.follow_up.episode_id)

    def action_client(self) -> None:
        """Open the client's record."""
        if self.view is not None:
            open_client(self.app, self.view.client.id)

    def _after(self, what: str, result: FollowUp | None) -> None:
        """Say what was saved; follow a reschedule to the follow-up now due."""
        if result is None:
            return
        ref = follow_up_ref(result.id)
        if what == "reschedule":
            self.notify(f"Rescheduled: {ref} now stands in for {follow_up_ref(self.follow_up_id)}.")
            self.follow_up_id, self._viewed = result.id, False
        elif what == "hand_over":
            # It is the colleague's now (and the record may no longer be open to this user).
            names = self.view.staff_names if self.view else {}
            who = names.get(result.assignee_id, "your colleague")
            self.notify(f"Follow-up {ref} is now {who}'s.")
            self.app.pop_screen()
            return
        elif result.status is FollowUpStatus.PENDING:
            self.notify(f"Attempt recorded on {ref}: {result.attempts} of {MAX_ATTEMPTS} so far.")
        elif result.status is FollowUpStatus.EXHAUSTED and result.completed_at is None:
            self.notify(
                f"Follow-up {ref}: the attempts ran out. It goes to the supervisor.",
                severity="warning",
            )
        else:
            self.notify(f"Follow-up {ref} is {result.status.value}.")
        self.oncall_app.refresh_screen(self)
