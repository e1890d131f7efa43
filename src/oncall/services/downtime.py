"""The downtime pack (issue 20): what one staff member needs if the host or the link fails.

Which clients: the person's caseload (primary clinician or care team) and, program-wide,
every client with an open episode, a follow-up due within 72 hours (overdue ones too) or
an alert received in the last 24 hours. Program-wide, because the on-call clinician is
the one the phone rings for whoever calls; a clinician, peer or case manager who is not
on the rota in the pack's seven days gets only those of them whose record opens to them
(services/access.py), as in the console.

The pack is a disclosure of every record in it: one audit row for the pack naming every
client in it ("downtime.packed"), and a row per client ("downtime.client_packed", so
`oncall audit --client REF` shows it) the first time in 24 hours a pack of that person's
holds the client.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oncall.domain.downtime_codec import decode, encode
from oncall.domain.downtime_pack import (
    ALERT_LOOKBACK,
    CASELOAD,
    FOLLOW_UP_HORIZON,
    PACK_VERSION,
    REASONS,
    ROTA_DAYS,
    DowntimePack,
    PackClient,
    PackEpisode,
    PackResource,
    PackRisk,
    PackShift,
    pack_summary,
)
from oncall.domain.resource_record import ResourceRecord
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ResourceCategory
from oncall.services.access import care_ended_before, sees_everyone
from oncall.services.context import ServiceContext
from oncall.services.directory import built_in_national_lines
from oncall.services.downtime_crypto import DowntimeFileError, seal, unseal
from oncall.services.risk import current_risks
from oncall.services.rota import rota_for_days
from oncall.store import downtime as downtime_rows
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import resources as resource_rows
from oncall.store.access import accessible_client_ids
from oncall.store.audit import append_audit_series

CRISIS_CATEGORIES = (
    ResourceCategory.CRISIS_LINE,
    ResourceCategory.MOBILE_CRISIS,
    ResourceCategory.CRISIS_STABILIZATION,
    ResourceCategory.EMERGENCY_DEPARTMENT,
    ResourceCategory.WITHDRAWAL_MANAGEMENT,
)
"""The directory's categories a crisis call needs when the directory cannot be searched."""
PER_COUNTY_CATEGORY = 25
"""Entries kept for each county and category (the directory search's own order)."""
MAX_PACK_BYTES = 256 * 1024 * 1024
"""Most a pack file may hold (a 500-client program's is about 60 KB); more is refused unread."""
CLIENT_ROW_EVERY = timedelta(hours=24)
"""A client's own audit row for a person's packs is written at most this often."""
RECENT_EPISODES = 20
"""Episodes read per client to find the latest risk."""


def build_pack(ctx: ServiceContext) -> DowntimePack:
    """Gather the acting staff member's pack and audit it as a disclosure (one transaction)."""
    now = ctx.clock.now()
    rota = rota_for_days(ctx, days=ROTA_DAYS)
    on_rota = any(entry.staff_id == ctx.actor.id for entry in rota.entries)
    with ctx.store.write() as conn:
        reasons = downtime_rows.pack_client_reasons(
            conn,
            ctx.actor.id,
            due_before=to_iso(now + FOLLOW_UP_HORIZON),
            alerts_since=to_iso(now - ALERT_LOOKBACK),
        )
        if not (sees_everyone(ctx.actor) or on_rota):
            allowed = accessible_client_ids(
                conn, ctx.actor.id, ctx.now_iso(), closed_after=care_ended_before(ctx)
            )
            reasons = {c: r for c, r in reasons.items() if c in allowed or CASELOAD in r}
        staff = {s.id: s.display_name for s in people.list_staff(conn)}
        clients = [_client(conn, client_id, why, staff) for client_id, why in reasons.items()]
        packed = sorted((c for c in clients if c is not None), key=_order)
        counties = sorted({c.client.county for c in packed if c.client.county})
        resources = _crisis_resources(conn, counties)
        national = _national(conn)
        pack = DowntimePack(
            version=PACK_VERSION,
            made_at=now,
            made_for=ctx.actor.login,
            made_for_name=ctx.actor.display_name,
            timezone=ctx.settings.timezone,
            clients=packed,
            rota=[PackShift(e.role, e.name, e.phone, e.starts_at, e.ends_at) for e in rota.entries],
            resources=resources,
            national_lines=national,
            staff_names=staff,
            counties=counties,
        )
        # Every pack names all its clients in its own row; each client also gets a row of
        # their own (what `oncall audit --client` reads) once a day per person: a pack made
        # every 15 minutes would otherwise write ~25,000 rows a day for a 260-client pack.
        since = to_iso(now - CLIENT_ROW_EVERY)
        seen = downtime_rows.recently_packed(conn, ctx.actor.login, since)
        fresh = [c for c in packed if c.client.id not in seen]
        detail = pack_summary(pack) | {
            "client_ids": [c.client.id for c in packed],
            "client_rows": len(fresh),
        }
        ctx.audit(conn, "downtime.packed", "downtime_pack", None, detail=detail)
        append_audit_series(
            conn,
            at=ctx.now_iso(),
            actor=ctx.actor.login,
            action="downtime.client_packed",
            object_type="client",
            items=[
                (str(c.client.id), c.client.id, json.dumps({"reasons": c.reasons})) for c in fresh
            ],
        )
    return pack


