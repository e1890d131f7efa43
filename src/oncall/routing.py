"""Where a page goes: a message keeps its logical recipient, resolved to a target at send time.

A page is addressed to a person ("staff:<login>") or, with nobody to page, to a
chain role ("role:<role>"). At send time it goes to the target configured with
`staff = "<login>"` (or, as older settings named it, a target named
"staff:<login>"), else to the program's default target (`default = true`, or a
target named "escalations"). A message with neither waits, marked undeliverable,
and goes out as soon as the settings gain a target for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oncall.config import TargetSettings
from oncall.secrets import redact_url

LEGACY_DEFAULT = "escalations"
"""A target of this name is the default when none says `default = true` (older settings)."""
STAFF_PREFIX = "staff:"
ROLE_PREFIX = "role:"


class TargetUnknown(Exception):
    """The message's target is neither configured nor a URL; the message says which."""


class NoRoute(TargetUnknown):
    """A page for a person or role that no target takes yet: it waits for one."""


@dataclass(frozen=True)
class Route:
    """The target a message goes to now, and why that one."""

    target: TargetSettings
    how: str
    """"their own target", "the program default", or "configured by name"."""


def default_target(targets: Sequence[TargetSettings]) -> TargetSettings | None:
    """The program-wide default: `default = true`, else a target named "escalations"."""
    for target in targets:
        if target.default:
            return target
    for target in targets:
        if target.name == LEGACY_DEFAULT:
            return target
    return None


def own_target(login: str, targets: Sequence[TargetSettings]) -> TargetSettings | None:
    """The target configured for one staff member, if any."""
    for target in targets:
        if target.staff == login:
            return target
    for target in targets:
        if target.name == STAFF_PREFIX + login:
            return target
    return None


def is_person_address(address: str) -> bool:
    """True for "staff:<login>" and "role:<role>": addresses a target is chosen for."""
    return address.startswith((STAFF_PREFIX, ROLE_PREFIX))


def route(address: str, targets: Sequence[TargetSettings]) -> Route:
    """Resolve a message's address to a configured target (raises NoRoute, TargetUnknown)."""
    if address.startswith(STAFF_PREFIX):
        login = address.removeprefix(STAFF_PREFIX)
        own = own_target(login, targets)
        if own is not None:
            return Route(own, "their own target")
        fallback = default_target(targets)
        if fallback is not None:
            return Route(fallback, "the program default")
        raise NoRoute(
            f"no target for {address}: no [[targets]] entry has staff = {login!r}"
            " and none is the default (default = true)"
        )
    if address.startswith(ROLE_PREFIX):
        fallback = default_target(targets)
        if fallback is not None:
            return Route(fallback, "the program default")
        raise NoRoute(
            f"no target for {address} (nobody to page by name): no [[targets]] entry is"
            " the default (default = true)"
        )
    by_name = {t.name: t for t in targets}
    if address in by_name:
        return Route(by_name[address], "configured by name")
    if address.startswith("hotline:"):
        org = address.removeprefix("hotline:")
        if org in by_name:
            return Route(by_name[org], "the hotline's target")
        raise TargetUnknown(
            f"no target named {org!r} is configured for the hotline's outcome reports"
        )
    if address.lower().startswith(("http://", "https://")):
        return Route(TargetSettings(name=redact_url(address), url=address), "a URL")
    raise NoRoute(f"no target named {address!r} is configured")


def undeliverable_reason(address: str, targets: Sequence[TargetSettings]) -> str | None:
    """Why a message to `address` cannot be sent with these targets (None when it can)."""
    try:
        route(address, targets)
    except TargetUnknown as error:
        return str(error)
    return None
