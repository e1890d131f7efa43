"""The pack's clients: open episodes first; Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oncall.domain.downtime_pack import PackClient
from oncall.ui.downtime.base import DowntimeScreen


def client_option(packed: PackClient) -> Text:
    """One line: name, reference, latest risk, why they are in the pack."""
    line = Text()
    line.append(f"{packed.client.name:<20.20}", style="bold" if packed.episodes else "")
    line.append(f" {packed.client.external_ref:<8.8}", style="dim")
    risk = packed.risk.level.upper() if packed.risk else "—"
    line.append(f" {risk:<8} ", style="bold red" if risk == "HIGH" else "")
    line.append(", ".join(packed.reasons), style="italic")
    return line


class ClientsScreen(DowntimeScreen):
    """Every client in the pack; Enter shows their safety plan, contacts, risk and episode."""

    DEFAULT_CSS = """
    ClientsScreen #clients-title { padding: 0 1; }
    ClientsScreen OptionList { height: 1fr; }
    """

    def body(self) -> ComposeResult:
        """A title and the list."""
        clients = self.downtime.pack.clients
        yield Static(
            Text(
                f"{len(clients)} clients · Enter opens one · r rota · d crisis resources",
                style="bold",
            ),
            id="clients-title",
        )
        yield OptionList(
            *[Option(client_option(c), id=str(n)) for n, c in enumerate(clients)],
            id="clients",
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen client."""
        from oncall.ui.downtime.client import PackClientScreen

        packed = self.downtime.pack.clients[int(event.option.id or 0)]
        self.app.push_screen(PackClientScreen(packed))
