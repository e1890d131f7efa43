"""The directory service: search as you type, filters, open now, distance, pinned lines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conftest import Clinic, alert_record
from oncall.domain.models import Location
from oncall.domain.opening_hours import OpeningHours
from oncall.domain.resource_record import ResourceRecord, is_open_at, parse_hsds_service
from oncall.domain.types import EventKind
from oncall.services import directory
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.directory import DirectoryQuery, haversine_miles, search_directory
from oncall.services.directory_origin import NO_EPISODE, DistanceOrigin, origin_for_episode
from oncall.services.episodes import confirm_location
from oncall.services.errors import NotFound
from oncall.services.resources import import_resource_records
from oncall.store import episodes as episode_rows
from oncall.store.resource_hours import backfill_hours

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WEEKDAYS_9_TO_5 = tuple(OpeningHours(d, "09:00", "17:00") for d in range(5))
OVERNIGHT = (OpeningHours(4, "22:00", "06:00"),)  # Friday night into Saturday


def _record(rid: str, name: str, **fields: object) -> ResourceRecord:
    base = ResourceRecord(
        id=rid,
        name=name,
        organization="Test Org",
        categories=("crisis_line",),
        phones=(("+1-714-555-0111", "voice"),),
        county="Orange",
        last_verified=date(2026, 11, 1),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _load(clinic: Clinic, *records: ResourceRecord) -> None:
    import_resource_records(clinic.ctx(), [(r.id, r) for r in records], origin="test")


def _fixture_directory(clinic: Clinic) -> None:
    services = json.loads((FIXTURES / "resources.json").read_text(encoding="utf-8"))
    _load(clinic, *(parse_hsds_service(s) for s in services))


def _names(page: directory.DirectoryPage) -> list[str]:
    return [e.record.name for e in page.entries]


def test_prefix_search_narrows_as_you_type(clinic: Clinic) -> None:
    _fixture_directory(clinic)
    ctx = clinic.ctx()
    everything = search_directory(ctx, DirectoryQuery(), NO_EPISODE)
    typed_w = search_directory(ctx, DirectoryQuery(text="w"), NO_EPISODE)
    typed_with = search_directory(ctx, DirectoryQuery(text="withdr"), NO_EPISODE)
    assert everything.total > typed_w.total > typed_with.total > 0
    assert all(
        "withdr" in (e.record.name + e.record.description + " ".join(e.record.categories)).lower()
        for e in typed_with.entries
    )
    # national lines are pinned above the results, never inside them
    assert not any(e.record.national for e in everything.entries)


@pytest.mark.parametrize("typed", ['"', "c++", "AND", "OR (", "naloxone*", "  ", "-x", "é"])
def test_anything_typed_is_a_search_never_an_error(clinic: Clinic, typed: str) -> None:
    _fixture_directory(clinic)
    search_directory(clinic.ctx(), DirectoryQuery(text=typed), NO_EPISODE)


def test_category_county_and_24_7_filters(clinic: Clinic) -> None:
    _fixture_directory(clinic)
    ctx = clinic.ctx()
    naloxone = search_directory(
        ctx, DirectoryQuery(category="naloxone", county="Riverside"), NO_EPISODE
    )
    assert naloxone.entries
    for entry in naloxone.entries:
        assert "naloxone" in entry.record.categories
        assert "Riverside" in (entry.record.county, *entry.record.counties_served)
    always = search_directory(ctx, DirectoryQuery(twenty_four_seven=True), NO_EPISODE)
    assert always.entries and all(e.record.always_open for e in always.entries)
    assert "Riverside" in directory.directory_counties(ctx)


def test_open_now_uses_the_clinic_wall_clock(clinic: Clinic) -> None:
    _load(
        clinic,
        _record("day", "Day Clinic", hours=WEEKDAYS_9_TO_5),
        _record("night", "Night Shelter", hours=OVERNIGHT),
        _record("always", "Always Line", always_open=True),
        _record("unknown", "No Hours Listed"),
    )
    ctx = clinic.ctx()
    query = DirectoryQuery(open_now=True)
    # Monday 10:00 in Los Angeles is 18:00 UTC
    clinic.clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    assert _names(search_directory(ctx, query, NO_EPISODE)) == ["Always Line", "Day Clinic"]
    # Saturday 03:00 in Los Angeles (11:00 UTC): only the overnight shelter and 24/7 line
    clinic.clock.set(datetime(2026, 11, 28, 11, 0, tzinfo=UTC))
    assert _names(search_directory(ctx, query, NO_EPISODE)) == ["Always Line", "Night Shelter"]
    every = search_directory(ctx, DirectoryQuery(), NO_EPISODE)
    assert {e.record.name: e.open_now for e in every.entries} == {
        "Always Line": True,
        "Day Clinic": False,
        "Night Shelter": True,
        "No Hours Listed": False,
    }


def test_open_now_in_sql_agrees_with_the_domain_rule(clinic: Clinic) -> None:
    _fixture_directory(clinic)
    ctx = clinic.ctx()
    for hour in range(0, 24 * 7, 5):  # every 5 hours across a week
        clinic.clock.set(
            datetime(2026, 11, 23, 8, 0, tzinfo=UTC).replace(day=23 + hour // 24, hour=hour % 24)
        )
        now = directory.clinic_now(ctx)
        every = search_directory(ctx, DirectoryQuery(), NO_EPISODE, limit=500).entries
        expected = sorted(e.record.id for e in every if is_open_at(e.record, now))
        found = search_directory(ctx, DirectoryQuery(open_now=True), NO_EPISODE, limit=500)
        assert sorted(e.record.id for e in found.entries) == expected


def test_migration_backfills_opening_hours(clinic: Clinic) -> None:
    _load(clinic, _record("day", "Day Clinic", hours=WEEKDAYS_9_TO_5))
    with clinic.store.write() as conn:
        conn.execute("DELETE FROM resource_open_hours")
        backfill_hours(conn)
    clinic.clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    page = search_directory(clinic.ctx(), DirectoryQuery(open_now=True), NO_EPISODE)
    assert _names(page) == ["Day Clinic"]


def test_distance_sort_and_miles(clinic: Clinic) -> None:
    santa_ana = (33.7455, -117.8677)
    _load(
        clinic,
        _record("far", "Far (San Diego)", lat=32.7157, lon=-117.1611),
        _record("near", "Near (Anaheim)", lat=33.8353, lon=-117.9145),
        _record("mid", "Mid (Long Beach)", lat=33.7817, lon=-118.1937),
        _record("nowhere", "A No Address Line"),
    )
    origin = DistanceOrigin(santa_ana, "test origin")
    page = search_directory(clinic.ctx(), DirectoryQuery(by_distance=True), origin)
    assert _names(page) == [
        "Near (Anaheim)",
        "Mid (Long Beach)",
        "Far (San Diego)",
        "A No Address Line",
    ]
    miles = [e.distance_miles for e in page.entries]
    assert miles[-1] is None
    assert miles[0] == pytest.approx(haversine_miles(*santa_ana, 33.8353, -117.9145))
    assert 6 < miles[0] < 7 and 80 < miles[2] < 95  # type: ignore[operator]
    # without an origin there is no distance, and the sort is by name
    plain = search_directory(clinic.ctx(), DirectoryQuery(by_distance=True), NO_EPISODE)
    assert _names(plain)[0] == "A No Address Line"
    assert all(e.distance_miles is None for e in plain.entries)


def _episode(clinic: Clinic, **location: object) -> int:
    report = ingest_records(clinic.ctx(), [(1, alert_record(**location))], origin="t")
    episode = acknowledge_alert(clinic.ctx(), report.accepted_ids[0]).episode
    assert episode is not None
    return episode.id


def test_origin_prefers_the_confirmed_location(clinic: Clinic) -> None:
    _load(clinic, _record("r", "Somewhere", zip="92054", lat=33.2, lon=-117.38))
    episode_id = _episode(clinic)
    # no location, and the client's record has only a zip nobody in the directory shares
    assert origin_for_episode(clinic.ctx(), episode_id).position is None
    assert "No distances" in origin_for_episode(clinic.ctx(), episode_id).description
    confirm_location(clinic.ctx(), episode_id, Location("friend's place", zip="92054"))
    by_zip = origin_for_episode(clinic.ctx(), episode_id)
    assert by_zip.position == (33.2, -117.38) and by_zip.approximate
    assert "zip 92054" in by_zip.description
    confirm_location(clinic.ctx(), episode_id, Location("the park", lat=33.5, lon=-117.7))
    exact = origin_for_episode(clinic.ctx(), episode_id)
    assert exact.position == (33.5, -117.7) and not exact.approximate
    assert "confirmed location" in exact.description
    with pytest.raises(NotFound):
        origin_for_episode(clinic.ctx(), 999)


@pytest.mark.parametrize("cap", [200, 30])
@pytest.mark.parametrize(
    "query", [DirectoryQuery(), DirectoryQuery(by_distance=True), DirectoryQuery(text="e")]
)
def test_paging_never_repeats_or_skips(
    clinic: Clinic, cap: int, query: DirectoryQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_directory(clinic)
    ctx = clinic.ctx()
    origin = DistanceOrigin((33.7455, -117.8677), "Santa Ana")
    expected = search_directory(ctx, query, origin, limit=1000).total
    monkeypatch.setattr(directory, "COUNT_CAP", cap)  # counting stops early: paging goes on
    seen: list[str] = []
    offset = 0
    while True:
        page = search_directory(ctx, query, origin, offset=offset, limit=40)
        seen += [e.record.id for e in page.entries]
        if not page.has_more:
            break
        offset += len(page.entries)
    assert len(seen) == len(set(seen)) == page.total == expected
    assert expected > 40


def test_national_lines_always_pinned(clinic: Clinic) -> None:
    empty = directory.national_lines(clinic.ctx(), NO_EPISODE)
    assert [e.record.phones[0][0] for e in empty] == ["988", "911", "1-800-662-4357", "741741"]
    assert all(e.pinned for e in empty)
    _fixture_directory(clinic)
    seeded = directory.national_lines(clinic.ctx(), NO_EPISODE)
    assert sorted(e.record.phones[0][0] for e in seeded) == sorted(
        ["988", "911", "1-800-662-4357", "741741"]
    )


def test_verification_age_and_staleness(clinic: Clinic) -> None:
    _load(
        clinic,
        _record("fresh", "Fresh", last_verified=date(2026, 11, 12)),
        _record("old", "Old", last_verified=date(2026, 5, 1)),
        _record("never", "Never", last_verified=None),
    )
    page = search_directory(clinic.ctx(), DirectoryQuery(), NO_EPISODE)
    by_name = {e.record.name: e for e in page.entries}
    assert (by_name["Fresh"].verified_days_ago, by_name["Fresh"].stale) == (10, False)
    assert (by_name["Old"].verified_days_ago, by_name["Old"].stale) == (205, True)
    assert (by_name["Never"].verified_days_ago, by_name["Never"].stale) == (None, True)


def test_referral_goes_on_the_timeline(clinic: Clinic) -> None:
    _load(clinic, _record("r1", "Harbor Detox", phones=(("+1-714-555-0123", "voice"),)))
    episode_id = _episode(clinic)
    event = directory.record_referral(clinic.ctx(), episode_id, "r1", note="client agreed")
    assert event.kind is EventKind.REFERRAL
    assert event.body["resource"] == "Harbor Detox"
    assert event.body["text"] == "Referred to Harbor Detox (+1-714-555-0123): client agreed"
    with clinic.store.read() as conn:
        assert [e.id for e in episode_rows.timeline(conn, episode_id)][-1] == event.id
    built_in = directory.built_in_national_lines()[0]
    assert directory.record_referral(clinic.ctx(), episode_id, built_in.id).body["phone"] == "988"
    with pytest.raises(NotFound, match="no resource nope"):
        directory.record_referral(clinic.ctx(), episode_id, "nope")


@pytest.mark.parametrize("typed", ["c", "cr", "crisis line", "harbor", "zzz"])
def test_both_query_plans_give_the_same_page(
    clinic: Clinic, typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncall.store import resources as resource_rows

    _fixture_directory(clinic)
    origin = DistanceOrigin((33.7455, -117.8677), "Santa Ana")
    queries = [
        DirectoryQuery(text=typed),
        DirectoryQuery(text=typed, by_distance=True, county="Orange"),
        DirectoryQuery(text=typed, county="Riverside"),
        DirectoryQuery(text=typed, county="Orange", category="naloxone", open_now=True),
        DirectoryQuery(text=typed, county="Orange", twenty_four_seven=True, by_distance=True),
        DirectoryQuery(text=typed, open_now=True, twenty_four_seven=True),
        DirectoryQuery(text=typed, category="naloxone"),
        DirectoryQuery(text=typed, category="crisis_line", by_distance=True, open_now=True),
    ]
    answers = []
    # full-text index first, then the name index or a category's or a county's index first
    for drives_below in (10**9, 0):
        monkeypatch.setattr(resource_rows, "FTS_DRIVES_BELOW", drives_below)
        answers.append(
            [
                [e.record.id for e in search_directory(clinic.ctx(), q, origin, limit=500).entries]
                for q in queries
            ]
        )
    assert answers[0] == answers[1]
