"""Exporting episodes: identifiable, or de-identified under HIPAA Safe Harbor."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from oncall.domain.timefmt import from_iso, to_iso
from oncall.domain.types import RiskLevel, Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.errors import ValidationFailed
from oncall.services.risk import current_levels
from oncall.store import metrics as metric_rows
from oncall.store.audit import append_audit_series

SEVERITIES = ("imminent", "high", "moderate", "low")
DEIDENTIFIED_FIELDS = (
    "client",
    "episode",
    "opened_year",
    "closed_year",
    "hours_open",
    "status",
    "risk_level",
    "disposition",
    "hotline_handoff",
    "handoff_confirmed_after_hours",
    "alerts",
    "alert_kinds",
    "highest_severity",
    "follow_ups",
)
"""A de-identified record's fields, in order (`county` follows when configured)."""
EXPORTERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
GEOGRAPHIES = ("none", "county")
SAFE_HARBOR = (
    "De-identified under HIPAA Safe Harbor (45 CFR 164.514(b)(2)): no names, contacts, dates"
    " of birth, free text, program or staff; every date reduced to its year, intervals in"
    " whole hours; no geography{geography}; clients and episodes under pseudonyms made for"
    " this export only."
)


def safe_harbor_statement(geography: str) -> str:
    """The method a de-identified export follows, to print with it."""
    extra = "" if geography == "none" else " but the county (configured)"
    return SAFE_HARBOR.format(geography=extra)


def _identifiable(row: sqlite3.Row, risks: Mapping[int, RiskLevel | None]) -> dict[str, Any]:
    return {
        "episode_id": row["id"],
        "client_ref": row["external_ref"],
        "name": row["name"],
        "date_of_birth": row["date_of_birth"],
        "phone": row["phone"],
        "address": row["address"],
        "county": row["county"],
        "program": row["program"],
        "opened_at": row["opened_at"],
        "closed_at": row["closed_at"],
        "status": row["status"],
        "risk_level": _risk(row, risks),
        "disposition": row["disposition"],
        "summary": row["summary"],
        "no_follow_up_reason": row["no_follow_up_reason"],
        "hotline_handoff": bool(row["had_handoff"]),
        "handoff_confirmed_at": row["handoff_confirmed_at"],
        "alerts": row["alerts"],
        "alert_kinds": row["alert_kinds"] or "",
        "highest_severity": _severity(row),
        "follow_ups": row["follow_ups"],
        "opened_by": row["opened_by_login"],
        "closed_by": row["closed_by_login"],
    }


def _risk(row: sqlite3.Row, risks: Mapping[int, RiskLevel | None]) -> str | None:
    """The episode's risk as its timeline says now (the stored copy may predate the rule)."""
    level = risks[int(row["id"])]
    return level.value if level else None


def _severity(row: sqlite3.Row) -> str | None:
    return SEVERITIES[row["top_rank"]] if row["top_rank"] is not None else None


def _hours(later: str | None, earlier: str) -> int | None:
    """Whole hours between two stored times: an interval, not a date."""
    if later is None:
        return None
    return int((from_iso(later) - from_iso(earlier)).total_seconds() // 3600)


class _Pseudonyms:
    """Random labels, one per distinct value, unique within one export."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._given: dict[object, str] = {}

    def of(self, value: object) -> str:
        if value not in self._given:
            taken = set(self._given.values())
            label = f"{self._prefix}-{secrets.token_hex(4)}"
            while label in taken:
                label = f"{self._prefix}-{secrets.token_hex(4)}"
            self._given[value] = label
        return self._given[value]


def _deidentified(
    rows: list[sqlite3.Row], risks: Mapping[int, RiskLevel | None], geography: str
) -> list[dict[str, Any]]:
    """Safe Harbor records: only the year of any date, pseudonyms for every internal id.

    The year-only choice (rather than shifting dates by a secret offset per client) keeps
    the export inside Safe Harbor's own words; what analysis needs of time is kept as
    intervals in whole hours from the episode's opening, which are not dates.
    """
    clients, episodes = _Pseudonyms("P"), _Pseudonyms("E")
    records = []
    for row in rows:
        record: dict[str, Any] = {
            "client": clients.of(row["client_id"]),
            "episode": episodes.of(row["id"]),
            "opened_year": from_iso(row["opened_at"]).year,
            "closed_year": from_iso(row["closed_at"]).year if row["closed_at"] else None,
            "hours_open": _hours(row["closed_at"], row["opened_at"]),
            "status": row["status"],
            "risk_level": _risk(row, risks),
            "disposition": row["disposition"],
            "hotline_handoff": bool(row["had_handoff"]),
            "handoff_confirmed_after_hours": _hours(row["handoff_confirmed_at"], row["opened_at"]),
            "alerts": row["alerts"],
            "alert_kinds": row["alert_kinds"] or "",
            "highest_severity": _severity(row),
            "follow_ups": row["follow_ups"],
        }
        if geography == "county":
            record["county"] = row["county"]
        records.append(record)
    # The order of the rows would give away the order of the episodes: sort on the
    # year and the random pseudonyms instead.
    records.sort(key=lambda r: (r["opened_year"], r["client"], r["episode"]))
    return records


def export_episodes(
    ctx: ServiceContext, start: datetime, end: datetime, *, deidentify: bool
) -> list[dict[str, Any]]:
    """Episodes opened in [start, end) as flat records; supervisors and admins only; audited.

    An identifiable export is recorded once for the export and once for every client in
    it, so `oncall audit --client REF` shows it. A de-identified one follows HIPAA Safe
    Harbor (see `_deidentified` and `SAFE_HARBOR`); it spans every client too, so it is
    for the same roles (minimum necessary).
    """
    what = "export de-identified episodes" if deidentify else "export identifiable episodes"
    require_role(ctx, EXPORTERS, what)
    geography = ctx.settings.deidentified_geography
    if deidentify and geography not in GEOGRAPHIES:
        raise ValidationFailed(
            f"The setting deidentified_geography is {geography!r}; it must be one of"
            f" {', '.join(GEOGRAPHIES)}."
        )
    with ctx.store.write() as conn:
        rows = metric_rows.episodes_export(conn, to_iso(start), to_iso(end))
        per_client = Counter(int(r["client_id"]) for r in rows)
        risks = current_levels(conn, (int(r["id"]) for r in rows))
        ctx.audit(
            conn,
            "export.episodes",
            "report",
            None,
            detail={
                "start": to_iso(start),
                "end": to_iso(end),
                "deidentify": deidentify,
                "episodes": len(rows),
                "clients": len(per_client),
            },
        )
        if not deidentify:
            append_audit_series(
                conn,
                at=ctx.now_iso(),
                actor=ctx.actor.login,
                action="export.client_included",
                object_type="client",
                items=[
                    (str(client_id), client_id, json.dumps({"episodes": count}))
                    for client_id, count in sorted(per_client.items())
                ],
            )
    if deidentify:
        return _deidentified(rows, risks, geography)
    return [_identifiable(row, risks) for row in rows]
