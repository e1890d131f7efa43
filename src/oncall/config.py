"""Settings: defaults, overridden by the TOML settings file, overridden by ONCALL_* variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
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
    staff: str | None = None
    """The login of the staff member whose pages come here (their own pager or phone)."""
    default: bool = False
    """Pages for anyone without a target of their own come here (at most one target)."""


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
    client_mrn_system: str | None = None
    """The identifier system of the program's MRN in FHIR imports (else the first identifier)."""
    deidentified_geography: str = "none"
    """What place a de-identified export keeps: `none` (HIPAA Safe Harbor allows nothing
    smaller than a state) or `county` (only under an expert determination that allows it)."""
    max_record_bytes: int = 262_144
    """Longest alert record (its JSON text, or one JSON line) from a file or feed; a longer
    one is refused with its size and the rest are kept (a 9.3 MB alert was stored whole)."""
    max_input_bytes: int = 268_435_456
    """Most `oncall ingest` reads from a file or standard input (256 MiB, about 900,000
    alerts); more is refused before anything is stored (`ingest /dev/zero` grew to 7.8 GB)."""
    max_feed_response_bytes: int = 16_777_216
    """Most read of one feed answer (16 MiB); a longer one is cut off unread, the poll fails
    with that reason, and the worker's memory stays bounded whatever a feed sends."""
    audit_anchor_minutes: float = 5.0
    """How often the worker anchors the audit log's head (`oncall audit anchor`)."""
    audit_anchor_syslog: str | None = None
    """Also send each anchor to a system log, beyond this account's reach (authpriv.notice):
    `/dev/log` for this host's, or HOST:PORT for a log host over UDP."""
    audit_anchor_url: str | None = None
    """Also POST each anchor (JSON) here; ${VAR} is read from the environment."""
    downtime_stale_minutes: float = 60.0
    """`oncall downtime open` turns its banner red when the pack is older than this."""
    ack_access_hours_after_close: float = 72.0
    """Hours after an episode closes that the person who opened it, or acknowledged one of
    its alerts, may still open the client's record; later it takes breaking the glass, as
    for anyone outside the client's care (caseload and care team are not affected). At most
    720 (30 days): a setting must not bring back access for good."""

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
            changes["feeds"] = _endpoints(FeedSettings, value, origin, key)
        elif key == "targets":
            changes["targets"] = _endpoints(TargetSettings, value, origin, key)
        elif key in simple:
            changes[key] = value
        else:
            raise SettingsError(f"{origin}: unknown setting {key!r}")
    try:
        settings = replace(base, **changes)
    except TypeError as error:
        raise SettingsError(f"{origin}: {error}") from None
    hours = settings.ack_access_hours_after_close
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours <= 720:
        raise SettingsError(
            f"{origin}: ack_access_hours_after_close must be a number of hours from 0 to 720"
        )
    try:
        settings.zone  # noqa: B018 - validates the zone name
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{origin}: unknown time zone {settings.timezone!r}") from None
    return settings


_Endpoint = TypeVar("_Endpoint", FeedSettings, TargetSettings)


def _endpoints(cls: type[_Endpoint], value: Any, origin: str, key: str) -> tuple[_Endpoint, ...]:
    """[[feeds]] or [[targets]] tables, each checked: known keys, unique name, http(s) URL."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SettingsError(f"{origin}: {key} must be a list of tables ([[{key}]])")
    known = {f.name for f in fields(cls)}
    items: list[_Endpoint] = []
    for number, item in enumerate(value, start=1):
        name = item.get("name")
        where = (
            f"{origin}: {key} {name!r}" if isinstance(name, str) else f"{origin}: {key} #{number}"
        )
        if unknown := ", ".join(sorted(set(item) - known)):
            raise SettingsError(f"{where}: unknown setting(s) {unknown}")
        if not isinstance(name, str) or not name.strip() or name in {i.name for i in items}:
            raise SettingsError(f"{where}: each needs a name of its own")
        url = item.get("url")
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            raise SettingsError(f"{where}: url must be an http or https URL")
        interval = item.get("interval_s", 30.0)
        if cls is FeedSettings and (not isinstance(interval, int | float) or interval <= 0):
            raise SettingsError(f"{where}: interval_s must be a positive number of seconds")
        kind = item.get("kind", "webhook")
        if cls is TargetSettings and kind not in ("webhook", "pagerduty"):
            raise SettingsError(f"{where}: kind must be webhook or pagerduty")
        if cls is TargetSettings and kind == "pagerduty" and not item.get("routing_key"):
            raise SettingsError(f"{where}: a pagerduty target needs a routing_key")
        if cls is TargetSettings:
            _check_routing(item, items, where)
        items.append(cls(**item))
    return tuple(items)


def _check_routing(item: dict[str, Any], earlier: list[Any], where: str) -> None:
    """A target's `staff` is one login no other target claims; one `default` at most."""
    staff = item.get("staff")
    if staff is not None:
        if not isinstance(staff, str) or not staff.strip():
            raise SettingsError(f'{where}: staff must be a staff login, like staff = "dkim"')
        if any(t.staff == staff for t in earlier):
            raise SettingsError(f"{where}: another target already has staff = {staff!r}")
    default = item.get("default", False)
    if not isinstance(default, bool):
        raise SettingsError(f"{where}: default must be true or false")
    if default and any(t.default for t in earlier):
        raise SettingsError(f"{where}: only one target can be the default (default = true)")


