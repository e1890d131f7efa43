"""Settings: defaults, overridden by the TOML settings file, overridden by ONCALL_* variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oncall import paths
from oncall.domain.escalation import AckDeadlines, EscalationPolicy, HandoffPolicy


class SettingsError(ValueError):
    """The settings file or an ONCALL_* variable holds a value that cannot be used."""


@dataclass(frozen=True)
class FeedSettings:
    """One alert feed to poll."""

    name: str
    """A short name shown in the console and in `oncall feeds`."""
    url: str
    """The feed's URL (JSON array, JSON lines, or a paged response)."""
    interval_s: float = 30.0
    """Seconds between polls."""
    auth_header: str | None = None
    """An Authorization header value; ${VAR} is read from the environment, never printed."""
    source: str | None = None
    """The alert source to assume when a record has none."""


@dataclass(frozen=True)
class TargetSettings:
    """One outbound notification target."""

    name: str
    """A short name used in the outbox."""
    url: str
    """Where to POST."""
    kind: str = "webhook"
    """`webhook` (generic JSON) or `pagerduty` (Events API v2 payload)."""
    routing_key: str | None = None
    """PagerDuty routing key; ${VAR} is read from the environment."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a console or worker."""

    db_path: Path = field(default_factory=paths.default_db_path)
    """The SQLite database file."""
    timezone: str = "America/Los_Angeles"
    """The clinic's time zone: times are stored in UTC and shown in this zone."""
    ack_deadlines: AckDeadlines = field(default_factory=AckDeadlines)
    """How long each severity may wait for an acknowledgement."""
    handoff_confirm_minutes: float = 30.0
    """How long a hotline handoff may await confirmation before reminders start."""
    follow_up_grace_minutes: float = 60.0
    """How long past its due time a pending follow-up may go before it escalates."""
    idle_lock_minutes: float = 5.0
    """Minutes without a key press before the console locks."""
    privacy_mode: bool = False
    """Start with names masked (initials) and phone numbers hidden."""
    refresh_interval_s: float = 0.25
    """How often the console checks the database for changes by other processes."""
    stale_after_s: float = 5.0
    """After this long without a successful refresh the screen says its data is stale."""
    feeds: tuple[FeedSettings, ...] = ()
    """Alert feeds to poll."""
    targets: tuple[TargetSettings, ...] = ()
    """Where outbound notifications go."""
    resource_directory_url: str | None = None
    """Base URL of an HSDS 3.0 API for `oncall resources sync`."""

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone as a ZoneInfo."""
        return ZoneInfo(self.timezone)

    @property
    def escalation_policy(self) -> EscalationPolicy:
        """The escalation policy these settings describe."""
        return EscalationPolicy(deadlines=self.ack_deadlines)

    @property
    def handoff_policy(self) -> HandoffPolicy:
        """The handoff-confirmation policy these settings describe."""
        return HandoffPolicy(confirm_within=timedelta(minutes=self.handoff_confirm_minutes))

    @property
    def follow_up_grace(self) -> timedelta:
        """How long past due a pending follow-up may go before it escalates to the supervisor."""
        return timedelta(minutes=self.follow_up_grace_minutes)


def _minutes(table: dict[str, Any]) -> AckDeadlines:
    values: dict[str, timedelta] = {}
    for name in ("imminent", "high", "moderate", "low"):
        if name in table:
            number = table[name]
            if not isinstance(number, int | float) or number <= 0:
                raise SettingsError(f"ack_deadline_minutes.{name} must be a positive number")
            values[name] = timedelta(minutes=float(number))
    return replace(AckDeadlines(), **values)


def _from_mapping(base: Settings, data: dict[str, Any], origin: str) -> Settings:
    simple = {f.name for f in fields(Settings)} - {"ack_deadlines", "feeds", "targets", "db_path"}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "db_path":
            changes["db_path"] = Path(str(value)).expanduser()
        elif key == "ack_deadline_minutes":
            if not isinstance(value, dict):
                raise SettingsError(f"{origin}: ack_deadline_minutes must be a table")
            changes["ack_deadlines"] = _minutes(value)
        elif key == "feeds":
            changes["feeds"] = tuple(FeedSettings(**item) for item in value)
        elif key == "targets":
            changes["targets"] = tuple(TargetSettings(**item) for item in value)
        elif key in simple:
            changes[key] = value
        else:
            raise SettingsError(f"{origin}: unknown setting {key!r}")
    try:
        settings = replace(base, **changes)
    except TypeError as error:
        raise SettingsError(f"{origin}: {error}") from None
    try:
        settings.zone  # noqa: B018 - validates the zone name
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{origin}: unknown time zone {settings.timezone!r}") from None
    return settings


_ENV_NUMBERS = {
    "ONCALL_IDLE_LOCK_MINUTES": "idle_lock_minutes",
    "ONCALL_HANDOFF_CONFIRM_MINUTES": "handoff_confirm_minutes",
    "ONCALL_REFRESH_INTERVAL_S": "refresh_interval_s",
    "ONCALL_STALE_AFTER_S": "stale_after_s",
}


def load_settings(
    config_path: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read the settings file (if any) and then the ONCALL_* environment."""
    env = dict(os.environ if environ is None else environ)
    path = config_path or paths.config_file()
    settings = Settings()
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise SettingsError(f"The settings file {path} is not valid TOML: {error}") from None
        settings = _from_mapping(settings, data, str(path))
    overrides: dict[str, Any] = {}
    if env.get("ONCALL_DB"):
        overrides["db_path"] = env["ONCALL_DB"]
    if env.get("ONCALL_TIMEZONE"):
        overrides["timezone"] = env["ONCALL_TIMEZONE"]
    if env.get("ONCALL_PRIVACY_MODE"):
        overrides["privacy_mode"] = env["ONCALL_PRIVACY_MODE"].lower() in {"1", "true", "yes"}
    if env.get("ONCALL_RESOURCE_DIRECTORY_URL"):
        overrides["resource_directory_url"] = env["ONCALL_RESOURCE_DIRECTORY_URL"]
    for variable, name in _ENV_NUMBERS.items():
        if env.get(variable):
            try:
                overrides[name] = float(env[variable])
            except ValueError:
                raise SettingsError(f"{variable} must be a number, not {env[variable]!r}") from None
    return _from_mapping(settings, overrides, "environment") if overrides else settings
