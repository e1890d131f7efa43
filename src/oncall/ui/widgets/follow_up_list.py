"""The user's follow-ups, due first then coming up; Enter on one opens its workspace."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from oncall.services.reminders import DueNow
from oncall.ui.widgets.due_now import follow_up_line

PREFIX = "fu-"
"""Option ids are the follow-up's id after this prefix; headings have none."""


class FollowUpList(OptionList):
    """A selectable list of the user's pending follow-ups; keeps the cursor on a redraw."""

    DEFAULT_CSS = """
    FollowUpList { height: auto; max-height: 1fr; border: none; padding: 0 1; }
    """

    def show(self, due: DueNow, zone: ZoneInfo, *, privacy: bool) -> None:
        """Redraw from a fresh read, keeping the same follow-up highlighted."""
        keep = self.selected_follow_up
        options: list[Option] = [
            Option(
                Text(f"Follow-ups due ({len(due.follow_ups)})", style="bold underline"),
                disabled=True,
            )
        ]
        if not due.follow_ups:
            options.append(Option(Text("Nothing due right now.", style="dim"), disabled=True))
        for card in due.follow_ups:
            options.append(
                Option(
                    follow_up_line(card, due.as_of, zone, privacy), f"{PREFIX}{card.follow_up_id}"
                )
            )
        options.append(
            Option(Text(f"Coming up ({len(due.upcoming)})", style="bold underline"), disabled=True)
        )
        for card in due.upcoming:
            options.append(
                Option(
                    follow_up_line(card, due.as_of, zone, privacy), f"{PREFIX}{card.follow_up_id}"
                )
            )
        self.set_options(options)
        self.select_follow_up(keep)

    def show_failure(self, message: str) -> None:
        """Say the list could not be read (instead of showing old data as current)."""
        self.set_options(
            [
                Option(
                    Text(f"Could not read your follow-ups: {message}", style="bold red"),
                    disabled=True,
                )
            ]
        )

    def select_follow_up(self, follow_up_id: int | None) -> None:
        """Put the cursor on this follow-up if listed, else on the first one."""
        ids = [self.get_option_at_index(i).id for i in range(self.option_count)]
        wanted = f"{PREFIX}{follow_up_id}" if follow_up_id is not None else None
        for index, option_id in enumerate(ids):
            if option_id is not None and (wanted is None or option_id == wanted):
                self.highlighted = index
                return
        if wanted is not None:
            self.select_follow_up(None)

    @property
    def selected_follow_up(self) -> int | None:
        """The highlighted follow-up's id, if the cursor is on one."""
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return follow_up_id_of(self.get_option_at_index(self.highlighted).id)

    def text(self) -> str:
        """Every line as plain text (what a reader sees)."""
        return "\n".join(str(self.get_option_at_index(i).prompt) for i in range(self.option_count))


def follow_up_id_of(option_id: str | None) -> int | None:
    """The follow-up behind an option id (None for a heading)."""
    if option_id is None or not option_id.startswith(PREFIX):
        return None
    return int(option_id.removeprefix(PREFIX))
