"""Seeding a whole demo database: people, the directory, and four weeks of alerts and work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from oncall import paths
from oncall.clock import Clock, SystemClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.domain.resource_record import ResourceError, ResourceRecord, parse_hsds_service
from oncall.domain.types import Role
from oncall.services.alerts import ingest_records
from oncall.services.context import ServiceContext
from oncall.services.demo_guard import demo_logins
from oncall.services.errors import Refused, ValidationFailed
from oncall.services.resources import import_resource_records
from oncall.services.rota import RotaEntry, on_call_now
from oncall.services.seed import SeedError, demo_context, fixture_alert_objects, seed_people
from oncall.store import alerts as alert_rows
from oncall.store import people
from oncall.store.db import Store

if TYPE_CHECKING:
    from oncall.services.demo_history import PagerFactory


def _resource_items(folder_file: Path) -> list[tuple[str, ResourceRecord | ResourceError]]:
    try:
        services = json.loads(folder_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SeedError(f"The fixture file {folder_file} cannot be read: {error}") from None
    items: list[tuple[str, ResourceRecord | ResourceError]] = []
    for number, service in enumerate(services, 1):
        try:
            items.append((str(number), parse_hsds_service(service)))
        except ResourceError as error:
            items.append((str(number), error))
    return items


def seed_everything(
    store: Store,
    *,
    settings: Settings | None = None,
    clock: Clock | None = None,
    alerts: bool = True,
    history: PagerFactory | None = None,
) -> list[str]:
    """Load every fixture; returns the summary lines to print.

    With a `history` pager (`oncall demo`, `oncall seed` give feeds/demo_pager.DemoPager,
    which delivers the past's pages to simulated receivers) the fixture alerts arrive over four
    weeks ending now, among others, and are worked through the real services
    (services/demo_history.py); without it they all arrive now, unclaimed.
    """
    settings = settings or Settings()
    clock = clock or SystemClock()
    people = seed_people(store, clock=clock, settings=settings)
    ctx: ServiceContext = demo_context(store, clock, settings)
    resources = import_resource_records(
        ctx,
        _resource_items(paths.fixtures_dir() / "resources.json"),
        origin="fixtures/resources.json",
    )
    lines = [
        f"{people.staff} staff, {people.shifts} on-call shifts",
        f"{people.clients} clients, {people.safety_plans} safety-plan versions, "
        f"{people.emergency_contacts} emergency contacts",
        f"{resources.added} resources added, {resources.updated} updated, "
        f"{len(resources.rejected)} rejected",
    ]
    if alerts and history is not None:
        from oncall.services.demo_history import make_history

        objects = fixture_alert_objects(clock)
        keys = [(str(a.get("source")), str(a.get("id"))) for a in objects]
        with store.read() as conn:
            made_before = bool(alert_rows.existing_keys(conn, keys))
        if made_before:  # `oncall demo --db FILE` again: its past is already there
            lines.append("the demo's alerts and their past were already there")
        else:
            played = make_history(
                store, settings=settings, end=clock.now(), fixture_alerts=objects, pager=history
            )
            lines.extend(played.lines())
    elif alerts:
        objects = fixture_alert_objects(clock)
        report = ingest_records(ctx, enumerate(objects, 1), origin="fixtures/alerts.json")
        lines.append(
            f"{report.accepted} alerts accepted, {report.duplicates} duplicates, "
            f"{report.rejected_count} rejected"
        )
    return lines


def demo_roles() -> list[str]:
    """The roles `oncall demo --as ROLE` accepts."""
    return [role.value for role in Role]


def check_demo_identity(wanted: str) -> None:
    """Refuse, before anything is made, an `--as` that is neither a role nor a demo login."""
    if wanted in demo_roles():
        return
    if wanted in demo_logins():
        if wanted not in demo_logins(active=True):
            raise ValidationFailed(
                f"The demo account {wanted!r} is deactivated; choose another with --as."
            )
        return
    logins = ", ".join(sorted(demo_logins(active=True)))
    raise ValidationFailed(
        f"--as {wanted!r} is not one of the demo's staff. Give a role "
        f"({', '.join(demo_roles())}) or a demo login ({logins})."
    )


def demo_identity(store: Store, wanted: str, *, clock: Clock | None = None) -> Staff:
    """The demo staff member `--as` names: a login, or for a role whoever holds it now.

    For a role, the person on call in it now comes first (the supervisor of the shift),
    then the first active demo staff member with that role.
    """
    check_demo_identity(wanted)
    demo = demo_logins()
    with store.read() as conn:
        staff = [s for s in people.list_staff(conn) if s.login in demo]
    if wanted in demo:
        person = next((s for s in staff if s.login == wanted), None)
        if person is None or not person.active:
            state = "not on this database's staff list" if person is None else "deactivated"
            raise Refused(f"The demo account {wanted!r} is {state}; choose another with --as.")
        return person
    role = Role(wanted)
    if not staff:
        raise Refused(f"The database {store.path} has none of the demo's staff.")
    reader = ServiceContext(store, staff[0], clock or SystemClock())
    holders = {e.staff_id for e in rota_entries_now(reader)}
    active = [s for s in staff if s.active and s.role is role]
    active.sort(key=lambda s: (s.id not in holders, s.login != "demo", s.id))
    if not active:
        raise Refused(f"The demo has no active {role.value.replace('_', ' ')}.")
    return active[0]


def rota_entries_now(ctx: ServiceContext) -> list[RotaEntry]:
    """Everyone on the rota right now, in any role."""
    now = on_call_now(ctx)
    return [*now.primary, *now.backup, *now.supervisor]
