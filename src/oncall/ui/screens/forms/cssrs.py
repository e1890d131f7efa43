"""The C-SSRS screener as a form: yes/no per question, skip logic as the answers come in (W2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Label, RadioButton, RadioSet, Static, TextArea

from oncall.domain.cssrs import (
    PERIOD,
    QUESTIONS,
    CssrsAnswers,
    CssrsQuestion,
    applicable_questions,
    next_question,
    score_cssrs,
)
from oncall.domain.models import TimelineEvent
from oncall.services import assessments, episodes
from oncall.services.context import ServiceContext
from oncall.ui.screens.forms.base import ServiceForm
from oncall.ui.widgets.toggles import MarkedRadioButton


class CssrsForm(ServiceForm[TimelineEvent]):
    """Yes/no per question; a "no" to 2 hides 3–5, a "yes" to 6 asks about the past 3 months."""

    FORM_TITLE = f"C-SSRS screener ({PERIOD})"
    DEFAULT_CSS = """
    CssrsForm .question { height: auto; margin-top: 1; }
    CssrsForm .question > Label { width: 1fr; }
    CssrsForm .question > RadioSet { layout: horizontal; width: auto; }
    CssrsForm .question > RadioSet > RadioButton { width: auto; margin-left: 2; }
    CssrsForm #cssrs-next { margin-top: 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
    ]

    def __init__(
        self,
        services: ServiceContext,
        episode_id: int,
        *,
        corrects: TimelineEvent | None = None,
        answers: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(services, episode_id)
        given = answers or {}
        self.answers: dict[str, bool | None] = {
            q.key: v if isinstance(v := given.get(q.key), bool) else None for q in QUESTIONS
        }
        """Every answer given, kept even while its question is hidden by the skip logic."""
        self.corrects = corrects
        """The screener being corrected (its answers re-entered as an amendment), or None."""

    def form_title(self) -> str:
        """Say when the form corrects an earlier screener."""
        if self.corrects is None:
            return self.FORM_TITLE
        return "Correct an earlier C-SSRS screener (the original stays on the record)"

    def compose_fields(self) -> ComposeResult:
        """One row per question with Yes / No."""
        yield Static(
            Text("y / n answer the highlighted question and move to the next one."),
            classes="hint",
        )
        for question in QUESTIONS:
            with Horizontal(classes="question", id=f"row-{question.key}"):
                # The words read aloud, as published, under the short label.
                asked = Text(f"{question.number:>2}  {question.text}\n", style="bold")
                asked.append(f"    {question.wording}", style="not bold")
                yield Label(asked)
                given = self.answers[question.key]
                yield RadioSet(
                    MarkedRadioButton("Yes", given is True, id=f"{question.key}-yes"),
                    MarkedRadioButton("No", given is False, id=f"{question.key}-no"),
                    id=f"set-{question.key}",
                    compact=True,
                )
        yield Static(id="cssrs-next")
        if self.corrects is not None:
            yield Label("What was wrong", classes="field-label")
            yield TextArea(id="reason")

    def on_mount(self) -> None:
        """Show only the questions that apply and start at question 1."""
        super().on_mount()
        self._apply_skip_logic()
        self.query_one(f"#set-{QUESTIONS[0].key}").focus()

    def effective(self) -> dict[str, bool | None]:
        """The answers to the questions that apply; hidden ones count as skipped."""
        keys = {q.key for q in applicable_questions(self.answers)}
        return {key: (value if key in keys else None) for key, value in self.answers.items()}

    def _apply_skip_logic(self) -> None:
        shown = {q.key for q in applicable_questions(self.answers)}
        for question in QUESTIONS:
            self.query_one(f"#row-{question.key}").display = question.key in shown
        pending = next_question(self.effective())
        status = self.query_one("#cssrs-next", Static)
        status.display = pending is None  # until then the problems line names the next one
        if pending is None:
            risk = score_cssrs(CssrsAnswers.from_dict(self.effective()))
            status.update(Text(f"All answered. Risk level: {risk.value.upper()}."))
        self.show_problems()

    @on(RadioSet.Changed)
    def _answered(self, message: RadioSet.Changed) -> None:
        key = (message.radio_set.id or "").removeprefix("set-")
        if key in self.answers:
            self.answers[key] = message.index == 0
            self._apply_skip_logic()

    def _focused_question(self) -> CssrsQuestion | None:
        focused = self.focused
        if isinstance(focused, RadioSet) and focused.id:
            key = focused.id.removeprefix("set-")
            for question in applicable_questions(self.answers):
                if question.key == key:
                    return question
        return next_question(self.effective())

    def action_answer(self, yes: bool) -> None:
        """Answer the highlighted question and move to the next unanswered one."""
        question = self._focused_question()
        if question is None:
            return
        self.answers[question.key] = yes
        button = self.query_one(f"#{question.key}-{'yes' if yes else 'no'}", RadioButton)
        button.value = True
        self._apply_skip_logic()
        following = next_question(self.effective())
        if following is not None:
            self.query_one(f"#set-{following.key}").focus()
        else:
            self.query_one("#reason" if self.corrects else "#form-save").focus()

    def problems(self) -> list[str]:
        """The first question still unanswered, in words."""
        pending = next_question(self.effective())
        found = []
        if pending is not None:
            found.append(f"Answer question {pending.number} ({pending.text.lower()}).")
        if self.corrects is not None and not self.query_one("#reason", TextArea).text.strip():
            found.append("Say what was wrong with the screener as recorded.")
        return found

    def saver(self) -> Callable[[], TimelineEvent]:
        """Record the screener (the answers are checked again when built)."""
        answers = CssrsAnswers.from_dict(self.effective())
        if self.corrects is None:
            return lambda: episodes.record_cssrs(self.services, self.episode_id, answers)
        event_id = self.corrects.id
        reason = self.query_one("#reason", TextArea).text
        return lambda: assessments.correct_cssrs(
            self.services, self.episode_id, event_id, answers, reason
        )
