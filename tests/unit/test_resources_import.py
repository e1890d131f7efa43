"""`oncall resources import PATH`: every HSDS form, duplicates, rejections and broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.store import resources as resource_rows
from oncall.store.db import connect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SAMPLE = FIXTURES / "hsds_sample"


def _services(count: int = 3) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = json.loads(
        (FIXTURES / "resources.json").read_text(encoding="utf-8")
    )
    return services[4 : 4 + count]  # local services (the first four are the national lines)


def _run(capsys: pytest.CaptureFixture[str], path: Path, db: Path) -> tuple[int, str]:
    if not db.exists():
        init_database(db)
    code = main(["resources", "import", str(path), "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _stored(db: Path, resource_id: str) -> Any:
    store = connect(db)
    try:
        with store.read() as conn:
            return resource_rows.resource_by_id(conn, resource_id)
    finally:
        store.close()


def test_tabular_package_by_folder_then_by_descriptor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    code, out = _run(capsys, SAMPLE, db)
    assert code == 0, out
    assert "HSDS tabular data package" in out and "22 added, 0 updated, 0 rejected" in out
    code, out = _run(capsys, SAMPLE / "datapackage.json", db)
    assert code == 0 and "0 added, 22 updated, 0 rejected" in out
    national = [r for r in _all(db) if r.national]
    assert {r.phones[0][0] for r in national} == {"988", "911", "1-800-662-4357", "741741"}


def _all(db: Path) -> list[Any]:
    store = connect(db)
    try:
        with store.read() as conn:
            return resource_rows.search_resources(conn, resource_rows.ResourceFilter(), limit=999)
    finally:
        store.close()


def test_json_array_with_a_duplicate_updates_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = _services(3)
    renamed = {**first, "name": "Renamed Later In The File"}
    path = tmp_path / "services.json"
    path.write_text(json.dumps([first, second, third, renamed]), encoding="utf-8")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 0, out
    assert "HSDS JSON array" in out and "3 added, 1 updated, 0 rejected" in out
    assert _stored(tmp_path / "o.db", first["id"]).name == "Renamed Later In The File"


def test_paged_services_response(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = {"total_items": 2, "total_pages": 1, "page_number": 1, "contents": _services(2)}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 0 and "/services page" in out and "2 added" in out


def test_rejected_records_name_number_id_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, nameless = _services(2)
    nameless = {k: v for k, v in nameless.items() if k != "name"}
    path = tmp_path / "services.json"
    path.write_text(json.dumps([good, nameless, 42]), encoding="utf-8")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 1
    assert "1 added, 0 updated, 2 rejected" in out
    assert f"rejected record 2 (line 1) (id {nameless['id']}): name: the service has no name" in out
    assert "rejected record 3 (line 1): service: expected a JSON object, got int" in out
    assert _stored(tmp_path / "o.db", good["id"]) is not None


def test_truncated_array_keeps_the_records_before_the_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = _services(3)
    text = json.dumps(services, indent=1)
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index(services[2]["id"]) + 10], encoding="utf-8")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 1
    assert "2 added" in out and "ends in the middle of record 3" in out
    assert _stored(tmp_path / "o.db", services[1]["id"]) is not None


def test_truncated_page_keeps_what_came_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = _services(2)
    text = json.dumps({"total_items": 2, "contents": services})
    path = tmp_path / "page.json"
    path.write_text(text[: text.index(services[1]["id"])], encoding="utf-8")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 1 and "1 added" in out and "problem:" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b'{"hello": "world"}', "is not HSDS JSON"),
        (b"name,phone\nx,1\n", "is not HSDS JSON"),
        (b'{"contents": "nope"}', "'contents' array"),
        (b'{"name": "Caf\xe9", "id": "x"}', "not UTF-8"),
        (b"{not json at all", "not valid JSON"),
    ],
)
def test_files_that_are_not_hsds_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 2 and message in out
    assert "Traceback" not in out


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, tmp_path / "nowhere.json", tmp_path / "o.db")
    assert code == 2 and "There is no file or directory" in out


def test_non_utf8_record_in_an_array_is_rejected_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, other = _services(2)
    bad = json.dumps({**other, "name": "Cafe"}).replace("Cafe", "Caf\udce9")
    data = b"[" + json.dumps(good).encode() + b",\n" + bad.encode("utf-8", "surrogateescape")
    path = tmp_path / "latin1.json"
    path.write_bytes(data + b"]")
    code, out = _run(capsys, path, tmp_path / "o.db")
    assert code == 1 and "1 added" in out and "not UTF-8" in out


def _package(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_package_missing_a_csv_keeps_services_but_never_strips_existing_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    folder = _package(tmp_path)
    assert _run(capsys, folder, db)[0] == 0
    (folder / "phones.csv").unlink()
    rows = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    new_id = "0000new0-0000-4000-8000-000000000001"
    rows.append(f"{new_id},,Brand New Drop-In,A new synthetic service,,,active,2026-11-01,")
    (folder / "services.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out = _run(capsys, folder, db)
    assert code == 1
    assert "phones.csv: listed in datapackage.json but missing" in out
    assert "1 added, 0 updated, 22 rejected" in out
    assert "not updated: phones.csv could not be read" in out
    # the existing 988 entry kept its phone number; the new service came in
    assert any(r.phones and r.phones[0][0] == "988" for r in _all(db))
    assert _stored(db, new_id).name == "Brand New Drop-In"


def test_csv_with_a_bad_row_keeps_every_good_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _package(tmp_path)
    lines = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "broken,row,with,too,many,cells,here,and,there,and,more")
    (folder / "services.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _run(capsys, folder, tmp_path / "o.db")
    assert code == 1
    assert "services.csv line 4: 11 cells where the header has 9; the row was skipped" in out
    assert "22 added, 0 updated, 0 rejected" in out


def test_package_csv_not_utf8_or_services_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _package(tmp_path)
    (folder / "languages.csv").write_bytes("id,name\n1,Espa\xf1ol\n".encode("latin-1"))
    code, out = _run(capsys, folder, tmp_path / "o.db")
    assert code == 1 and "languages.csv: not UTF-8 text" in out and "22 added" in out
    (folder / "services.csv").unlink()
    code, out = _run(capsys, folder, tmp_path / "o.db")
    assert code == 2 and "no readable services table" in out


def test_package_refuses_files_outside_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _package(tmp_path)
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    meta["resources"].append({"name": "secret", "path": "../../etc/passwd"})
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    code, out = _run(capsys, folder, tmp_path / "o.db")
    assert code == 1 and "outside the package folder" in out
