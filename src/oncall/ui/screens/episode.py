"""The episode workspace (W2, W3, W5): client, location, risk, safety plan, timeline, actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen

from oncall.domain.models import Episode, TimelineEvent
from oncall.domain.types import EpisodeStatus, EventKind
from oncall.services import closing, episodes, views
from oncall.services.closing import Closure
from oncall.services.errors import ServiceError
from oncall.services.views import EpisodeRevision, EpisodeWorkspace
from oncall.store import people
from oncall.store.errors import StoreError
from oncall.ui.base import OnCallScreen
from oncall.ui.navigation import open_client, open_resources
from oncall.ui.screens.forms.amend import AmendForm
from oncall.ui.screens.forms.close import CloseEpisodeForm
from oncall.ui.screens.forms.contact_attempt import ContactAttemptForm
from oncall.ui.screens.forms.cssrs import CssrsForm
from oncall.ui.screens.forms.emergency import EmergencyContactForm, EmergencyServicesForm
from oncall.ui.screens.forms.handoff import ConfirmHandoffForm, WarmHandoffForm
from oncall.ui.screens.forms.location import LocationForm
from oncall.ui.screens.forms.overdose import OverdoseForm
from oncall.ui.screens.forms.text_event import SafetyPlanReviewForm, TextEventForm
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.client_header import ClientHeader
from oncall.ui.widgets.safety_plan_panel import SafetyPlanPanel
from oncall.ui.widgets.timeline import Timeline
from oncall.ui.widgets.timeline_text import KIND_WORDS

# Actions that add to the record; a closed episode takes amendments only.
_RECORDING = {
    "location", "cssrs", "overdose", "note", "contact", "coping", "referral", "plan_review",
    "warm_handoff", "emergency", "tell_contact", "close",
}  # fmt: skip


class EpisodeScreen(OnCallScreen[None]):
    """Everything about one crisis episode on one screen, and a key for every action."""

    HELP_TITLE = "episode workspace"
    DEFAULT_CSS = """
    EpisodeScreen #episode-body { height: 1fr; }
    EpisodeScreen SafetyPlanPanel { width: 55%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("l", "location", "Location"),
        Binding("s", "cssrs", "C-SSRS"),
        Binding("o", "overdose", "Overdose"),
        Binding("n", "note", "Note"),
        Binding("c", "contact", "Contact"),
        Binding("g", "coping", "Coping"),
        Binding("r", "referral", "Referral"),
        Binding("p", "plan_review", "Plan rev."),
        Binding("w", "warm_handoff", "Handoff"),
        Binding("h", "confirm_handoff", "Confirm"),
        Binding("e", "emergency", "Emergency"),
        Binding(
            "t",
            "tell_contact",
            "Notify EC",
            tooltip="Emergency contact notified (only with consent)",
        ),
        Binding("a", "amend", "Amend"),
        Binding("x", "close", "Close ep."),
        Binding("i", "client", "Client"),
        Binding("d", "directory", "Directory"),
    ]

    def __init__(self, episode_id: int) -> None:
        super().__init__()
        self.episode_id = episode_id
        """The episode shown."""
        self.workspace: EpisodeWorkspace | None = None
        """What was last read (None until the first read succeeds)."""
        self._revision: EpisodeRevision | None = None
        self._asked_location = False
        self._denied: str | None = None

    def compose(self) -> ComposeResult:
        """Header, then the plan beside the timeline, then the keys."""
        yield ClientHeader(id="client-header")
        with Horizontal(id="episode-body"):
            yield SafetyPlanPanel(id="safety-plan")
            yield Timeline(id="timeline")
        yield ActionFooter()

    def on_mount(self) -> None:
        """First read; ask for the location if this episode has none confirmed yet."""
        super().on_mount()
        self.read_safely(self.load, None)
        self.set_interval(1.0, self._tick, name="episode-clock")
        self.query_one("#timeline-events").focus()
        self.call_after_refresh(self._ask_location_once)

    # Reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Read the workspace (an audited view) and show it."""
        try:
            revision = views.episode_revision(self.services, self.episode_id)
            workspace = views.view_episode(self.services, self.episode_id)
        except ServiceError as error:  # not found, or not this user's to open
            self._denied = str(error)
            self.workspace = None
            self.query_one(ClientHeader).show_message(self._denied)
            self.notify(self._denied, title=f"Episode #{self.episode_id}", severity="warning")
            self.refresh_bindings()
            return
        self._denied = None
        self._revision, self.workspace = revision, workspace
        self._show(workspace)

    def refresh_data(self) -> None:
        """Re-read only when the episode changed: a view is audited, and audits wake others."""
        if self._denied is not None:
            return  # retrying a refused view would audit a refusal on every change
        try:
            revision = views.episode_revision(self.services, self.episode_id)
        except ServiceError as error:
            self._denied = str(error)
            self.query_one(ClientHeader).show_message(self._denied)
            return
        if revision != self._revision:
            self.load()

    def _show(self, ws: EpisodeWorkspace) -> None:
        settings = self.services.settings
        now = self.services.clock.now()
        self.query_one(ClientHeader).show(ws, settings.zone, now, settings.privacy_mode)
        self.query_one(SafetyPlanPanel).show(ws.plan, settings.zone, now)
        self.query_one(Timeline).show(ws.timeline, ws.staff_names, settings.zone, now)
        self.sub_title = f"Episode #{ws.episode.id}"
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(ClientHeader).tick(self.services.clock.now())

    # Which keys apply ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Closed: record keys dimmed. Confirm handoff only while one is pending."""
        episode = self.workspace.episode if self.workspace else None
        if action == "confirm_handoff":
            return episode is not None and episode.status is EpisodeStatus.HANDOFF_PENDING
        if action in _RECORDING and (episode is None or episode.status is EpisodeStatus.CLOSED):
            return None
        return True

    def _open(self) -> EpisodeWorkspace | None:
        """The workspace when it may still be recorded on; otherwise say why and None."""
        ws = self.workspace
        if ws is None:
            self.notify("The episode could not be read.", severity="error")
            return None
        if ws.episode.status is EpisodeStatus.CLOSED:
            self.notify(f"Episode #{ws.episode.id} is closed: add an amendment (a) instead.")
            return None
        return ws

    def _form(self, form: ModalScreen[Any], done: Callable[[Any], None] | None = None) -> None:
        self.app.push_screen(form, done or self._recorded)

    # After a form ----------------------------------------------------------------------

    def _recorded(self, event: TimelineEvent | None) -> None:
        if event is None:
            return
        self.notify(f"Recorded: {KIND_WORDS.get(event.kind, event.kind.value)}.")
        self.load()

    def _risk_recorded(self, event: TimelineEvent | None) -> None:
        if event is None:
            return
        risk = str(event.body.get("risk_level", "")).upper()
        what = "C-SSRS screener" if event.kind is EventKind.RISK_SCREENING else "Overdose checklist"
        self.notify(f"{what} recorded. Risk level: {risk}.", title="Risk")
        self.load()

    def _episode_changed(self, episode: Episode | None) -> None:
        if episode is not None:
            self.notify("Saved.")
            self.load()

    def _after_close(self, closure: Closure | None) -> None:
        if closure is None:
            return
        label = closure.episode.disposition.label if closure.episode.disposition else ""
        parts = [f"Episode #{closure.episode.id} closed: {label}."]
        count = len(closure.follow_ups)
        parts.append(f"{count} follow-up(s) scheduled." if count else "No follow-ups scheduled.")
        if closure.outcome_report_queued:
            parts.append("The outcome report to the hotline is queued.")
        self.notify(" ".join(parts), title="Closed")
        self.load()

    # Actions ---------------------------------------------------------------------------

    def _ask_location_once(self) -> None:
        ws = self.workspace
        if self._asked_location or ws is None or ws.episode.status is EpisodeStatus.CLOSED:
            return
        self._asked_location = True
        if ws.episode.location_confirmed_at is None:
            self.action_location()

    def action_location(self) -> None:
        """Ask where the client is now."""
        if ws := self._open():
            self._form(
                LocationForm(self.services, self.episode_id, ws.episode.location),
                self._location_answered,
            )

    def _location_answered(self, episode: Episode | None) -> None:
        if episode is None:
            self.notify("Location not confirmed: the header says so until it is (l).")
            return
        self._episode_changed(episode)

    def action_cssrs(self) -> None:
        """The C-SSRS screener."""
        if self._open():
            self._form(CssrsForm(self.services, self.episode_id), self._risk_recorded)

    def action_overdose(self) -> None:
        """The overdose-risk checklist."""
        if ws := self._open():
            form = OverdoseForm(self.services, self.episode_id, ws.episode.risk_level)
            self._form(form, self._risk_recorded)

    def action_note(self) -> None:
        """A free-text note."""
        if self._open():
            self._form(TextEventForm(self.services, self.episode_id, EventKind.NOTE))

    def action_coping(self) -> None:
        """A coping or de-escalation strategy used."""
        if self._open():
            self._form(TextEventForm(self.services, self.episode_id, EventKind.COPING_USED))

    def action_referral(self) -> None:
        """A referral to a resource."""
        if self._open():
            self._form(TextEventForm(self.services, self.episode_id, EventKind.REFERRAL))

    def action_plan_review(self) -> None:
        """The safety plan was gone over with the client."""
        if ws := self._open():
            if ws.plan is None:
                self.notify(
                    "There is no safety plan to review: write one on the client screen (i)."
                )
                return
            self._form(SafetyPlanReviewForm(self.services, self.episode_id))

    def action_contact(self) -> None:
        """A contact attempt."""
        if ws := self._open():
            name = ws.client.preferred_name or ws.client.name
            self._form(ContactAttemptForm(self.services, self.episode_id, name))

    def action_warm_handoff(self) -> None:
        """A warm handoff to another service."""
        if self._open():
            self._form(WarmHandoffForm(self.services, self.episode_id))

    def action_confirm_handoff(self) -> None:
        """Confirm contact after a hotline's handoff."""
        if ws := self._open():
            form = ConfirmHandoffForm(self.services, self.episode_id, ws.episode.handoff)
            self._form(form, self._episode_changed)

    def action_emergency(self) -> None:
        """Emergency services requested (with the 42 CFR 2.51 disclosure record)."""
        if self._open():
            self._form(EmergencyServicesForm(self.services, self.episode_id))

    def action_tell_contact(self) -> None:
        """Tell an emergency contact, only where consent is on file; otherwise say why not."""
        if ws := self._open():
            allowed, why = episodes.contacts_who_may_be_told(ws.client, ws.contacts)
            if why is not None:
                self.notify(f"Not available: {why}", title="Emergency contact", severity="warning")
                return
            self._form(EmergencyContactForm(self.services, self.episode_id, allowed))

    def action_amend(self) -> None:
        """Correct an earlier event (the highlighted one is chosen)."""
        ws = self.workspace
        if ws is None:
            return
        if not any(e.kind is not EventKind.AMENDMENT for e in ws.timeline):
            self.notify("There is nothing on the timeline to amend yet.")
            return
        highlighted = self.query_one(Timeline).highlighted_event
        settings = self.services.settings
        form = AmendForm(
            self.services,
            self.episode_id,
            ws.timeline,
            chosen=highlighted.id if highlighted else None,
            zone=settings.zone,
            now=self.services.clock.now(),
        )
        self._form(form)

    @on(Timeline.EventChosen)
    def _event_chosen(self) -> None:
        self.action_amend()

    def action_close(self) -> None:
        """Close the episode with a disposition, a summary and the follow-up plan."""
        ws = self._open()
        if ws is None:
            return
        try:
            drafts = closing.propose_follow_ups(self.services, self.episode_id)
            with self.services.store.read() as conn:
                staff = people.list_staff(conn, active_only=True)
        except (ServiceError, StoreError) as error:
            self.notify(str(error), title="Cannot close now", severity="error")
            return
        form = CloseEpisodeForm(
            self.services,
            self.episode_id,
            status=ws.episode.status,
            risk=ws.episode.risk_level,
            drafts=drafts,
            staff=staff,
            zone=self.services.settings.zone,
        )
        self._form(form, self._after_close)

    def action_client(self) -> None:
        """Open the client's record and safety plan."""
        if self.workspace is not None:
            open_client(self.app, self.workspace.client.id)

    def action_directory(self) -> None:
        """Open the resource directory, nearest to the client's confirmed location first."""
        open_resources(self.app, self.episode_id)

    def action_back(self) -> None:
        """Back to the screen this one was opened from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
