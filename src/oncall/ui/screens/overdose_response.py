"""Overdose in progress: one key per protocol step, each on the timeline as it is pressed."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from oncall.domain.models import TimelineEvent
from oncall.domain.overdose_response import (
    OverdoseStep,
    StepDone,
    is_finished,
    naloxone_repeat,
    steps_done,
    still_to_do,
)
from oncall.services import overdose_response as protocol
from oncall.services.context import ServiceContext
from oncall.ui import crash
from oncall.ui.messages import DataChanged
from oncall.ui.screens.forms.base import SAVE_ERRORS
from oncall.ui.screens.forms.emergency import EmergencyServicesForm
from oncall.ui.screens.overdose_guidance import guidance, typed_time
from oncall.ui.widgets.action_footer import ActionFooter
from oncall.ui.widgets.overdose_text import step_words

_CHECK_KEYS = {
    "b": (OverdoseStep.BREATHING, True),
    "n": (OverdoseStep.BREATHING, False),
    "r": (OverdoseStep.RESPONSIVE, True),
    "u": (OverdoseStep.RESPONSIVE, False),
}
_STEP_KEYS = {
    "x": OverdoseStep.NALOXONE,
    "v": OverdoseStep.RESCUE_BREATHING,
    "p": OverdoseStep.RECOVERY_POSITION,
    "s": OverdoseStep.STAYING_WITH,
    "a": OverdoseStep.EMS_ARRIVED,
}


class OverdoseResponseScreen(ModalScreen[int]):
    """The protocol an on-call clinician walks a caller through; returns the steps recorded."""

    DEFAULT_CSS = """
    OverdoseResponseScreen { align: center middle; background: $background 60%; }
    OverdoseResponseScreen > #od {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    OverdoseResponseScreen #od-title { text-style: bold; }
    OverdoseResponseScreen #od-next { text-style: bold; margin-top: 1; height: auto; }
    OverdoseResponseScreen #od-steps { height: auto; max-height: 12; margin-top: 1; }
    OverdoseResponseScreen #od-error { color: $error; text-style: bold; height: auto; }
    OverdoseResponseScreen #od-prompt { height: auto; margin-top: 1; }
    OverdoseResponseScreen #od-prompt Input { width: 1fr; background: $boost; }
    OverdoseResponseScreen #od-prompt Label { color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "check('b')", "Breathing"),
        Binding("n", "check('n')", "Not breath."),
        Binding("r", "check('r')", "Responsive"),
        Binding("u", "check('u')", "Unresp."),
        Binding("9", "called_911", "911 called", tooltip="Someone at the scene called 911"),
        Binding("d", "disclose", "I call 911", tooltip="You call 911: the 42 CFR 2.51 record"),
        Binding("x", "step('x')", "Naloxone", tooltip="A naloxone dose given (counted)"),
        Binding("v", "step('v')", "Rescue br."),
        Binding("p", "step('p')", "Recovery"),
        Binding("s", "step('s')", "Staying"),
        Binding("a", "step('a')", "EMS here"),
        Binding("escape", "close", "Done"),
    ]

    def __init__(
        self, services: ServiceContext, episode_id: int, timeline: Sequence[TimelineEvent]
    ) -> None:
        super().__init__()
        self.services = services
        """Who is acting, on which database."""
        self.episode_id = episode_id
        """The episode the steps are recorded on."""
        self.done: list[StepDone] = steps_done(timeline)
        """Every step recorded on the episode, this visit's included, oldest first."""
        self.recorded = 0
        """Steps recorded since the screen opened."""
        self._queue: deque[Callable[[], TimelineEvent]] = deque()
        self._draining = False
        self._close_when_drained = False

    def compose(self) -> ComposeResult:
        """Title, what to do next, the steps so far, the 911 prompt (hidden), the keys."""
        with Vertical(id="od"):
            yield Static(
                Text("Overdose in progress — each key records its step now, on the timeline"),
                id="od-title",
            )
            yield Static(id="od-next")
            yield Static(id="od-error")
            with VerticalScroll(id="od-steps", can_focus=True):
                yield Static(id="od-log")
            with Horizontal(id="od-prompt"):
                yield Label("Who called 911")
                yield Input(id="od-who", placeholder="e.g. the caller, a neighbour")
                yield Label("at (HH:MM, blank = now)")
                yield Input(id="od-when", max_length=5)
        yield ActionFooter()

    def on_mount(self) -> None:
        """Keys go to the screen (not a text box) until a prompt asks for words."""
        self.query_one("#od-prompt").display = False
        self.query_one("#od-error").display = False
        self.query_one("#od-steps").focus()
        self._show()
        self.set_interval(1.0, self._show_next, name="overdose-clock")

    # Recording, strictly in the order the keys were pressed -------------------------------

    def _enqueue(self, call: Callable[[], TimelineEvent]) -> None:
        self._queue.append(call)
        if not self._draining:
            self._draining = True
            self.run_worker(self._drain, thread=True, exit_on_error=False, group="overdose")

    def _drain(self) -> None:
        # One thread records the queued steps one after another: the timeline keeps the
        # order they were done in even when keys arrive faster than the database writes.
        while self._queue:
            call = self._queue.popleft()
            try:
                event = call()
            except SAVE_ERRORS as error:
                self.app.call_from_thread(self._failed, f"Not recorded: {error}")
            except Exception as error:  # unexpected: a redacted report and a message
                incident = crash.report_exception(error)
                self.app.call_from_thread(self._failed, crash.incident_message(incident))
            else:
                self.app.call_from_thread(self._recorded, event)
        self.app.call_from_thread(self._drained)

    def _drained(self) -> None:
        self._draining = False
        if self._queue:  # a key arrived after the thread found the queue empty
            self._enqueue(self._queue.popleft())
        elif self._close_when_drained:
            self.dismiss(self.recorded)

    def _recorded(self, event: TimelineEvent) -> None:
        self._failed("")
        self.done.extend(steps_done([event]))
        self.recorded += 1
        self.app.post_message(DataChanged("overdose step recorded"))
        self._show()

    def _failed(self, message: str) -> None:
        error = self.query_one("#od-error", Static)
        error.update(Text(message))
        error.display = bool(message)

    # Keys ---------------------------------------------------------------------------------

    def action_check(self, key: str) -> None:
        """Breathing / not breathing, responsive / unresponsive, timed now."""
        step, value = _CHECK_KEYS[key]
        self._enqueue(lambda: protocol.record_check(self.services, self.episode_id, step, value))

    def action_step(self, key: str) -> None:
        """A step done now (a naloxone dose is numbered when recorded)."""
        step = _STEP_KEYS[key]
        self._enqueue(lambda: protocol.record_step(self.services, self.episode_id, step))

    def action_called_911(self) -> None:
        """Ask who called 911 and when; enter records it."""
        self.query_one("#od-prompt").display = True
        self.query_one("#od-who", Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        """Enter in the 911 prompt: record the call (who, when) and hide the prompt."""
        message.stop()
        who = self.query_one("#od-who", Input)
        when = self.query_one("#od-when", Input)
        try:
            called_at = typed_time(
                when.value, self.services.settings.zone, self.services.clock.now()
            )
        except ValueError as error:
            self._failed(f"Not recorded: {error}")
            when.focus()
            return
        name = who.value.strip()
        if not name:
            self._failed("Not recorded: say who called 911.")
            who.focus()
            return
        self._enqueue(
            lambda: protocol.record_911_called(
                self.services, self.episode_id, called_by=name, called_at=called_at
            )
        )
        who.value = when.value = ""
        self._hide_prompt()

    def _hide_prompt(self) -> None:
        self.query_one("#od-prompt").display = False
        self.query_one("#od-steps").focus()

    def action_disclose(self) -> None:
        """You call 911: the emergency disclosure form, then the call linked to it."""
        form = EmergencyServicesForm(
            self.services, self.episode_id, service="911", nature="Overdose in progress"
        )
        self.app.push_screen(form, self._disclosed)

    def _disclosed(self, event: TimelineEvent | None) -> None:
        if event is None:
            return
        who = self.services.actor.display_name
        self._enqueue(
            lambda: protocol.record_911_called(
                self.services, self.episode_id, called_by=who, emergency_event_id=event.id
            )
        )

    def action_close(self) -> None:
        """Esc: leave the prompt if it is open, else back to the episode."""
        if self.query_one("#od-prompt").display:
            self._hide_prompt()
            return
        if self._draining:  # steps still being written: leave once they are on the timeline
            self._close_when_drained = True
            return
        self.dismiss(self.recorded)

    # Showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        zone = self.services.settings.zone
        lines = [
            Text.assemble(
                (f"{step.at.astimezone(zone):%H:%M:%S}  ", "bold"), step_words(step.detail, zone)
            )
            for step in self.done
        ]
        log = Text("\n").join(lines) if lines else Text("Nothing recorded yet.", style="dim")
        self.query_one("#od-log", Static).update(log)
        self._show_next()

    def _show_next(self) -> None:
        now = self.services.clock.now()
        text = guidance(
            still_to_do(self.done),
            naloxone_repeat(self.done),
            is_finished(self.done),
            now,
            self.services.settings.zone,
        )
        self.query_one("#od-next", Static).update(text)
