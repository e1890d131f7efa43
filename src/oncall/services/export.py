"""Exporting episodes, optionally de-identified."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.store import metrics as metric_rows

IDENTIFYING = ("client_ref", "name", "date_of_birth", "phone", "address")
FREE_TEXT = ("summary", "no_follow_up_reason")
SEVERITIES = ("imminent", "high", "moderate", "low")


def export_episodes(
    ctx: ServiceContext, start: datetime, end: datetime, *, deidentify: bool
) -> list[dict[str, Any]]:
    """Episodes opened in [start, end) as flat records; audited.

    De-identified exports drop names, contacts, dates of birth and free text, and
    replace the client reference with a pseudonym that is random per export, so
    two exports cannot be joined on it. Identifiable exports span every client, so
    only supervisors and admins may make them (minimum necessary).
    """
    if not deidentify:
        require_role(ctx, frozenset({Role.SUPERVISOR, Role.ADMIN}), "export identifiable episodes")
    with ctx.store.write() as conn:
        rows = metric_rows.episodes_export(conn, to_iso(start), to_iso(end))
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
            },
        )
    pseudonyms: dict[str, str] = {}
    records = []
    for row in rows:
        record: dict[str, Any] = {
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
            "risk_level": row["risk_level"],
            "disposition": row["disposition"],
            "summary": row["summary"],
            "no_follow_up_reason": row["no_follow_up_reason"],
            "hotline_handoff": bool(row["had_handoff"]),
            "handoff_confirmed_at": row["handoff_confirmed_at"],
            "alerts": row["alerts"],
            "alert_kinds": row["alert_kinds"] or "",
            "highest_severity": SEVERITIES[row["top_rank"]]
            if row["top_rank"] is not None
            else None,
            "follow_ups": row["follow_ups"],
            "opened_by": row["opened_by_login"],
            "closed_by": row["closed_by_login"],
        }
        if deidentify:
            ref = record["client_ref"]
            pseudonyms.setdefault(ref, f"P-{secrets.token_hex(4)}")
            for key in IDENTIFYING + FREE_TEXT:
                record.pop(key)
            record = {"client": pseudonyms[ref], **record}
        records.append(record)
    return records
