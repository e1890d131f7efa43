"""The synthetic demo data keeps the promises the seeder and the demo rely on."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import oncall.fixtures
from oncall.domain.resource_record import is_stale, parse_hsds_service
from oncall.domain.safety_plan import SafetyPlanSection
from oncall.domain.types import AlertKind, ResourceCategory, Role, Severity, ShiftRole

FIXTURES = Path(oncall.fixtures.__file__).parent
FICTIONAL_PHONE = re.compile(r"^\+1-\d{3}-555-01\d{2}$")
COUNTY_ZIP_PREFIXES = {
    "Orange": ("926", "927", "928"),
    "Los Angeles": ("90", "91", "93"),
    "San Diego": ("919", "920", "921"),
    "Riverside": ("922", "925"),
    "San Bernardino": ("917", "923", "924"),
}
ALERT_KEYS = {"id", "source", "client_ref", "kind", "severity", "summary", "occurred_at"}


@cache
def load(name: str) -> Any:
    """One fixture file, parsed."""
    return json.loads((FIXTURES / name).read_text("utf-8"))


def staff_by_login() -> dict[str, dict[str, Any]]:
    """Staff rows keyed by login."""
    return {member["login"]: member for member in load("staff.json")}


def test_staff_cover_every_role_with_the_demo_clinician_and_one_inactive() -> None:
    staff = load("staff.json")
    assert len(staff) >= 12
    assert len({member["login"] for member in staff}) == len(staff)
    assert {member["role"] for member in staff} == {role.value for role in Role}
    assert sum(not member["active"] for member in staff) == 1
    demo = staff_by_login()["demo"]
    assert (demo["display_name"], demo["role"], demo["active"]) == (
        "Demo Clinician",
        "clinician",
        True,
    )
    assert all(FICTIONAL_PHONE.match(member["phone"]) for member in staff)


def coverage(role: str) -> dict[int, str]:
    """Minute (from day 0 00:00 local) to the login on call in that rota role."""
    on_call: dict[int, str] = {}
    for shift in load("shifts.json"):
        if shift["role"] != role:
            continue
        hour, minute = map(int, shift["start"].split(":"))
        start = shift["day"] * 1440 + hour * 60 + minute
        for at in range(start, start + shift["hours"] * 60):
            assert at not in on_call, f"two {role}s at minute {at}"
            on_call[at] = shift["login"]
    return on_call


def test_shifts_name_active_staff_in_fitting_roles() -> None:
    staff = staff_by_login()
    for shift in load("shifts.json"):
        member = staff[shift["login"]]
        assert member["active"]
        assert shift["role"] in {role.value for role in ShiftRole}
        assert -1 <= shift["day"] <= 6 and re.fullmatch(r"\d{2}:\d{2}", shift["start"])
        wanted = "supervisor" if shift["role"] == "supervisor" else "clinician"
        assert member["role"] == wanted


@pytest.mark.parametrize("role", [role.value for role in ShiftRole])
def test_every_rota_role_is_covered_around_the_clock_all_week(role: str) -> None:
    on_call = coverage(role)
    first_start = -1440 + 8 * 60  # day -1 08:00
    assert all(minute in on_call for minute in range(first_start, 7 * 1440))


def test_primary_and_backup_are_different_people() -> None:
    primary, backup = coverage("primary"), coverage("backup")
    assert all(primary[minute] != backup[minute] for minute in primary)


def test_the_demo_user_is_primary_all_through_day_0() -> None:
    primary = coverage("primary")
    assert {primary[minute] for minute in range(0, 1440)} == {"demo"}


def test_forty_clients_across_southern_california() -> None:
    clients = load("clients.json")
    clinicians = {
        login for login, m in staff_by_login().items() if m["role"] == "clinician" and m["active"]
    }
    assert [client["external_ref"] for client in clients] == [f"C-{n}" for n in range(1001, 1041)]
    assert len({client["county"] for client in clients}) >= 4
    for client in clients:
        assert client["zip"].startswith(COUNTY_ZIP_PREFIXES[client["county"]])
        assert 32.5 < client["lat"] < 35.0 and -118.7 < client["lon"] < -116.0
        assert client["primary_clinician"] in clinicians
        assert FICTIONAL_PHONE.match(client["phone"])
        date.fromisoformat(client["date_of_birth"])
        consent = client["consent"]
        assert (consent["date"] is None) == (
            not consent["emergency_contact"] and not consent["hotline_report"]
        )
        for contact in client["emergency_contacts"]:
            assert set(contact) == {"name", "relation", "phone", "consent_to_contact"}
            assert FICTIONAL_PHONE.match(contact["phone"])
            assert not contact["consent_to_contact"] or consent["emergency_contact"]


def test_client_names_include_diacritics_and_a_right_to_left_name() -> None:
    names = [client["name"] for client in load("clients.json")]
    latin_accents = [
        n for n in names if any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", n))
    ]
    right_to_left = [
        n for n in names if any(unicodedata.bidirectional(c) in ("R", "AL") for c in n)
    ]
    assert len(latin_accents) >= 3 and len(right_to_left) >= 1


def test_safety_plans_are_versioned_oldest_first_in_stanley_brown_sections() -> None:
    clients = load("clients.json")
    logins = set(staff_by_login())
    versions = [len(client["safety_plans"]) for client in clients]
    assert max(versions) == 3 and versions.count(2) >= 3
    latest_ages = [
        client["safety_plans"][-1]["days_ago"] for client in clients if client["safety_plans"]
    ]
    assert any(age > 30 for age in latest_ages) and any(age < 30 for age in latest_ages)
    for client in clients:
        ages = [plan["days_ago"] for plan in client["safety_plans"]]
        assert ages == sorted(ages, reverse=True) and len(set(ages)) == len(ages)
        for plan in client["safety_plans"]:
            assert plan["created_by"] in logins
            assert list(plan["sections"]) == [section.value for section in SafetyPlanSection]
            assert all(plan["sections"][key] for key in plan["sections"])
            professionals = " ".join(plan["sections"]["professionals"])
            assert "988" in professionals and "911" in professionals
            safety = " ".join(plan["sections"]["environment_safety"]).lower()
            assert "narcan" in safety or "naloxone" in safety
            assert plan["reasons_for_living"]


def test_the_directory_covers_every_category_and_its_promises() -> None:
    records = [parse_hsds_service(obj) for obj in load("resources.json")]
    local = [record for record in records if not record.national]
    assert len(local) == 150 and len(records) == 154
    assert {c for record in records for c in record.categories} == {
        c.value for c in ResourceCategory
    }
    assert len({record.county for record in local if record.county}) >= 4
    assert sum(record.always_open for record in local) >= 10
    languages = {language for record in records for language in record.languages}
    assert {"Spanish", "Vietnamese", "Korean", "Tagalog"} <= languages
    assert sum(is_stale(record, date(2026, 11, 20)) for record in records) >= 10
    national = {record.name for record in records if record.national}
    assert national == {
        "988 Suicide & Crisis Lifeline",
        "911 Emergency Services",
        "SAMHSA National Helpline",
        "Crisis Text Line",
    }


def test_alerts_follow_the_feed_format() -> None:
    alerts = load("alerts.json")
    assert len(alerts) == 60
    assert len({(alert["source"], alert["id"]) for alert in alerts}) == 60
    first, last = datetime.fromisoformat("2026-11-20T00:00:00-08:00"), None
    for alert in alerts:
        assert ALERT_KEYS <= set(alert) <= ALERT_KEYS | {"location", "handoff"}
        occurred = datetime.fromisoformat(alert["occurred_at"])
        assert occurred.utcoffset() == timedelta(hours=-8)
        assert first <= occurred < first + timedelta(days=3)
        assert last is None or last <= occurred
        last = occurred
        assert 0 < len(alert["summary"]) <= 100
        assert alert["source"] in {"hotline", "app", "wearable", "ehr", "checkin"}
    assert {alert["kind"] for alert in alerts} == {kind.value for kind in AlertKind}
    assert {alert["severity"] for alert in alerts} == {s.value for s in Severity}


def test_alerts_reach_every_client_and_two_unknown_refs() -> None:
    known = {client["external_ref"] for client in load("clients.json")}
    refs = {alert["client_ref"] for alert in load("alerts.json")}
    assert known <= refs and len(refs - known) == 2


def test_hotline_alerts_carry_a_full_handoff() -> None:
    alerts = load("alerts.json")
    hotline = [alert for alert in alerts if alert["source"] == "hotline"]
    assert len(hotline) >= 12
    for alert in alerts:
        assert ("handoff" in alert) == (alert["source"] == "hotline")
    for alert in hotline:
        assert set(alert["handoff"]) == {"org", "counselor", "reference", "callback"}
        assert FICTIONAL_PHONE.match(alert["handoff"]["callback"])
