"""A form's fields as a draft (plain JSON) and back: what a dropped connection must not lose."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widget import Widget
from textual.widgets import Checkbox, Input, RadioButton, RadioSet, Select, TextArea

FieldState = dict[str, Any]


def field_state(field: Widget) -> FieldState | None:
    """One field's value as JSON (None for a widget that holds no input)."""
    state: FieldState = {"id": field.id, "type": type(field).__name__}
    if isinstance(field, Input):
        state["value"] = field.value
    elif isinstance(field, TextArea):
        state["value"] = field.text
    elif isinstance(field, Checkbox):
        state["value"] = bool(field.value)
    elif isinstance(field, RadioSet):
        state["value"] = field.pressed_index
    elif isinstance(field, Select):
        # Options may be enums or ids: kept as text and matched back to an option.
        state["value"] = None if field.value is Select.NULL else str(field.value)
    else:
        return None
    return state


def states(fields: Iterable[Widget]) -> list[FieldState]:
    """Every input field's value, in order."""
    return [state for state in map(field_state, fields) if state is not None]


def _select_option(field: Select[Any], text: str | None) -> None:
    if text is None:
        field.clear()
        return
    # Textual keeps the legal values on the widget; a draft names one by its text.
    for value in getattr(field, "_legal_values", ()):
        if value is not Select.NULL and str(value) == text:
            field.value = value
            return


def apply_state(field: Widget, state: FieldState) -> None:
    """Put a draft's value back into the field it came from."""
    value = state.get("value")
    if isinstance(field, Input) and isinstance(value, str):
        field.value = value
        field.cursor_position = len(value)
    elif isinstance(field, TextArea) and isinstance(value, str):
        field.text = value
        field.move_cursor(field.document.end)  # typing goes on where the draft stopped
    elif isinstance(field, Checkbox) and isinstance(value, bool):
        field.value = value
    elif isinstance(field, RadioSet) and isinstance(value, int) and value >= 0:
        buttons = list(field.query(RadioButton))
        if value < len(buttons):
            buttons[value].value = True
    elif isinstance(field, Select) and (value is None or isinstance(value, str)):
        _select_option(field, value)


def restore(fields: list[Widget], states: list[FieldState]) -> int:
    """Fill the fields from a draft, matched by position, type and id; how many were filled."""
    filled = 0
    for field, state in zip(fields, states, strict=False):
        if state.get("type") != type(field).__name__ or state.get("id") != field.id:
            continue  # the form changed since the draft was kept: leave this one alone
        apply_state(field, state)
        filled += 1
    return filled
