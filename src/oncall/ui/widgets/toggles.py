"""Checkboxes and radio buttons whose state shows in the glyph, not only in its colour.

Textual draws the same "X" (checkbox) or "●" (radio button) whether it is on or off and
tells them apart by colour alone: unreadable for a colour-blind clinician, on a
monochrome terminal, or on a wall screen. These draw the mark only when it is on.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class MarkedCheckbox(Checkbox):
    """A checkbox drawn ▐X▌ when ticked and ▐ ▌ when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        """The mark inside the box: X when ticked, blank when not."""
        return "X" if self.value else " "


class MarkedRadioButton(RadioButton):
    """A radio button drawn ▐●▌ when chosen and ▐ ▌ when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        """The mark inside the button: ● when chosen, blank when not."""
        return "●" if self.value else " "
