"""Opening the other screens; one missing from this build is reported, never fatal."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from textual.app import App
from textual.screen import Screen

_SCREENS = {
    "episode": ("oncall.ui.screens.episode", "EpisodeScreen", "episode workspace"),
    "client": ("oncall.ui.screens.client", "ClientScreen", "client record"),
    "resources": ("oncall.ui.screens.resources", "ResourceDirectoryScreen", "resource directory"),
    "rota": ("oncall.ui.screens.rota", "RotaScreen", "rota"),
}


def _screen_class(kind: str) -> type[Screen[Any]] | None:
    module_name, class_name, _ = _SCREENS[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # the screen exists but something it imports is missing: a real fault
        return None
    found = getattr(module, class_name, None)
    return found if isinstance(found, type) and issubclass(found, Screen) else None


def _push(app: App[Any], kind: str, *args: Any, **kwargs: Any) -> bool:
    screen_class = _screen_class(kind)
    if screen_class is None:
        label = _SCREENS[kind][2]
        app.notify(f"The {label} is not part of this build yet.", severity="warning")
        return False
    app.push_screen(screen_class(*args, **kwargs))
    return True


def open_rota(app: App[Any]) -> bool:
    """Show the rota (a supervisor covers or swaps shifts there)."""
    return _push(app, "rota")


def open_episode(app: App[Any], episode_id: int) -> bool:
    """Show an episode's workspace."""
    return _push(app, "episode", episode_id)


def open_client(app: App[Any], client_id: int) -> bool:
    """Show a client's record and safety plan."""
    return _push(app, "client", client_id)


def find_alert_client(app_or_screen: Any, alert: Any) -> bool:
    """For an alert with an unknown client reference: find or add its client, if allowed."""
    from oncall.services.alert_matching import may_link
    from oncall.ui.screens.alert_match import AlertMatchScreen

    services = app_or_screen.services
    if not may_link(services, alert):
        app_or_screen.notify(
            f"Alert {alert.id} names an unknown client reference ({alert.client_ref}). "
            "Acknowledge it (a), then c finds or adds its client.",
            severity="warning",
            markup=False,
        )
        return False
    app_or_screen.app.push_screen(AlertMatchScreen(alert))
    return True


def open_resources(
    app: App[Any], episode_id: int | None = None, *, query: str | None = None
) -> bool:
    """Show the resource directory (near the episode's client), searching `query` if given.

    The search text is passed only to a directory screen that takes a `query` argument.
    """
    screen_class = _screen_class("resources")
    takes_query = screen_class is not None and "query" in inspect.signature(screen_class).parameters
    if query and takes_query:
        return _push(app, "resources", episode_id, query=query)
    return _push(app, "resources", episode_id)
