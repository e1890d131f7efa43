"""Writing a new version of the safety plan: six sections and the reason for living (W8)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from oncall.domain.models import SafetyPlan
from oncall.domain.safety_plan import REASONS_FOR_LIVING_LABEL, SafetyPlanSection
from oncall.services.context import ServiceContext
from oncall.services.errors import ServiceError, StoreError
from oncall.services.safety_plans import (
    PlanChangedMeanwhile,
    PlanDraft,
    clean_draft,
    current_plan,
    plan_problems,
    same_as,
    save_safety_plan,
)
from oncall.ui import crash
from oncall.ui.messages import DataChanged
from oncall.ui.screens.confirm import confirm_discard
from oncall.ui.widgets.action_footer import ActionFooter

REASON_ID = "plan-reasons"


class PlanEditScreen(ModalScreen[SafetyPlan | None]):
    """The plan as a form, one item per line; saving makes a new version, refusals keep the text."""

    DEFAULT_CSS = """
    PlanEditScreen { align: center middle; background: $background 60%; }
    PlanEditScreen > #form {
        width: 100; max-width: 100%; height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PlanEditScreen #form-title { text-style: bold; }
    PlanEditScreen #form-body { height: 1fr; }
    PlanEditScreen TextArea { height: auto; min-height: 3; max-height: 12; }
    PlanEditScreen .field-label { text-style: bold; margin-top: 1; }
    PlanEditScreen .hint { color: $text-muted; }
    PlanEditScreen #form-problems { color: $warning; height: auto; max-height: 4; }
    PlanEditScreen #form-error { color: $error; text-style: bold; height: auto; }
    PlanEditScreen #form-buttons { height: auto; align-horizontal: right; }
    PlanEditScreen #form-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save version", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, services: ServiceContext, client_id: int, current: SafetyPlan | None):
        super().__init__()
        self.services = services
        """Who is writing, on which database."""
        self.client_id = client_id
        """Whose plan this is."""
        self.current = current
        """The version the form started from (None: the client has no plan yet)."""
        self._saving = False

    def compose(self) -> ComposeResult:
        """A text box per section, filled with the current version's items."""
        sections = self.current.sections if self.current else {}
        start = f"from version {self.current.version}" if self.current else "a first plan"
        with Vertical(id="form"):
            yield Static(
                Text(f"Safety plan — {start}. One item per line, in the client's own words."),
                id="form-title",
            )
            with VerticalScroll(id="form-body"):
                for section in SafetyPlanSection:
                    yield Static(f"{section.number}. {section.label}", classes="field-label")
                    if section.hint:
                        yield Static(Text(f"e.g. {section.hint}"), classes="hint")
                    text = "\n".join(sections.get(section.value, []))
                    yield TextArea(text, id=f"plan-{section.value}", soft_wrap=True)
                yield Static(f"♥ {REASONS_FOR_LIVING_LABEL}", classes="field-label")
                reason = self.current.reasons_for_living if self.current else ""
                yield TextArea(reason, id=REASON_ID, soft_wrap=True)
            yield Static(id="form-problems")
            yield Static(id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save version (ctrl+s)", id="form-save", variant="primary")
                yield Button("Cancel (esc)", id="form-cancel")
        yield ActionFooter()

    def on_mount(self) -> None:
        """Say what stops a save from the start; the cursor in the first section."""
        self.show_problems()
        self.query_one(f"#plan-{SafetyPlanSection.WARNING_SIGNS.value}", TextArea).focus()

    def draft(self) -> PlanDraft:
        """What is typed now, cleaned as the service will save it."""
        sections = {
            s.value: self.query_one(f"#plan-{s.value}", TextArea).text.splitlines()
            for s in SafetyPlanSection
        }
        return clean_draft(sections, self.query_one(f"#{REASON_ID}", TextArea).text)

    def show_problems(self) -> None:
        """List what stops the save, in words, as the clinician types."""
        found = plan_problems(self.draft(), self.current)
        text = Text("\n".join(f"• {p}" for p in found)) if found else Text("Ready to save.")
        self.query_one("#form-problems", Static).update(text)

    def show_error(self, message: str) -> None:
        """Say why the last save failed; everything typed stays in the form."""
        self.query_one("#form-error", Static).update(Text(message))

    @on(TextArea.Changed)
    def _changed(self) -> None:
        if not self._saving:
            self.show_error("")
        self.show_problems()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        """Save a new version in a thread; a refusal is shown and the form stays as typed."""
        if self._saving:
            return
        draft = self.draft()
        found = plan_problems(draft, self.current)
        if found:
            self.show_error("Not saved: " + " ".join(found))
            return
        based_on = self.current.version if self.current else 0
        self._set_saving(True)
        self.show_error("")

        def save() -> None:
            try:
                plan = save_safety_plan(
                    self.services,
                    self.client_id,
                    draft.sections,
                    draft.reasons_for_living,
                    based_on_version=based_on,
                )
            except PlanChangedMeanwhile as error:
                self.app.call_from_thread(self._failed, f"Not saved: {error}", True)
            except (ServiceError, StoreError) as error:
                self.app.call_from_thread(self._failed, f"Not saved: {error}")
            except Exception as error:  # a redacted report; the form and its text are kept
                incident = crash.report_exception(error)
                self.app.call_from_thread(self._failed, crash.incident_message(incident))
            else:
                self.app.call_from_thread(self._saved, plan)

        self.run_worker(save, thread=True, exit_on_error=False, group="plan-save")

    def _failed(self, message: str, changed_meanwhile: bool = False) -> None:
        self._set_saving(False)
        self.show_error(message)
        if changed_meanwhile:
            # They have been told; the next save is a deliberate choice to replace it.
            self._rebase()

    def _rebase(self) -> None:
        try:
            self.current = current_plan(self.services, self.client_id)
        except StoreError:
            return

    def _saved(self, plan: SafetyPlan) -> None:
        self._set_saving(False)
        self.app.post_message(DataChanged("safety plan saved"))
        self.dismiss(plan)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        button = self.query_one("#form-save", Button)
        button.disabled = saving
        button.label = "Saving…" if saving else "Save version (ctrl+s)"

    def unsaved_work(self) -> str | None:
        """ "the safety plan" when the draft differs from the version it started from."""
        draft = self.draft()
        if self.current is not None:
            changed = not same_as(draft, self.current)
        else:
            changed = any(draft.sections.values()) or bool(draft.reasons_for_living)
        return "the safety plan" if changed else None

    def action_cancel(self) -> None:
        """Close without saving; with changes typed, only once the user confirms."""
        if self._saving:
            return
        work = self.unsaved_work()
        if work is None:
            self.dismiss(None)
        else:
            confirm_discard(self, work, lambda: self.dismiss(None))
