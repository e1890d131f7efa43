"""The client screen (W8): who the client is, contacts, the safety plan, versions, episodes."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from oncall.domain.models import Episode, SafetyPlan
from oncall.domain.types import EpisodeStatus
from oncall.services import safety_plans, views
from oncall.services.access import OutsideCare
from oncall.services.client_history import (
    ClientRevision,
    EpisodePage,
    client_episodes_page,
    client_revision,
)
from oncall.services.console_reads import staff_names
from oncall.services.errors import ServiceError
from oncall.services.views import ClientRecord
from oncall.ui.format import words
from oncall.ui.navigation import open_episode
from oncall.ui.screens.break_glass import offer_break_glass
from oncall.ui.screens.client_editing import EDIT_ACTIONS, EDIT_BINDINGS, ClientEditing
from oncall.ui.screens.confirm import ConfirmScreen
from oncall.ui.screens.plan_compare import PlanCompareScreen
from oncall.ui.screens.plan_edit import PlanEditScreen
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.client_header import RISK_STYLES
from oncall.ui.widgets.client_summary import ClientSummary
from oncall.ui.widgets.plan_view import PlanView


def short_time(moment: datetime, zone: ZoneInfo) -> str:
    """A date and time in the clinic's zone in 12 characters ("Nov 07 03:00")."""
    return moment.astimezone(zone).strftime("%b %d %H:%M")


