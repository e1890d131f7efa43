"""The episode workspace (W2, W3, W5): client, location, risk, safety plan, timeline, actions."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal

from oncall.domain.models import TimelineEvent
from oncall.domain.risk import episode_risk
from oncall.domain.types import EpisodeStatus, EventKind
from oncall.services import views
from oncall.services.access import OutsideCare
from oncall.services.closing import Closure
from oncall.services.errors import ServiceError
from oncall.services.views import EpisodeRevision, EpisodeWorkspace
from oncall.ui.base import OnCallScreen
from oncall.ui.navigation import open_client, open_resources
from oncall.ui.screens.break_glass import offer_break_glass
from oncall.ui.screens.episode_forms import RECORDING, build_form
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.alert_position import copy_position
from oncall.ui.widgets.client_header import ClientHeader
from oncall.ui.widgets.safety_plan_panel import SafetyPlanPanel
from oncall.ui.widgets.timeline import Timeline
from oncall.ui.widgets.timeline_text import KIND_WORDS


class EpisodeScreen(OnCallScreen[None]):
    """Everything about one crisis episode on one screen, and a key for every action."""

    HELP_TITLE = "episode workspace"
    DEFAULT_CSS = """
    EpisodeScreen #episode-body { height: 1fr; }
    EpisodeScreen SafetyPlanPanel { width: 55%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("l", "record('location')", "Location"),
        Binding("s", "record('cssrs')", "C-SSRS"),
        Binding("o", "record('overdose')", "Overdose"),
        Binding(
            "O",
            "record('overdose_now')",
            "OD now",
            tooltip="Overdose in progress: walk the caller through it, each step timed",
        ),
        Binding("n", "record('note')", "Note"),
        Binding("c", "record('contact')", "Contact"),
        Binding("g", "record('coping')", "Coping"),
        Binding("r", "record('referral')", "Referral"),
        Binding("p", "record('plan_review')", "Plan rev."),
        Binding("w", "record('warm_handoff')", "Handoff"),
        Binding("h", "record('confirm_handoff')", "Confirm"),
        Binding("e", "record('emergency')", "Emergency"),
        Binding(
            "t",
            "record('tell_contact')",
            "Notify EC",
            tooltip="Emergency contact notified (only with consent)",
        ),
        Binding("a", "record('amend')", "Amend"),
        Binding("x", "record('close')", "Close ep."),
        Binding("i", "client", "Client"),
        Binding("d", "directory", "Directory"),
        Binding("y", "copy_position", "Copy GPS", show=False, tooltip="Copy an alert's GPS fix"),
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
        self._privacy = False
        """Whether the last drawing was in privacy mode (F9 redraws without re-reading)."""

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
        # Asked now, while the episode opens, so it is on top before the next key is read;
        # keys typed before it appeared are not taken as its text (ServiceForm.opened_by_console).
        self._ask_location_once()

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
            if isinstance(error, OutsideCare):  # breaking the glass can open it, with a reason
                offer_break_glass(self, self.services, error, self._glass_broken)
            return
        self._denied = None
        self._revision, self.workspace = revision, workspace
        self._show(workspace)

    def _glass_broken(self) -> None:
        self._denied = None
        self.load()

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
        elif self.workspace is not None and self._privacy != self.services.settings.privacy_mode:
            self._show(self.workspace)  # privacy mode was switched: redraw, nothing re-read

    def _show(self, ws: EpisodeWorkspace) -> None:
        settings = self.services.settings
        now = self.services.clock.now()
        self.query_one(ClientHeader).show(ws, settings.zone, now, settings.privacy_mode)
        privacy = self._privacy = settings.privacy_mode
        self.query_one(SafetyPlanPanel).show(ws.plan, settings.zone, now, privacy=privacy)
        self.query_one(Timeline).show(
            ws.timeline, ws.staff_names, settings.zone, now, privacy=privacy
        )
        self.sub_title = f"Episode #{ws.episode.id}"
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(ClientHeader).tick(self.services.clock.now())

    # Which keys apply ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Closed: record keys dimmed. Confirm handoff only while one is pending."""
        if action != "record" or not parameters:
            return True
        what = parameters[0]
        episode = self.workspace.episode if self.workspace else None
        if what == "confirm_handoff":
            return episode is not None and episode.status is EpisodeStatus.HANDOFF_PENDING
        if what in RECORDING and (episode is None or episode.status is EpisodeStatus.CLOSED):
            return None
        return episode is not None or None

    def action_record(self, what: str, by_console: bool = False) -> None:
        """Open the form for `what`, or say why it is not available now.

        `by_console`: the console opened it without a key (keys typed before it appeared
        are then not taken as its input).
        """
        ws = self.workspace
        if ws is None:
            self.notify("The episode could not be read.", severity="error")
            return
        # A key can arrive before the timeline is mounted or after it went: no event chosen.
        timeline = self.query(Timeline).first() if self.query(Timeline) else None
        highlighted = timeline.highlighted_event if timeline is not None else None
        form = build_form(what, self.services, ws, highlighted=highlighted)
        if isinstance(form, str):
            self.notify(form, severity="warning")
            return
        if isinstance(form, ServiceForm):
            form.opened_by_console = by_console
        self.app.push_screen(form, lambda result: self._after_form(what, result))

    @on(Timeline.EventChosen)
    def _event_chosen(self) -> None:
        # Enter is pressed out of habit: it must not start a change to the record.
        self.notify("To correct the highlighted event, press a (amend).")

    def _ask_location_once(self) -> None:
        ws = self.workspace
        if self._asked_location or ws is None or ws.episode.status is EpisodeStatus.CLOSED:
            return
        self._asked_location = True
        if ws.episode.location_confirmed_at is None:
            self.action_record("location", by_console=True)

    def _after_form(self, what: str, result: object) -> None:
        """Say what was saved and show the episode as it now is."""
        if result is None:
            if what == "location":
                self.notify("Location not confirmed: the header says so until it is (l).")
            return
        if isinstance(result, Closure):
            self.notify(_closed_message(result), title="Closed")
        elif isinstance(result, int):  # the overdose protocol: steps recorded
            self.notify(f"{result} overdose-in-progress step(s) recorded on the timeline.")
        elif isinstance(result, TimelineEvent) and _changes_risk(result):
            self.load()
            self.notify(_risk_message(result, self.workspace), title="Risk")
            return
        elif isinstance(result, TimelineEvent):
            self.notify(f"Recorded: {KIND_WORDS.get(result.kind, result.kind.value)}.")
        else:
            self.notify("Saved.")
        self.load()

    def action_client(self) -> None:
        """Open the client's record and safety plan."""
        if self.workspace is not None:
            open_client(self.app, self.workspace.client.id)

    def action_copy_position(self) -> None:
        """Copy the GPS coordinates the latest alert carried (also shown: SSH may drop a copy)."""
        if self.workspace is not None:
            privacy = self.services.settings.privacy_mode
            copy_position(self, self.workspace.alerts, privacy=privacy)

    def action_directory(self) -> None:
        """Open the resource directory, nearest to the client's confirmed location first."""
        open_resources(self.app, self.episode_id)

    def action_back(self) -> None:
        """Back to the screen this one was opened from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


_RISK_EVENTS = (EventKind.RISK_SCREENING, EventKind.OVERDOSE_SCREENING)


def _changes_risk(event: TimelineEvent) -> bool:
    """A screening, or an amendment that re-entered one's answers."""
    return event.kind in _RISK_EVENTS or "corrected" in event.body


def _risk_message(event: TimelineEvent, ws: EpisodeWorkspace | None) -> str:
    """What was recorded and the episode's risk now (the highest current assessment)."""
    what = "Correction" if event.kind is EventKind.AMENDMENT else KIND_WORDS[event.kind]
    level = episode_risk(ws.timeline).level if ws is not None else None
    said = level.value.upper() if level else "NOT SCREENED"
    return f"{what[:1].upper()}{what[1:]} recorded. Episode risk: {said}."


def _closed_message(closure: Closure) -> str:
    label = closure.episode.disposition.label if closure.episode.disposition else ""
    parts = [f"Episode #{closure.episode.id} closed: {label}."]
    count = len(closure.follow_ups)
    parts.append(f"{count} follow-up(s) scheduled." if count else "No follow-ups scheduled.")
    if closure.outcome_report_queued:
        parts.append("The outcome report to the hotline is queued.")
    return " ".join(parts)
