"""Secrets in settings (${VAR} from the environment) and URLs, as they may be shown.

Pure functions with no HTTP: the status screens and `oncall feeds` use them too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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

    return _VARIABLE.sub(lookup, value)


def mask_secret(value: str | None) -> str:
    """How a secret setting is shown: the variables it names, never its value."""
    if not value:
        return "none"
    names = _VARIABLE.findall(value)
    return " ".join(f"${{{n}}}" for n in names) if names else "(set, hidden)"


def redact_url(url: str) -> str:
    """A URL fit to show: scheme, host, port and path; no user, password or query."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an invalid URL)"
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}{query}"
