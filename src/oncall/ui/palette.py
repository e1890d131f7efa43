"""The command palette's record search: jump to any client, episode or resource by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from oncall.domain.timefmt import from_iso
from oncall.services.console_reads import find_records
from oncall.services.errors import StoreError
from oncall.ui.format import clinic_datetime, initials, words
from oncall.ui.navigation import open_client, open_episode, open_resources, open_rota

if TYPE_CHECKING:
    from oncall.ui.app import OnCallApp

LIMIT = 8
ROTA = "Rota: cover or swap a shift"
ROTA_HELP = "The next two weeks of shifts (F8); supervisors cover or swap them"
MIN_QUERY = 2


class RecordsProvider(Provider):
    """Clients, episodes and resources whose name matches what was typed (LIMIT-ed queries)."""

    @property
    def _console(self) -> OnCallApp:
        return cast("OnCallApp", self.app)

    def _name(self, name: str) -> str:
        return initials(name) if self._console.services.settings.privacy_mode else name

    async def discover(self) -> Hits:
        """Before anything is typed: the places one goes most."""
        yield DiscoveryHit(
            "Resource directory", partial(open_resources, self.app), help="Local help and 988"
        )
        yield DiscoveryHit(ROTA, partial(open_rota, self.app), help=ROTA_HELP)

    async def search(self, query: str) -> Hits:
        """Look the words up in clients, episodes and the directory."""
        text = query.strip()
        if len(text) < MIN_QUERY:
            return
        try:
            hits = self._lookup(text)
        except StoreError:
            return  # the palette stays open; the status line already reports the database
        matcher = self.matcher(text)
        if matcher.match(ROTA) > 0:
            yield Hit(
                matcher.match(ROTA),
                matcher.highlight(ROTA),
                partial(open_rota, self.app),
                help=ROTA_HELP,
            )
        for label, action, help_text in hits:
            score = matcher.match(label)
            yield Hit(max(score, 0.1), matcher.highlight(label), action, help=help_text)

    def _lookup(self, text: str) -> list[tuple[str, Callable[[], object], str]]:
        zone = self._console.services.settings.zone
        lookup = find_records(self._console.services, text, limit=LIMIT)
        found: list[tuple[str, Callable[[], object], str]] = []
        for row in lookup.clients:
            name = self._name(str(row["preferred_name"] or row["name"]))
            found.append(
                (
                    f"Client {name} ({row['external_ref']})",
                    partial(open_client, self.app, int(row["id"])),
                    "Open the client's record and safety plan",
                )
            )
        for row in lookup.episodes:
            name = self._name(str(row["name"]))
            found.append(
                (
                    f"Episode #{row['id']} {name} ({words(str(row['status']))})",
                    partial(open_episode, self.app, int(row["id"])),
                    f"Opened {clinic_datetime(from_iso(str(row['opened_at'])), zone)}",
                )
            )
        for resource in lookup.resources:
            phone = resource.phones[0][0] if resource.phones else "no phone listed"
            found.append(
                (
                    f"Resource {resource.name}",
                    partial(open_resources, self.app, query=resource.name),
                    f"{phone} · opens the directory",
                )
            )
        return found
