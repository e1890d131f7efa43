"""What every episode form shares: live problems, save through a service, stay open on refusal."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual._time import get_time
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, Static, TextArea

from oncall.domain.cssrs import CssrsAnswerError
from oncall.domain.episode_state import TransitionRefused
from oncall.domain.terminal_text import is_terminal_safe, safe_text
from oncall.services.context import ServiceContext
from oncall.services.drafts import Draft, DraftSubject, UnsavedForm, drop_draft, take_draft
from oncall.services.errors import ServiceError, StoreError
from oncall.ui import crash
from oncall.ui.messages import DataChanged
from oncall.ui.screens.confirm import confirm_discard
from oncall.ui.screens.forms.drafts import FieldState, restore, states
from oncall.ui.widgets.action_footer import ActionFooter

ResultT = TypeVar("ResultT")

FIELDS = (
    "#form-body Input, #form-body TextArea, #form-body Select, #form-body Checkbox,"
    " #form-body RadioSet"
)
"""Every field whose value is the user's input."""

SAVE_ERRORS = (ServiceError, StoreError, TransitionRefused, CssrsAnswerError)
"""What a save may raise that a clinician can act on; each one's message is shown as is."""


class ServiceForm(ModalScreen[ResultT]):
    """A modal form saved through one service call; a refused save keeps everything typed.

    Subclasses yield their fields from `compose_fields`, list what is missing or
    wrong in `problems` (shown as they type), and return the service call from `saver`.
    """

    DEFAULT_CSS = """
    ServiceForm { align: center middle; background: $background 60%; }
    ServiceForm > #form {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ServiceForm #form-title { text-style: bold; width: 1fr; }
    ServiceForm #form-body { height: auto; max-height: 1fr; }
    ServiceForm #form-body Input, ServiceForm #form-body Select { width: 1fr; }
    ServiceForm #form-body TextArea { height: 4; }
    ServiceForm .field-label { color: $text-muted; margin-top: 1; }
    ServiceForm #form-body Input, ServiceForm #form-body TextArea { background: $boost; }
    ServiceForm .hint { color: $text-muted; }
    ServiceForm #form-foot { dock: bottom; height: auto; }
    ServiceForm #form-problems { color: $warning; height: auto; max-height: 6; }
    ServiceForm #form-error { color: $error; text-style: bold; height: auto; max-height: 6; }
    ServiceForm #form-buttons { height: auto; align-horizontal: right; }
    ServiceForm #form-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    FORM_TITLE: ClassVar[str] = "Form"
    SAVE_LABEL: ClassVar[str] = "Save"

    def __init__(self, services: ServiceContext, episode_id: int) -> None:
        super().__init__()
        self.services = services
        """Who is acting, on which database."""
        self.episode_id = episode_id
        """The episode the form records on."""
        self.opened_by_console = False
        """Opened by the console itself (not on a key): keys typed before it was shown
        were meant for the screen below, so they are dropped rather than taken as input."""
        self.ignore_keys_before: float | None = None
        """Read by TypeaheadSafeApp: keys typed before this time are not delivered here."""
        self._saving = False
        self._as_opened: tuple[object, ...] = ()
        self._draft: Draft | None = None
        self._looked_for_draft = False

    def compose(self) -> ComposeResult:
        """Title, the form's fields, what is wrong, and the buttons."""
        with Vertical(id="form"):
            yield Static(Text(self.form_title()), id="form-title")
            # Docked: what is wrong and the buttons stay in view while the fields scroll.
            with Vertical(id="form-foot"):
                yield Static(id="form-problems")
                yield Static(id="form-error")
                with Horizontal(id="form-buttons"):
                    yield Button(
                        f"{self.SAVE_LABEL} (ctrl+s)",
                        id="form-save",
                        variant="primary",
                        compact=True,
                    )
                    yield Button("Cancel (esc)", id="form-cancel", compact=True)
            with VerticalScroll(id="form-body"):
                yield from self.compose_fields()
        yield ActionFooter()

    def form_title(self) -> str:
        """The title shown at the top of the form."""
        return self.FORM_TITLE

    def compose_fields(self) -> ComposeResult:
        """The form's own fields."""
        yield from ()

    def problems(self) -> list[str]:
        """What stops the form saving now, each in words; empty when it may be saved."""
        return []

    def saver(self) -> Callable[[], ResultT]:
        """Read the fields (on the event loop) and return the service call to run.

        The call runs in a thread; raising one of SAVE_ERRORS there keeps the form
        open with the error's message. Raising ValidationFailed here does the same.
        """
        raise NotImplementedError

    def on_mount(self) -> None:
        """Compact fields (a form must fit 80x24); say from the start what the form needs."""
        for field in self.query("#form-body Input, #form-body TextArea, #form-body Select"):
            if isinstance(field, Input | TextArea | Select):
                field.compact = True
        if self.opened_by_console:
            self.ignore_keys_before = get_time()
        # Textual runs this after the subclass's on_mount too, so whatever a form fills in
        # itself counts as the starting point, not as the user's input.
        if self._draft is None:
            self._as_opened = self._field_values()
        self._restore_draft()
        self.show_problems()

    def draft_kind(self) -> str:
        """What the form is, for its draft: the class and the title (a note is not a referral)."""
        return f"{type(self).__name__}:{self.draft_title()}"

    def draft_title(self) -> str:
        """The form's name for its draft, audited and announced: never a person's name."""
        return self.form_title()

    def draft_subject(self) -> DraftSubject:
        """What the form is about, for its draft: the episode it records on."""
        return DraftSubject(episode_id=self.episode_id)

    def unsaved_fields(self) -> UnsavedForm | None:
        """The fields as a draft when something was typed or chosen (None: nothing to keep)."""
        if self.unsaved_work() is None:
            return None
        return UnsavedForm(
            self.draft_kind(), self.draft_subject(), self.draft_title(), states(self.query(FIELDS))
        )

    def _restore_draft(self) -> None:
        """A draft kept when the author's last console was cut off goes back into the form.

        on_mount runs once per form class that defines it; the draft is looked up once and
        put back each time, so what a subclass fills in after `super().on_mount()` does
        not overwrite it, and the form as opened (before the draft) stays the baseline.
        """
        if not self._looked_for_draft:
            self._looked_for_draft = True
            with contextlib.suppress(StoreError):  # unreadable: it stays for the next time
                self._draft = take_draft(self.services, self.draft_kind(), self.draft_subject())
            if self._draft is not None:
                self.notify("What you typed before your console was cut off is back in this form.")
        if self._draft is not None:
            self.fill_from_draft(self._draft.fields)

    def fill_from_draft(self, fields: list[FieldState]) -> None:
        """Put a draft's values back into the fields.

        A form whose fields fill in others when they change overrides this to keep that
        from running over the draft, which holds what the user had made of those too.
        """
        restore(list(self.query(FIELDS)), fields)

    def _drop_draft(self, why: str) -> None:
        """The draft became a record or was discarded (runs in a thread)."""
        draft, self._draft = self._draft, None
        if draft is not None:
            try:
                drop_draft(self.services, draft, why=why)
            except StoreError:
                self._draft = draft  # kept: offered again next time rather than lost

    def show_problems(self) -> None:
        """Redraw the list of what is missing or wrong."""
        found = self.problems()
        text = Text("\n".join(f"• {p}" for p in found)) if found else Text("Ready to save.")
        self.query_one("#form-problems", Static).update(text)

    def show_error(self, message: str) -> None:
        """Say why the last save failed (the form stays open, nothing typed is lost).

        While an error shows, it stands in for the list of problems; the next edit
        clears it and the live list returns.
        """
        error = self.query_one("#form-error", Static)
        error.update(Text(message))
        error.display = bool(message)
        self.query_one("#form-problems").display = not message

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    def _changed(self) -> None:
        if not self._saving:
            self.show_error("")
        self.show_problems()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        """Save if nothing is missing; otherwise, or when refused, say why and stay open."""
        if self._saving:
            return  # one save at a time: a second press must not record the event twice
        found = self.problems()
        if found:
            self.show_error("Not saved: " + " ".join(found))
            return
        self._start_save()

    def _start_save(self) -> None:
        """Read the fields and run the service call in a thread."""
        self._clean_fields()
        try:
            call = self.saver()
        except SAVE_ERRORS as error:
            self.show_error(f"Not saved: {error}")
            return
        self._set_saving(True)
        self.show_error("")
        self.run_worker(
            lambda: self._save_in_thread(call), thread=True, exit_on_error=False, group="form"
        )

    def _save_in_thread(self, call: Callable[[], ResultT]) -> None:
        # The service writes in a thread so a busy database never freezes the console.
        try:
            result = call()
        except SAVE_ERRORS as error:
            self.app.call_from_thread(self._save_failed, f"Not saved: {error}")
        except Exception as error:  # unexpected: a redacted report, a message, the form kept
            incident = crash.report_exception(error)
            self.app.call_from_thread(self._save_failed, crash.incident_message(incident))
        else:
            self._drop_draft("saved")
            self.app.call_from_thread(self._saved, result)

    def _save_failed(self, message: str) -> None:
        self._set_saving(False)
        self.show_error(message)

    def _saved(self, result: ResultT) -> None:
        self._set_saving(False)
        self.app.post_message(DataChanged("form saved"))
        self.dismiss(result)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        button = self.query_one("#form-save", Button)
        button.disabled = saving
        button.label = "Saving…" if saving else f"{self.SAVE_LABEL} (ctrl+s)"

    def _clean_fields(self) -> None:
        """Remove terminal control characters from what was typed, pasted or restored."""
        for field in self.query(FIELDS):
            if isinstance(field, Input) and not is_terminal_safe(field.value):
                field.value = safe_text(field.value)
            elif isinstance(field, TextArea) and not is_terminal_safe(field.text, multiline=True):
                field.text = safe_text(field.text, multiline=True)

    def _field_values(self) -> tuple[object, ...]:
        values: list[object] = []
        for field in self.query(FIELDS):
            if isinstance(field, Input | Select | Checkbox):
                values.append(field.value)
            elif isinstance(field, TextArea):
                values.append(field.text)
            elif isinstance(field, RadioSet):
                values.append(field.pressed_index)
        return tuple(values)

    def unsaved_work(self) -> str | None:
        """The form's title when something was typed or chosen since it opened (unsaved)."""
        if self.is_mounted and self._field_values() != self._as_opened:
            return self.form_title()
        return None

    def action_cancel(self) -> None:
        """Close without saving; with input typed, only once the user confirms."""
        if self._saving:
            return  # the save is under way: its outcome decides whether the form closes
        work = self.unsaved_work()
        if work is None:
            self._discarded()
        else:
            confirm_discard(self, work, self._discarded)

    def _discarded(self) -> None:
        if self._draft is not None:
            # The app's worker: this screen is about to go, the draft must still be dropped.
            self.app.run_worker(lambda: self._drop_draft("discarded"), thread=True, group="draft")
        self.dismiss(None)
