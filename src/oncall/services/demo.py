"""Seeding a whole demo database: people, the directory and the alert queue."""

from __future__ import annotations

import json
from pathlib import Path

from oncall import paths
from oncall.clock import Clock, SystemClock
from oncall.config import Settings
from oncall.domain.resource_record import ResourceError, ResourceRecord, parse_hsds_service
from oncall.services.alerts import ingest_records
from oncall.services.context import ServiceContext
from oncall.services.resources import import_resource_records
from oncall.services.seed import SeedError, demo_context, fixture_alert_objects, seed_people
from oncall.store.db import Store


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
) -> list[str]:
    """Load every fixture; returns the summary lines to print."""
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
    if alerts:
        objects = fixture_alert_objects(clock)
        report = ingest_records(ctx, enumerate(objects, 1), origin="fixtures/alerts.json")
        lines.append(
            f"{report.accepted} alerts accepted, {report.duplicates} duplicates, "
            f"{report.rejected_count} rejected"
        )
    return lines
