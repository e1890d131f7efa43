"""Directory sync against a local HSDS 3.0 API on 127.0.0.1: pages, failures, inactivation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from local_http import Reply, Request, json_reply, serving

import oncall.fixtures
from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import system_actor
from oncall.feeds.directory_sync import sync_directory
from oncall.feeds.fetch import RetryPolicy
from oncall.services.context import ServiceContext
from oncall.store import resources as resource_rows

FAST = RetryPolicy(attempts=2, base_delay_s=0.01, max_delay_s=0.02, timeout_s=2.0)
SAMPLE = Path(oncall.fixtures.__file__).parent / "hsds_sample"


def service(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"svc-{n}",
        "name": f"Service {n}",
        "status": "active",
        "assured_date": "2026-10-01",
        "organization": {"name": "Harbor Recovery"},
        **fields,
    }


class HsdsApi:
    """/services?page=N with `per_page` services a page; pages in `failing` answer 500."""

    def __init__(self, services: list[dict[str, Any]], per_page: int = 2) -> None:
        self.services = services
        self.per_page = per_page
        self.failing: set[int] = set()
        self.announce_extra = 0

    def __call__(self, request: Request) -> Reply:
        assert request.path == "/hsds/services"
        page = int(request.query["page"][0])
        if page in self.failing:
            return Reply(500, b"database unavailable")
        total = len(self.services)
        pages = max(1, -(-total // self.per_page))
        contents = self.services[(page - 1) * self.per_page : page * self.per_page]
        return json_reply(
            {
                "total_items": total + self.announce_extra,
                "total_pages": pages,
                "page_number": page,
                "size": len(contents),
                "first_page": page == 1,
                "last_page": page >= pages,
                "empty": not contents,
                "contents": contents,
            }
        )


def ctx_for(clinic: Clinic) -> ServiceContext:
    return ServiceContext(clinic.store, system_actor("sync"), clinic.clock, clinic.settings)


def statuses(clinic: Clinic) -> dict[str, str]:
    rows = clinic.store.query("SELECT id, status FROM resources WHERE national = 0")
    return {r[0]: r[1] for r in rows}


async def test_a_full_sync_follows_the_pages_and_a_second_one_inactivates(
    clinic: Clinic,
) -> None:
    api = HsdsApi([service(n) for n in range(1, 6)] + [service(6, assured_date="2025-01-02")])
    with serving(api) as server:
        first = await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
        assert first.complete and first.pages_read == 3
        assert (first.resources.added, first.resources.updated, first.inactivated) == (6, 0, 0)
        api.services = [service(n) for n in (1, 2, 4)] + [service(5, status="inactive")]
        api.services.append(service(6, assured_date="2025-01-02"))
        second = await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
    assert second.complete and second.resources.updated == 5
    assert (second.inactivated_missing, second.inactivated_by_status) == (1, 1)
    assert statuses(clinic) == {
        "svc-1": "active",
        "svc-2": "active",
        "svc-3": "inactive",
        "svc-4": "active",
        "svc-5": "inactive",
        "svc-6": "active",
    }
    with clinic.store.read() as conn:
        old = resource_rows.resource_by_id(conn, "svc-6")
    assert old is not None and old.last_verified == date(2025, 1, 2)  # stale is shown as such


async def test_a_failing_page_is_reported_the_rest_kept_and_nothing_inactivated(
    clinic: Clinic,
) -> None:
    api = HsdsApi([service(n) for n in range(1, 7)])
    with serving(api) as server:
        await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
        api.services = [service(n, name=f"Renamed {n}") for n in range(2, 7)]
        api.failing = {2}
        report = await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
    assert not report.complete and report.pages_read == 2
    assert report.failed_pages == [
        ("page 2", "the server answered 500 Internal Server Error (tried 2 times)")
    ]
    assert report.resources.updated == 3 and report.inactivated == 0
    assert report.missing_not_checked == "page 2 did not arrive"
    assert set(statuses(clinic).values()) == {"active"}  # svc-1 is gone upstream, but unseen
    names = {r[0] for r in clinic.store.query("SELECT name FROM resources WHERE national = 0")}
    assert {"Renamed 2", "Renamed 3", "Renamed 6"} <= names  # pages 1 and 3 were kept


async def test_fewer_services_than_announced_inactivate_nothing(clinic: Clinic) -> None:
    api = HsdsApi([service(n) for n in range(1, 4)])
    with serving(api) as server:
        await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
        api.services, api.announce_extra = [service(1), service(2)], 1
        report = await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
    assert report.complete and report.inactivated == 0
    assert "announced 3 services but 2 arrived" in (report.missing_not_checked or "")


async def test_a_service_without_a_name_is_rejected_with_its_reason(clinic: Clinic) -> None:
    api = HsdsApi([service(1), {"id": "svc-x", "status": "active"}])
    with serving(api) as server:
        report = await sync_directory(ctx_for(clinic), server.url("/hsds"), retry=FAST)
    assert report.resources.added == 1
    assert report.resources.rejected == [
        ("page 1, service svc-x", "name", "the service has no name")
    ]


async def test_a_data_package_url_is_read_table_by_table(clinic: Clinic) -> None:
    def files(request: Request) -> Reply:
        path = SAMPLE / request.path.removeprefix("/pkg/")
        return Reply(200, path.read_bytes()) if path.is_file() else Reply(404)

    with serving(files) as server:
        report = await sync_directory(
            ctx_for(clinic), server.url("/pkg/datapackage.json"), retry=FAST
        )
    services = sum(1 for _ in (SAMPLE / "services.csv").open()) - 1
    assert report.complete and report.resources.added == services > 0


def test_oncall_resources_sync_prints_counts_and_exits_by_outcome(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    api = HsdsApi([service(1), service(2), service(3), {"id": "svc-x"}])
    db = str(clinic.store.path)
    with serving(api) as server:
        assert main(["resources", "sync", server.url("/hsds"), "--db", db]) == 1
        first = capsys.readouterr().out
        api.services = [service(1), service(2)]
        assert main(["resources", "sync", server.url("/hsds"), "--db", db]) == 0
        second = capsys.readouterr().out
        api.failing = {1}
        assert main(["resources", "sync", server.url("/hsds"), "--db", db]) == 1
        third = capsys.readouterr()
    assert "3 added, 0 updated, 0 inactivated, 1 rejected" in first
    assert "rejected page 2, service svc-x [name]: the service has no name" in first
    assert "0 added, 2 updated, 1 inactivated, 0 rejected" in second
    assert "failed page 1: the server answered 500" in third.out
    assert "not marked inactive" in third.out
    assert main(["resources", "sync", "--db", db]) == 2  # no URL given or configured
    assert "resource_directory_url" in capsys.readouterr().err


def test_a_sync_inactivates_only_what_its_own_directory_added(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(clinic.store.path)
    hand = tmp_path / "county-list.json"
    hand.write_text(json.dumps([service(90, id="hand-1", name="Walk-in Clinic")]))
    ours = HsdsApi([service(1), service(2), service(3, id="legacy-2"), service(90, id="hand-1")])
    theirs = HsdsApi([service(n, id=f"oth-{n}") for n in range(1, 4)])
    with serving(ours) as server, serving(theirs) as other:
        assert main(["resources", "sync", other.url("/hsds"), "--db", db]) == 0
        assert main(["resources", "import", str(hand), "--db", db]) == 0
        with clinic.store.write() as conn:  # stored before sources were recorded
            for rid in ("legacy-1", "legacy-2"):
                conn.execute(
                    "INSERT INTO resources (id, name, schedule, updated_at)"
                    " VALUES (?, 'Old Entry', '{}', '2026-01-01T00:00:00+00:00')",
                    (rid,),
                )
        assert main(["resources", "sync", server.url("/hsds/"), "--db", db]) == 0
        capsys.readouterr()
        ours.services = [service(1)]  # svc-2, legacy-2 and hand-1 are no longer listed
        assert main(["resources", "sync", server.url("/hsds"), "--db", db]) == 0
        said = capsys.readouterr().out
    assert statuses(clinic) == {
        "svc-1": "active",
        "svc-2": "inactive",  # this directory added it
        "legacy-2": "inactive",  # no source until this directory listed it
        "hand-1": "active",  # imported by hand, only updated by the directory
        "legacy-1": "active",  # no source, never listed: not this sync's to retire
        "oth-1": "active",
        "oth-2": "active",
        "oth-3": "active",
    }
    assert "0 added, 1 updated, 2 inactivated" in said
    assert "5 active service(s) from other sources" in said and "left as they are" in said