def _env_endpoints(settings: Settings, env: dict[str, str]) -> Settings:
    """ONCALL_FEED_<NAME>_URL / _AUTH_HEADER / _INTERVAL_S, ONCALL_TARGET_<NAME>_URL /
    _ROUTING_KEY override a configured feed's or target's setting (secrets stay out of files)."""

    def overrides(kind: str, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
        stem = f"ONCALL_{kind}_{re.sub(r'[^A-Z0-9]+', '_', name.upper()).strip('_')}_"
        found: dict[str, Any] = {
            k: env[stem + k.upper()] for k in keys if env.get(stem + k.upper())
        }
        if "interval_s" in found:
            try:
                found["interval_s"] = float(found["interval_s"])
            except ValueError:
                raise SettingsError(f"{stem}INTERVAL_S must be a number") from None
        return found

    feeds = tuple(
        replace(f, **overrides("FEED", f.name, ("url", "auth_header", "interval_s")))
        for f in settings.feeds
    )
    targets = tuple(
        replace(t, **overrides("TARGET", t.name, ("url", "routing_key"))) for t in settings.targets
    )
    return replace(settings, feeds=feeds, targets=targets)


_ENV_NUMBERS = {
    "ONCALL_IDLE_LOCK_MINUTES": "idle_lock_minutes",
    "ONCALL_HANDOFF_CONFIRM_MINUTES": "handoff_confirm_minutes",
    "ONCALL_REFRESH_INTERVAL_S": "refresh_interval_s",
    "ONCALL_STALE_AFTER_S": "stale_after_s",
    "ONCALL_DOWNTIME_STALE_MINUTES": "downtime_stale_minutes",
}


def load_settings(
    config_path: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read the settings file (if any) and then the ONCALL_* environment."""
    env = dict(os.environ if environ is None else environ)
    named = env.get("ONCALL_CONFIG")
    path = config_path or (Path(named) if named else paths.config_file())
    settings = Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        # A file someone named and mistyped must not quietly mean "no feeds, no targets".
        if config_path is not None:
            raise SettingsError(f"The settings file {path} does not exist.") from None
        if named:
            raise SettingsError(
                f"The settings file {path} named by ONCALL_CONFIG does not exist: "
                "correct the path, or unset ONCALL_CONFIG to use the defaults."
            ) from None
        text = None  # no settings file in the usual place: the defaults and the environment
    except OSError as error:  # unreadable, a folder, a folder on the way not enterable
        why = error.strerror or type(error).__name__
        raise SettingsError(f"Cannot read the settings file {path}: {why}.") from None
    except UnicodeDecodeError as error:
        raise SettingsError(f"The settings file {path} is not valid TOML: {error}") from None
    if text is not None:
        import tomllib  # only when there is a settings file: every command starts faster

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"The settings file {path} is not valid TOML: {error}") from None
        settings = _from_mapping(settings, data, str(path))
    overrides: dict[str, Any] = {}
    if env.get("ONCALL_DB"):
        overrides["db_path"] = env["ONCALL_DB"]
    if env.get("ONCALL_TIMEZONE"):
        overrides["timezone"] = env["ONCALL_TIMEZONE"]
    if env.get("ONCALL_PRIVACY_MODE"):
        overrides["privacy_mode"] = env["ONCALL_PRIVACY_MODE"].lower() in {"1", "true", "yes"}
    if env.get("ONCALL_CLIENT_MRN_SYSTEM"):
        overrides["client_mrn_system"] = env["ONCALL_CLIENT_MRN_SYSTEM"]
    if env.get("ONCALL_RESOURCE_DIRECTORY_URL"):
        overrides["resource_directory_url"] = env["ONCALL_RESOURCE_DIRECTORY_URL"]
    for variable, name in _ENV_NUMBERS.items():
        if env.get(variable):
            try:
                overrides[name] = float(env[variable])
            except ValueError:
                raise SettingsError(f"{variable} must be a number, not {env[variable]!r}") from None
    settings = _env_endpoints(settings, env)
    return _from_mapping(settings, overrides, "environment") if overrides else settings
