"""The pack's crisis resources: the national lines, then each county's crisis entries."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.domain.downtime_pack import DowntimePack, PackResource
from oncall.ui.downtime.base import DowntimeScreen
from oncall.ui.widgets.directory_rows import category_label


def resource_text(resource: PackResource) -> Text:
    """Name, phones, hours, categories and address of one entry."""
    text = Text()
    text.append(f"  {resource.name}", style="bold")
    if resource.organization and resource.organization != resource.name:
        text.append(f" ({resource.organization})", style="dim")
    phones = "  ".join(
        f"{number}" + (f" ({kind})" if kind and kind != "voice" else "")
        for number, kind in resource.phones
    )
    text.append(f"\n    {phones or 'no phone listed'}")
    hours = "24/7" if resource.always_open else "; ".join(resource.schedule) or "hours not listed"
    text.append(f"  · {hours}", style="green" if resource.always_open else "")
    if resource.categories:
        text.append(f"\n    {', '.join(category_label(c) for c in resource.categories)}")
    if resource.address:
        text.append(f" · {resource.address}", style="dim")
    if resource.languages:
        text.append(f" · {', '.join(resource.languages)}", style="dim")
    return text


def resources_text(pack: DowntimePack) -> Text:
    """National lines first, then the crisis entries of each county in the pack."""
    text = Text()
    text.append("National lines\n", style="bold underline")
    for line in pack.national_lines:
        text.append_text(resource_text(line))
        text.append("\n")
    for county in pack.counties:
        entries = [r for r in pack.resources if r.county == county]
        text.append(f"\n{county} County\n", style="bold underline")
        if not entries:
            text.append("  No crisis entries in the directory for this county.\n", style="dim")
        for entry in entries:
            text.append_text(resource_text(entry))
            text.append("\n")
    others = [r for r in pack.resources if r.county not in pack.counties]
    if others:
        text.append("\nServing these counties from elsewhere\n", style="bold underline")
        for entry in others:
            text.append_text(resource_text(entry))
            text.append("\n")
    return text


class PackResourcesScreen(DowntimeScreen):
    """What to call: the national lines and local crisis services, as packed."""

    DEFAULT_CSS = "PackResourcesScreen VerticalScroll { height: 1fr; padding: 0 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def body(self) -> ComposeResult:
        """The resources."""
        with VerticalScroll():
            yield Static(resources_text(self.downtime.pack), id="resources")
