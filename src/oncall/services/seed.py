"""Loading the synthetic demo data from fixtures/ into a database (`oncall seed`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from oncall import paths
from oncall.clock import Clock, SystemClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role, ShiftRole
from oncall.services.context import ServiceContext
from oncall.store import people
from oncall.store.audit import append_audit
from oncall.store.db import Store


class SeedError(ValueError):
    """A fixture file is missing or malformed; the message names the file and entry."""


@dataclass
class SeedReport:
    """What seeding loaded."""

    staff: int = 0
    shifts: int = 0
    clients: int = 0
    safety_plans: int = 0
    emergency_contacts: int = 0


def _load(folder: Path, name: str) -> list[dict[str, Any]]:
    path = folder / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"The fixture file {path} is missing.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SeedError(f"The fixture file {path} is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise SeedError(f"The fixture file {path} must hold a JSON array.")
    return data


def seed_people(
    store: Store,
    *,
    clock: Clock | None = None,
    settings: Settings | None = None,
    folder: Path | None = None,
) -> SeedReport:
    """Load staff, a week of shifts around today, clients, contacts and safety plans."""
    clock = clock or SystemClock()
    settings = settings or Settings()
    folder = folder or paths.fixtures_dir()
    zone = ZoneInfo(settings.timezone)
    now = clock.now()
    at = to_iso(now)
    today = now.astimezone(zone).date()
    report = SeedReport()
    staff_rows = _load(folder, "staff.json")
    shift_rows = _load(folder, "shifts.json")
    client_rows = _load(folder, "clients.json")
    with store.write() as conn:
        ids: dict[str, int] = {}
        for number, item in enumerate(staff_rows, 1):
            try:
                existing = people.staff_by_login(conn, item["login"])
                if existing:
                    ids[existing.login] = existing.id
                    continue
                ids[item["login"]] = people.insert_staff(
                    conn,
                    login=item["login"],
                    display_name=item["display_name"],
                    role=Role(item["role"]).value,
                    phone=item.get("phone"),
                    active=bool(item.get("active", True)),
                    created_at=at,
                )
                report.staff += 1
            except (KeyError, ValueError) as error:
                raise SeedError(f"staff.json entry {number}: {error}") from None
        for number, item in enumerate(shift_rows, 1):
            try:
                day = today + timedelta(days=int(item["day"]))
                hour, minute = (int(part) for part in str(item["start"]).split(":"))
                start = datetime.combine(day, time(hour, minute), tzinfo=zone)
                staff_id, role = ids[item["login"]], ShiftRole(item["role"])
                end = start + timedelta(hours=int(item["hours"]))
                # Seeding the same database again (oncall demo --db FILE) adds no second rota.
                if not people.has_shift(
                    conn, staff_id=staff_id, role=role, starts_at=start, ends_at=end
                ):
                    people.insert_shift(
                        conn, staff_id=staff_id, role=role, starts_at=start, ends_at=end
                    )
                    report.shifts += 1
            except (KeyError, ValueError) as error:
                raise SeedError(f"shifts.json entry {number}: {error}") from None
        for number, item in enumerate(client_rows, 1):
            try:
                _seed_client(conn, item, ids, now, report)
            except (KeyError, ValueError, TypeError) as error:
                raise SeedError(f"clients.json entry {number}: {error}") from None
        append_audit(
            conn,
            at=at,
            actor="seed",
            action="seed.loaded",
            object_type="database",
            detail={"staff": report.staff, "clients": report.clients},
        )
    return report


def _seed_client(
    conn: Any, item: dict[str, Any], ids: dict[str, int], now: datetime, report: SeedReport
) -> None:
    if people.client_by_ref(conn, item["external_ref"]) is not None:
        return
    consent = item.get("consent") or {}
    client_id = people.insert_client(
        conn,
        {
            "external_ref": item["external_ref"],
            "name": item["name"],
            "preferred_name": item.get("preferred_name"),
            "pronouns": item.get("pronouns"),
            "date_of_birth": item.get("date_of_birth"),
            "phone": item.get("phone"),
            "address": item.get("address"),
            "county": item.get("county"),
            "zip": item.get("zip"),
            "lat": item.get("lat"),
            "lon": item.get("lon"),
            "program": item.get("program"),
            "primary_clinician_id": ids.get(item.get("primary_clinician") or ""),
            "consent_emergency_contact": int(bool(consent.get("emergency_contact"))),
            "consent_hotline_report": int(bool(consent.get("hotline_report"))),
            "consent_date": consent.get("date"),
        },
    )
    report.clients += 1
    for contact in item.get("emergency_contacts") or []:
        people.insert_emergency_contact(
            conn,
            client_id=client_id,
            name=contact["name"],
            relation=contact.get("relation"),
            phone=contact.get("phone"),
            consent_to_contact=bool(contact.get("consent_to_contact")),
        )
        report.emergency_contacts += 1
    for plan in item.get("safety_plans") or []:
        created = now - timedelta(days=int(plan.get("days_ago", 0)))
        people.insert_safety_plan(
            conn,
            client_id=client_id,
            sections=plan["sections"],
            reasons_for_living=plan.get("reasons_for_living", ""),
            created_by=ids.get(plan.get("created_by") or ""),
            created_at=to_iso(created),
        )
        report.safety_plans += 1


def fixture_alert_objects(
    clock: Clock | None = None, folder: Path | None = None
) -> list[dict[str, Any]]:
    """The fixture alerts with their times moved so the newest happened just now."""
    clock = clock or SystemClock()
    items = _load(folder or paths.fixtures_dir(), "alerts.json")
    stamps = [datetime.fromisoformat(a["occurred_at"]) for a in items if "occurred_at" in a]
    if not stamps:
        return items
    shift = clock.now() - max(stamps) - timedelta(minutes=1)
    moved = []
    for item in items:
        copy = dict(item)
        if "occurred_at" in copy:
            copy["occurred_at"] = (datetime.fromisoformat(copy["occurred_at"]) + shift).isoformat()
        moved.append(copy)
    return moved


def demo_context(
    store: Store, clock: Clock | None = None, settings: Settings | None = None
) -> ServiceContext:
    """A context acting as the seeded demo user."""
    with store.read() as conn:
        actor = people.staff_by_login(conn, "demo")
    if actor is None:
        actor = Staff(id=0, login="demo", display_name="Demo", role=Role.CLINICIAN)
    return ServiceContext(store, actor, clock or SystemClock(), settings or Settings())