def _order(client: PackClient) -> tuple[int, str, int]:
    """Open episodes first, then by name."""
    return (0 if client.episodes else 1, client.client.name.casefold(), client.client.id)


def _client(
    conn: sqlite3.Connection, client_id: int, why: set[str], staff: dict[int, str]
) -> PackClient | None:
    client = people.client_by_id(conn, client_id)
    if client is None:
        return None
    plan = people.latest_safety_plan(conn, client_id)
    episodes = episode_rows.episodes_for_client(conn, client_id, limit=RECENT_EPISODES)
    open_episodes = [
        PackEpisode(e, episode_rows.timeline(conn, e.id, limit=100_000))
        for e in episodes
        if e.closed_at is None
    ]
    return PackClient(
        client=client,
        reasons=[r for r in REASONS if r in why],
        contacts=people.emergency_contacts(conn, client_id),
        plan=plan,
        plan_saved_by=staff.get(plan.created_by, "") if plan and plan.created_by else "",
        risk=_latest_risk(conn, [e.id for e in episodes], staff),
        episodes=open_episodes,
        follow_ups=downtime_rows.pending_follow_ups_for_client(conn, client_id),
        primary_clinician=staff.get(client.primary_clinician_id or 0, ""),
    )


def _latest_risk(
    conn: sqlite3.Connection, newest_first: list[int], staff: dict[int, str]
) -> PackRisk | None:
    """The risk of the newest episode that has one, with the assessment that set it."""
    risks = current_risks(conn, newest_first)
    for episode_id in newest_first:
        risk = risks.get(episode_id)
        if risk is None or risk.level is None or risk.deciding is None:
            continue
        deciding = risk.deciding
        event = episode_rows.event_by_id(conn, deciding.event_id)
        by = staff.get(event.actor_id, "") if event and event.actor_id else ""
        return PackRisk(
            risk.level.value, deciding.source.label, deciding.finding, deciding.at, episode_id, by
        )
    return None


def _resource(record: ResourceRecord) -> PackResource:
    return PackResource(
        id=record.id,
        name=record.name,
        organization=record.organization,
        phones=[(number, kind) for number, kind in record.phones],
        categories=list(record.categories),
        county=record.county,
        address=", ".join(p for p in (record.address, record.city) if p) or None,
        always_open=record.always_open,
        schedule=list(record.schedule),
        languages=list(record.languages),
        national=record.national,
    )


def _crisis_resources(conn: sqlite3.Connection, counties: list[str]) -> list[PackResource]:
    """The directory's crisis entries serving each county, each entry once."""
    found: dict[str, PackResource] = {}
    for county in counties:
        for category in CRISIS_CATEGORIES:
            flt = resource_rows.ResourceFilter(
                county=county, category=category.value, exclude_national=True
            )
            for record in resource_rows.search_resources(conn, flt, limit=PER_COUNTY_CATEGORY):
                found.setdefault(record.id, _resource(record))
    return sorted(found.values(), key=lambda r: (r.county or "", r.name.casefold(), r.id))


def _national(conn: sqlite3.Connection) -> list[PackResource]:
    """The national lines as stored, and any shipped one the directory lacks."""
    stored = resource_rows.national_resources(conn)
    numbers = {phone for record in stored for phone, _kind in record.phones}
    missing = [r for r in built_in_national_lines() if r.phones[0][0] not in numbers]
    return [_resource(r) for r in [*stored, *missing]]


def pack_bytes(pack: DowntimePack, passphrase: str) -> bytes:
    """The pack as the encrypted file written to disk."""
    document = json.dumps(encode(pack), ensure_ascii=False, separators=(",", ":"))
    return seal(document.encode("utf-8"), passphrase)


def read_pack(data: bytes, passphrase: str, name: str) -> DowntimePack:
    """The pack in an encrypted file; DowntimeFileError (one sentence) when it cannot be."""
    if len(data) > MAX_PACK_BYTES:
        raise DowntimeFileError(f"{name} is larger than any downtime pack could be.")
    document = unseal(data, passphrase, name)
    try:
        plain = json.loads(document)
    except (UnicodeDecodeError, ValueError):
        raise DowntimeFileError(f"{name} is damaged: its contents cannot be read.") from None
    if not isinstance(plain, dict) or plain.get("version") != PACK_VERSION:
        raise DowntimeFileError(
            f"{name} was made by another version of oncall; make a new pack and open that."
        )
    try:
        pack = decode(DowntimePack, plain)
    except ValueError as error:  # PackFormatError, or a record's own check
        raise DowntimeFileError(
            f"{name} is damaged, or was made by another version of oncall: {error}."
        ) from None
    try:
        ZoneInfo(pack.timezone)  # every screen shows its times in it
    except (ValueError, ZoneInfoNotFoundError):
        raise DowntimeFileError(f"{name} names a time zone this machine does not know.") from None
    return pack