class ClientScreen(ClientEditing):
    """One client's record: the plan in their words, its versions, and their episodes."""

    HELP_TITLE = "client record"
    DEFAULT_CSS = """
    ClientScreen #client-body { height: 1fr; }
    ClientScreen PlanView { width: 3fr; }
    ClientScreen #client-side { width: 2fr; }
    ClientScreen.-narrow PlanView { width: 1fr; }
    ClientScreen.-narrow #client-side { width: 38; }
    ClientScreen #versions { height: 7; }
    ClientScreen #episodes { height: 1fr; }
    ClientScreen DataTable { scrollbar-size-horizontal: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("e", "edit_plan", "Edit plan"),
        Binding("r", "mark_reviewed", "Reviewed"),
        Binding("c", "compare", "Compare"),
        Binding("right_square_bracket", "older", "Older", key_display="]"),
        Binding("left_square_bracket", "newer", "Newer", key_display="["),
        *EDIT_BINDINGS,
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it)

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        """The client shown."""
        self.record: ClientRecord | None = None
        """What was last read (None until a read succeeds)."""
        self._revision: ClientRevision | None = None
        self._denied: str | None = None
        self._names: dict[int, str] = {}
        self._anchors: list[Episode | None] = [None]
        """The `before` of each episode page seen so far; the last is the page shown."""
        self._page: EpisodePage | None = None
        self._privacy = False
        self._shown_on: date | None = None
        """The clinic date the record was last drawn for."""

    def compose(self) -> ComposeResult:
        """Summary on top; the plan beside the versions and the episode history."""
        yield ClientSummary(id="client-summary")
        with Horizontal(id="client-body"):
            yield PlanView(id="plan")
            with Vertical(id="client-side"):
                yield Static("Plan versions, newest first", classes="pane-title")
                yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
                yield Static("Episodes", id="episodes-title", classes="pane-title")
                yield DataTable(id="episodes", cursor_type="row", zebra_stripes=True)
        yield ActionFooter()

    def on_mount(self) -> None:
        """Columns, the first read, focus on the episode history."""
        self.query_one("#versions", DataTable).add_columns("Version", "Saved by", "When")
        self.query_one("#episodes", DataTable).add_columns(
            "Episode", "Opened", "Status", "Risk", "Outcome"
        )
        super().on_mount()
        self.read_safely(self.load, None)
        self.query_one("#episodes", DataTable).focus()

    # Reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Read the record (an audited view) and show it."""
        try:
            revision = client_revision(self.services, self.client_id)
            record = views.view_client(self.services, self.client_id)
            self._names = staff_names(self.services)
        except OutsideCare as error:  # breaking the glass can open it, for a stated reason
            self._deny(str(error))
            offer_break_glass(self, self.services, error, self._glass_broken)
            return
        except ServiceError as error:  # not found, or not allowed
            self._deny(str(error))
            return
        self._denied = None
        self._revision, self.record = revision, record
        self._show(record)
        self._load_episodes(self._anchors[-1])

    def refresh_data(self) -> None:
        """Re-read only when the record changed: a view is audited, and audits wake others."""
        if self._denied is not None:
            return  # retrying a refused view would audit a refusal on every change
        try:
            revision = client_revision(self.services, self.client_id)
        except ServiceError as error:
            self._deny(str(error))
            return
        if revision != self._revision:
            self.load()
        elif self.record is not None and (
            self._privacy != self.services.settings.privacy_mode or self._today() != self._shown_on
        ):
            # Privacy mode was switched, or the day turned (a consent may have lapsed):
            # redraw, nothing re-read.
            self._show(self.record)

    def _today(self) -> date:
        """The clinic's date now (consent end dates are read against it)."""
        return self.services.clock.now().astimezone(self.services.settings.zone).date()

    def _glass_broken(self) -> None:
        self._denied = None
        self.read_safely(self.load, None)

    def _deny(self, message: str) -> None:
        self._denied = message
        self.record = None
        self.query_one(ClientSummary).show_message(message)
        self.notify(message, title="Client record", severity="warning")
        self.refresh_bindings()

    def _show(self, record: ClientRecord) -> None:
        settings = self.services.settings
        privacy = self._privacy = settings.privacy_mode
        today = self._shown_on = self._today()
        self.query_one(ClientSummary).show(record, privacy=privacy, today=today)
        self.query_one(PlanView).show(record, self._names, settings.zone, privacy=privacy)
        table = self.query_one("#versions", DataTable)
        table.clear()
        for plan in record.plan_versions:
            who = self._names.get(plan.created_by or 0, "unknown")
            label = f"v{plan.version}"
            when = short_time(plan.created_at, settings.zone)
            table.add_row(label, who, when, key=str(plan.version))
        self.sub_title = record.client.external_ref
        self.refresh_bindings()

    def _load_episodes(self, before: Episode | None) -> None:
        try:
            page = client_episodes_page(self.services, self.client_id, before=before)
        except ServiceError as error:
            self.notify(str(error), severity="warning")
            return
        self._page = page
        zone = self.services.settings.zone
        table = self.query_one("#episodes", DataTable)
        table.clear()
        for episode in page.episodes:
            table.add_row(*self._episode_cells(episode, zone), key=str(episode.id))
        title = f"Episodes, newest first — page {len(self._anchors)}"
        if not page.episodes and len(self._anchors) == 1:
            title = "Episodes: none yet"
        title += (" · ] older" if page.has_more else "") + (
            " · [ newer" if len(self._anchors) > 1 else ""
        )
        self.query_one("#episodes-title", Static).update(Text(title))
        self.refresh_bindings()

    @staticmethod
    def _episode_cells(episode: Episode, zone: ZoneInfo) -> tuple[Text, ...]:
        status = episode.status.value.replace("_", " ")
        risk = (
            Text(episode.risk_level.value.upper(), style=RISK_STYLES[episode.risk_level])
            if episode.risk_level
            else Text("—", style="dim")
        )
        outcome = episode.disposition.label if episode.disposition else ""
        open_style = "bold green" if episode.status is not EpisodeStatus.CLOSED else ""
        return (
            Text(f"#{episode.id}"),
            Text(short_time(episode.opened_at, zone)),
            Text(words(status), style=open_style),
            risk,
            Text(outcome),
        )

    # Keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim what cannot be done now: nothing without a record, paging at either end."""
        if action == "back":
            return True
        if action in EDIT_ACTIONS:
            return self.edit_allowed(action)
        if self.record is None:
            return None
        if action == "mark_reviewed":
            return True if self.record.plan is not None else None
        if action == "compare":
            return True if len(self.record.plan_versions) >= 2 else None
        if action == "older":
            return True if self._page is not None and self._page.has_more else None
        if action == "newer":
            return True if len(self._anchors) > 1 else None
        return True

    def action_older(self) -> None:
        """The next page of older episodes."""
        if self._page is not None and self._page.has_more and self._page.episodes:
            self._anchors.append(self._page.episodes[-1])
            self.read_safely(lambda: self._load_episodes(self._anchors[-1]), None)

    def action_newer(self) -> None:
        """Back to the page of newer episodes."""
        if len(self._anchors) > 1:
            self._anchors.pop()
            self.read_safely(lambda: self._load_episodes(self._anchors[-1]), None)

    @on(DataTable.RowSelected, "#episodes")
    def _episode_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            open_episode(self.app, int(event.row_key.value))

    @on(DataTable.RowSelected, "#versions")
    def _version_chosen(self, event: DataTable.RowSelected) -> None:
        record = self.record
        if record is None or event.row_key.value is None or len(record.plan_versions) < 2:
            if record is not None and len(record.plan_versions) < 2:
                self.notify("There is only one version: nothing to compare it with yet.")
            return
        version = int(event.row_key.value)
        older = [p.version for p in record.plan_versions if p.version < version]
        if older:
            self._compare(max(older), version)
        else:
            self._compare(version, record.plan_versions[0].version)

    def action_compare(self) -> None:
        """Compare the current plan with the version before it (both can be changed there)."""
        record = self.record
        if record is not None and len(record.plan_versions) >= 2:
            self._compare(record.plan_versions[1].version, record.plan_versions[0].version)

    def _compare(self, old: int, new: int) -> None:
        record = self.record
        if record is not None:
            self.app.push_screen(
                PlanCompareScreen(self.client_id, record.plan_versions, self._names, old, new)
            )

    def action_edit_plan(self) -> None:
        """Write a new version of the plan with the client."""
        record = self.record
        if record is not None:
            self.app.push_screen(
                PlanEditScreen(self.services, self.client_id, record.plan), self._plan_saved
            )

    def _plan_saved(self, plan: SafetyPlan | None) -> None:
        if plan is not None:
            who = self.services.actor.display_name
            self.notify(f"Safety plan version {plan.version} saved by {who}.")
            self.load()

    def action_mark_reviewed(self) -> None:
        """Record that the plan was gone over with the client (on an open episode's timeline)."""
        record = self.record
        if record is None or record.plan is None:
            return
        open_episode_id = next(
            (e.id for e in record.episodes if e.status is not EpisodeStatus.CLOSED), None
        )

        def done(review: safety_plans.PlanReview) -> None:
            where = f" and on episode #{review.episode_id}'s timeline" if review.episode_id else ""
            self.notify(f"Review of version {review.plan_version} recorded{where}.")
            self.load()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: safety_plans.record_plan_review(
                        self.services, self.client_id, open_episode_id
                    ),
                    on_success=done,
                    reason="plan reviewed",
                )

        where = f" on episode #{open_episode_id}'s timeline" if open_episode_id else ""
        self.app.push_screen(
            ConfirmScreen(
                f"Record that you went over safety plan version {record.plan.version} with "
                "the client just now?",
                detail=f"It is recorded in your name{where} and clears the review due.",
                yes="Record review",
                no="Cancel",
            ),
            answered,
        )

    def action_back(self) -> None:
        """Back to the screen this one was opened from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
