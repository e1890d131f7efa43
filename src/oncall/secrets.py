"""Secrets in settings (${VAR} from the environment) and URLs, as they may be shown.

Pure functions with no HTTP: the status screens and `oncall feeds` use them too.

`scrub_secrets` is the one function that takes secrets out of text that is stored or
printed: a server may echo a token back in its reason phrase or an error message (one
put a feed's token into 46 database rows, `oncall feeds` and the worker's output). It
replaces every secret value this process knows (each ${VAR} it expanded, and those of
the settings, `remember_settings_secrets`) and the credentials, query and token-like
path parts of any URL in the text.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from oncall.config import Settings

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()\[\]{}]+")
_TOKEN_LIKE = re.compile(r"^(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}$")
"""A path part that looks like a token (16+ letters and digits mixed): hidden when shown."""
_CREDENTIAL_NAME = re.compile(r"token|key|secret|sig|auth|pass|code|session", re.IGNORECASE)
"""Query parameters whose value is a credential, whatever it looks like."""
MIN_SECRET = 4
"""Shorter values are not scrubbed: replacing every "abc" would garble messages."""
SCRUBBED = "[secret]"
_known: set[str] = set()
_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def remember_secrets(values: Iterable[str]) -> None:
    """Add values that must never be stored or printed (a token, a password, a key)."""
    global _pattern
    fresh = {v for v in values if len(v) >= MIN_SECRET} - _known
    if not fresh:
        return
    with _lock:
        _known.update(fresh)
        longest_first = sorted(_known, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(v) for v in longest_first))


def url_secrets(url: str) -> set[str]:
    """The secret parts of a URL: user and password, query values, token-like path parts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return set()
    found = {p for p in (parts.username, parts.password) if p}
    found.update(
        value
        for name, value in parse_qsl(parts.query)
        if _CREDENTIAL_NAME.search(name) or _TOKEN_LIKE.match(value)
    )
    found.update(p for p in parts.path.split("/") if _TOKEN_LIKE.match(unquote(p)))
    return found


def settings_secrets(settings: Settings, environ: Mapping[str, str] | None = None) -> set[str]:
    """Every secret value the settings hold or name: feed and target credentials."""
    found: set[str] = set()

    def expanded(value: str | None, what: str) -> None:
        if not value:
            return
        try:
            text = expand_secret(value, what, environ)
        except SecretMissing:
            return
        if _VARIABLE.search(value) or what.endswith("auth_header") or what.endswith("key"):
            found.add(text)
            found.update(word for word in text.split() if len(word) >= 8)  # "Bearer <token>"
        found.update(url_secrets(text))

    for feed in settings.feeds:
        expanded(feed.url, f"feed {feed.name}'s url")
        expanded(feed.auth_header, f"feed {feed.name}'s auth_header")
    for target in settings.targets:
        expanded(target.url, f"target {target.name}'s url")
        expanded(target.routing_key, f"target {target.name}'s routing_key")
    for url in (settings.resource_directory_url, settings.audit_anchor_url):
        expanded(url, "a url setting")
    return found


def remember_settings_secrets(settings: Settings) -> None:
    """Know the settings' secrets before anything is printed (stored text from before too)."""
    remember_secrets(settings_secrets(settings))


def scrub_secrets(text: str) -> str:
    """`text` without any known secret value or any URL's credentials, query or token."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(SCRUBBED, text)
    if "://" in text:
        text = _URL.sub(lambda m: _scrub_url(m.group(0)), text)
    return text


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")
_CREDENTIAL_QUERY = re.compile(
    r"([?&][^=&#]*(?:token|key|secret|sig|auth|pass|code|session)[^=&#]*=)[^&#]*", re.IGNORECASE
)


def _scrub_url(url: str) -> str:
    """A URL in some text, kept but for its user and password, credential query values
    and token-like path parts (a website's address stays useful)."""
    url = _USERINFO.sub(r"\1", url)
    url = _CREDENTIAL_QUERY.sub(rf"\1{SCRUBBED}", url)
    head, mark, rest = url.partition("://")
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    path = "/".join("…" if _TOKEN_LIKE.match(unquote(p)) else p for p in rest[:cut].split("/"))
    return head + mark + path + rest[cut:]


class SecretMissing(Exception):
    """A setting names an environment variable that is not set."""


def expand_secret(value: str, what: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace each ${VAR} with the environment's value; the message never shows a value."""
    env = os.environ if environ is None else environ

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise SecretMissing(f"{what} names ${{{name}}}, which is not set in the environment")
        return env[name]

    expanded = _VARIABLE.sub(lookup, value)
    if expanded != value:
        # Whatever a ${VAR} gave is a secret from now on, wherever it comes back.
        remember_secrets({expanded, *(w for w in expanded.split() if len(w) >= 8)})
        remember_secrets(url_secrets(expanded))
    return expanded


def mask_secret(value: str | None) -> str:
    """How a secret setting is shown: the variables it names, never its value."""
    if not value:
        return "none"
    names = _VARIABLE.findall(value)
    return " ".join(f"${{{n}}}" for n in names) if names else "(set, hidden)"


def redact_url(url: str) -> str:
    """A URL fit to show: scheme, host, port and path; no user, password, query or
    token-like path part (a webhook's token in its path, Slack-style).

    The parts it hides are remembered as secrets (`scrub_secrets`)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an invalid URL)"
    # What is hidden here is hidden everywhere from now on: a server may echo it back.
    remember_secrets(url_secrets(url))
    query = "?…" if parts.query else ""
    path = "/".join("…" if _TOKEN_LIKE.match(unquote(p)) else p for p in parts.path.split("/"))
    return f"{parts.scheme}://{parts.hostname or ''}{port}{path}{query}"
