"""What every downtime screen shares: the banner on top, the keys to the other screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from oncall.ui.downtime.banner import DowntimeBanner

if TYPE_CHECKING:
    from oncall.ui.downtime.app import DowntimeApp


class DowntimeScreen(Screen[None]):
    """A read-only screen of the pack, under the downtime banner."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.show_rota", "Rota"),
        Binding("d", "app.show_resources", "Resources"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def downtime(self) -> DowntimeApp:
        """The app, typed."""
        return cast("DowntimeApp", self.app)

    def compose(self) -> ComposeResult:
        """The banner, the screen's own body, the keys."""
        app = self.downtime
        yield DowntimeBanner(app.pack, app.clock.now, app.stale_after)
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        """The screen's content (below the banner)."""
        yield from ()
