"""Shared fixtures: a real SQLite file, a frozen clock, and a small synthetic clinic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.domain.alert_record import AlertRecord, parse_alert_record
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ShiftRole
from oncall.services.context import ServiceContext
from oncall.store import people
from oncall.store.db import Store, connect

T0 = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at 2026-11-22 03:00 in the clinic (11:00 UTC)."""
    return FrozenClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives."""
    return tmp_path / "oncall.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A freshly created and migrated database file."""
    opened = connect(db_path)
    yield opened
    opened.close()


@dataclass
class Clinic:
    """A tiny synthetic clinic: four staff, three clients, a rota around T0."""

    store: Store
    clock: FrozenClock
    settings: Settings
    staff: dict[str, Staff]
    clients: dict[str, int]

    def ctx(self, login: str = "alice") -> ServiceContext:
        """A service context acting as `login`."""
        return ServiceContext(self.store, self.staff[login], self.clock, self.settings)


def build_clinic(store: Store, clock: FrozenClock, settings: Settings | None = None) -> Clinic:
    """Insert the synthetic clinic into `store`."""
    settings = settings or Settings(db_path=store.path)
    staff: dict[str, Staff] = {}
    clients: dict[str, int] = {}
    at = to_iso(clock.now())
    with store.write() as conn:
        for login, name, role in [
            ("alice", "Alice Rivera", "clinician"),
            ("bob", "Bob Okafor", "clinician"),
            ("sue", "Sue Lindqvist", "supervisor"),
            ("pat", "Pat Moreno", "peer"),
        ]:
            people.insert_staff(
                conn,
                login=login,
                display_name=name,
                role=role,
                phone="+1-714-555-0100",
                active=True,
                created_at=at,
            )
            found = people.staff_by_login(conn, login)
            assert found is not None
            staff[login] = found
        start = clock.now() - timedelta(hours=6)
        for login, role in [
            ("alice", ShiftRole.PRIMARY),
            ("bob", ShiftRole.BACKUP),
            ("sue", ShiftRole.SUPERVISOR),
        ]:
            people.insert_shift(
                conn,
                staff_id=staff[login].id,
                role=role,
                starts_at=start,
                ends_at=start + timedelta(hours=12),
            )
        for ref, name, consent in [
            ("C-1", "Jordan Test", True),
            ("C-2", "Casey Sample", False),
            ("C-3", "Riley Example", True),
        ]:
            clients[ref] = people.insert_client(
                conn,
                {
                    "external_ref": ref,
                    "name": name,
                    "pronouns": "they/them",
                    "phone": "+1-714-555-0142",
                    "county": "Orange",
                    "zip": "92701",
                    "program": "Virtual IOP",
                    "primary_clinician_id": staff["alice"].id,
                    "consent_emergency_contact": int(consent),
                    "consent_hotline_report": int(consent),
                },
            )
            people.insert_emergency_contact(
                conn,
                client_id=clients[ref],
                name="Sam Sample",
                relation="sibling",
                phone="+1-714-555-0199",
                consent_to_contact=True,
            )
    return Clinic(store, clock, settings, staff, clients)


@pytest.fixture
def clinic(store: Store, clock: FrozenClock) -> Clinic:
    """The synthetic clinic in a fresh database."""
    return build_clinic(store, clock)


def alert_record(**overrides: Any) -> AlertRecord:
    """A valid feed record, with fields replaced as given."""
    obj: dict[str, Any] = {
        "id": "a-1",
        "source": "app",
        "client_ref": "C-1",
        "kind": "suicidal_ideation",
        "severity": "high",
        "summary": "Client reports thoughts of suicide",
        "occurred_at": "2026-11-22T02:55:00-08:00",
    }
    obj.update(overrides)
    return parse_alert_record({k: v for k, v in obj.items() if v is not None})


@pytest.fixture(autouse=True)
def private_log_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Logs and incident reports of in-process CLI runs go to a temporary folder, not $HOME."""
    from oncall.logs import stop_logging

    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("ONCALL_LOG_DIR", str(folder))
    yield folder
    stop_logging()
