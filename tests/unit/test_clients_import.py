"""`oncall clients import`: FHIR R4 and CSV clients kept, bad records named by field, re-import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from init_support import init_database
from oncall.cli import main

DATA = Path(__file__).parent.parent / "data" / "fhir"
GEO = "http://hl7.org/fhir/StructureDefinition/geolocation"


def patient(**overrides: Any) -> dict[str, Any]:
    """A valid R4 Patient with fields replaced (None removes a field)."""
    obj: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [
            {"system": "urn:other", "value": "X-9"},
            {"system": "http://clinic.example/mrn", "value": "MRN-1"},
        ],
        "name": [
            {"use": "official", "prefix": ["Ms"], "given": ["Ann", "Marie"], "family": "Lee"},
            {"use": "nickname", "given": ["Annie"]},
        ],
        "telecom": [
            {"system": "phone", "value": "714-555-0100", "use": "old"},
            {"system": "phone", "value": "714-555-0111", "rank": 2},
            {"system": "phone", "value": "714-555-0122", "rank": 1},
            {"system": "email", "value": "ann@example.org"},
        ],
        "gender": "female",
        "birthDate": "1980-02-03",
        "address": [
            {
                "use": "home",
                "line": ["1 Main St"],
                "city": "Santa Ana",
                "state": "CA",
                "postalCode": "92701",
                "extension": [
                    {
                        "url": GEO,
                        "extension": [
                            {"url": "latitude", "valueDecimal": 33.745},
                            {"url": "longitude", "valueDecimal": -117.868},
                        ],
                    }
                ],
            }
        ],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}}],
        "contact": [
            {
                "relationship": [
                    {
                        "coding": [
                            {"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C"}
                        ]
                    }
                ],
                "name": {"given": ["Bob"], "family": "Lee"},
                "telecom": [{"system": "phone", "value": "714-555-0199"}],
            }
        ],
    }
    obj.update(overrides)
    return {k: v for k, v in obj.items() if v is not None}


def run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str, *extra: str
) -> tuple[int, str]:
    """Write `data` to `name` and import it; the exit code and what was printed."""
    db = tmp_path / "oncall.db"
    if not db.exists():
        init_database(db)
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    code = main(["clients", "import", "--db", str(db), str(path), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows from the database file."""
    conn = sqlite3.connect(tmp_path / "oncall.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def bundle(*resources: dict[str, Any], kind: str = "transaction") -> str:
    """A Bundle of the resources, each with a urn:uuid fullUrl."""
    entries = [
        {"fullUrl": f"urn:uuid:{r.get('id', i)}", "resource": r} for i, r in enumerate(resources)
    ]
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": entries})


def test_us_core_example_patient_is_imported_with_its_current_name_address_and_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (DATA / "us-core-patient-example.json").read_text(encoding="utf-8")
    code, out = run(tmp_path, capsys, "patient.json", text)
    assert code == 0, out
    assert "1 added" in out
    (row,) = rows(
        tmp_path,
        "SELECT external_ref, identifier_system, name, date_of_birth, gender, phone, email,"
        " address, zip, language FROM clients",
    )
    # The old name (Shaw) and the old address are passed over; the suffix PharmD dropped.
    assert row == (
        "1032702",
        "http://hospital.smarthealthit.org",
        "Amy V. Baxter",
        "1987-02-20",
        "female",
        "555-555-5555",
        "amy.shaw@example.com",
        "183 MOUNTAIN VIEW ST, MOUNDS, OK",
        "74048",
        "es",
    )


def test_synthea_bundle_gives_the_mrn_geolocation_and_skips_other_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (DATA / "synthea-transaction-excerpt.json").read_text(encoding="utf-8")
    mrn = "http://hospital.smarthealthit.org"
    code, out = run(tmp_path, capsys, "synthea.json", text, "--mrn-system", mrn)
    assert code == 0, out
    assert "skipped (not client data): 1 Condition, 1 Encounter" in out
    (row,) = rows(
        tmp_path,
        "SELECT external_ref, identifier_system, name, date_of_birth, phone, address, lat, lon,"
        " language FROM clients",
    )
    assert row == (
        "d5582579-7193-4866-5560-a01e723b6552",
        mrn,
        "Lindsay928 Gerlach374",  # the prefix Mr. dropped
        "1950-10-24",
        "555-450-5873",
        "690 Raynor Overpass, Randolph, MA",
        42.167344139459686,
        -71.07262371813607,
        "en-US",
    )
    # The same record with the date written as people write it is refused, by field.
    broken = json.loads(text)
    broken["entry"][0]["resource"]["birthDate"] = "24/10/1950"
    code, out = run(tmp_path, capsys, "broken.json", json.dumps(broken), "--mrn-system", mrn)
    assert code == 1
    assert "Patient.birthDate '24/10/1950' is not valid" in out and "[Patient.birthDate]" in out


def test_bundle_maps_every_part_and_contacts_have_no_consent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    related = {
        "resourceType": "RelatedPerson",
        "id": "rp1",
        "patient": {"reference": "Patient/p1"},
        "relationship": [{"text": "sister"}],
        "name": [{"given": ["Cat"], "family": "Lee"}],
        "telecom": [{"system": "phone", "value": "714-555-0177"}],
    }
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    data = bundle(patient(), related, observation, kind="searchset")
    code, out = run(tmp_path, capsys, "b.json", data, "--mrn-system", "http://clinic.example/mrn")
    assert code == 0, out
    assert "skipped (not client data): 1 Observation" in out
    (client,) = rows(
        tmp_path,
        "SELECT external_ref, name, preferred_name, phone, lat, lon, zip FROM clients",
    )
    assert client == ("MRN-1", "Ann Marie Lee", "Annie", "714-555-0122", 33.745, -117.868, "92701")
    contacts = rows(
        tmp_path, "SELECT name, relation, phone, consent_to_contact FROM emergency_contacts"
    )
    assert sorted(contacts) == [
        ("Bob Lee", "emergency contact", "714-555-0199", 0),
        ("Cat Lee", "sister", "714-555-0177", 0),
    ]


def test_a_patient_without_the_programs_mrn_system_is_refused_by_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = patient(identifier=[{"system": "urn:other", "value": "X-9"}])
    code, out = run(tmp_path, capsys, "p.json", json.dumps(other), "--mrn-system", "urn:mrn")
    assert code == 1
    assert "Patient.identifier has no value of system urn:mrn [Patient.identifier]" in out
    assert rows(tmp_path, "SELECT COUNT(*) FROM clients") == [(0,)]


def test_a_postal_code_that_is_not_a_us_zip_stays_in_the_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    abroad = patient(
        address=[{"line": ["534 Erewhon St"], "city": "PleasantVille", "postalCode": "3999"}]
    )
    code, out = run(tmp_path, capsys, "p.json", json.dumps(abroad))
    assert code == 0, out
    assert rows(tmp_path, "SELECT address, zip FROM clients") == [
        ("534 Erewhon St, PleasantVille, 3999", None)
    ]


def test_without_a_setting_the_first_identifier_is_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, capsys, "p.json", json.dumps(patient()))
    assert code == 0, out
    assert rows(tmp_path, "SELECT external_ref, identifier_system FROM clients") == [
        ("X-9", "urn:other")
    ]


def test_broken_records_are_named_by_field_and_the_valid_ones_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = [
        patient(identifier=[{"value": "B-1"}], birthDate="24/10/1950"),
        patient(identifier=[{"value": "B-2"}], birthDate="2090-01-01"),
        patient(identifier=[{"value": "B-3"}], birthDate="1950"),
        patient(identifier=None),
        patient(identifier=[{"value": "B-5"}], name=[{"use": "old", "family": "Gone"}]),
        patient(identifier=[{"value": "B-6"}], gender="yes"),
        patient(identifier=[{"value": "B-7"}], telecom=[{"system": "phone", "value": "call me"}]),
        patient(identifier=[{"value": "B-8"}], name=[{"family": ["Dstu", "Two"]}]),
        patient(identifier=[{"value": "B-9"}], unknownThing=1),
        {
            "resourceType": "RelatedPerson",
            "patient": {"reference": "Patient/nobody"},
            "name": [{"family": "Orphan"}],
        },
    ]
    lines = [json.dumps(patient(identifier=[{"value": "OK-1"}]))]
    lines += [json.dumps(r) for r in broken]
    lines += ["{not json", json.dumps(patient(identifier=[{"value": "OK-2"}]))]
    code, out = run(tmp_path, capsys, "export.ndjson", "\n".join(lines) + "\n")
    assert code == 1
    assert "2 added" in out and "11 rejected" in out
    expected = {
        "B-1": "Patient.birthDate '24/10/1950'",
        "B-2": "Patient.birthDate 2090-01-01 is not a possible date of birth",
        "B-3": "Patient.birthDate '1950' is not a full date",
        "B-5": "Patient.name is required",
        "B-6": "Patient.gender 'yes'",
        "B-7": "Patient.telecom.phone 'call me' is not a phone number",
        "B-8": "Patient.name[0].family",
        "B-9": "Patient.unknownThing",
    }
    for ref, reason in expected.items():
        assert any(ref in line and reason in line for line in out.splitlines()), (ref, out)
    assert "Patient.identifier is required" in out
    assert "RelatedPerson.patient 'Patient/nobody' is no patient imported" in out
    assert "line 12: not JSON" in out
    assert sorted(rows(tmp_path, "SELECT external_ref FROM clients")) == [("OK-1",), ("OK-2",)]


def test_a_later_relatedperson_file_joins_clients_on_file_by_identifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, capsys, "Patient.ndjson", json.dumps(patient()) + "\n")[0] == 0

    def sponsor(ref: str, family: str) -> str:
        return json.dumps(
            {
                "resourceType": "RelatedPerson",
                "patient": {"identifier": {"system": "urn:other", "value": ref}},
                "relationship": [{"coding": [{"code": "N"}]}],
                "name": [{"given": ["Sam"], "family": family}],
                "telecom": [{"system": "phone", "value": "714-555-0144"}],
            }
        )

    text = sponsor("X-9", "Known") + "\n" + sponsor("X-404", "Stranger") + "\n"
    code, out = run(tmp_path, capsys, "RelatedPerson.ndjson", text)
    assert code == 1
    assert "1 emergency contacts added" in out
    assert "RelatedPerson.patient names X-404, who is no client on file" in out
    assert ("Sam Known", "next of kin", 0) in rows(
        tmp_path, "SELECT name, relation, consent_to_contact FROM emergency_contacts"
    )


def test_reimport_updates_in_place_audits_the_fields_and_keeps_recorded_consent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.dumps(patient())
    assert run(tmp_path, capsys, "a.json", first)[0] == 0
    conn = sqlite3.connect(tmp_path / "oncall.db")
    conn.execute("UPDATE emergency_contacts SET consent_to_contact = 1")  # a clinician did
    conn.commit()
    conn.close()
    code, out = run(tmp_path, capsys, "a.json", first)
    assert code == 0 and "0 added, 0 updated, 1 unchanged" in out
    moved = patient(birthDate="1980-02-04", telecom=[{"system": "phone", "value": "714-555-0133"}])
    code, out = run(tmp_path, capsys, "a.json", json.dumps(moved))
    assert code == 0 and "1 updated" in out
    assert "X-9): date_of_birth, phone" in out
    assert rows(tmp_path, "SELECT COUNT(*), date_of_birth, phone, email FROM clients") == [
        (1, "1980-02-04", "714-555-0133", "ann@example.org")  # e-mail left out: kept
    ]
    assert rows(tmp_path, "SELECT consent_to_contact FROM emergency_contacts") == [(1,)]
    (detail,) = rows(
        tmp_path, "SELECT detail FROM audit_log WHERE action = 'client.updated_by_import'"
    )
    assert json.loads(detail[0])["fields"] == ["date_of_birth", "phone"]
    # The earlier values are kept, as for an edit made in the console.
    assert sorted(rows(tmp_path, "SELECT field, old_value, new_value FROM client_changes")) == [
        ("date_of_birth", "1980-02-03", "1980-02-04"),
        ("phone", "714-555-0122", "714-555-0133"),
    ]


def test_dry_run_reports_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, capsys, "a.json", json.dumps(patient()), "--dry-run")
    assert code == 0
    assert "Dry run, nothing written: would have 1 added" in out
    assert rows(tmp_path, "SELECT COUNT(*) FROM clients") == [(0,)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'client.%'") == [(0,)]


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(tmp_path / "oncall.db")
    code = main(["clients", "import", "--db", str(tmp_path / "oncall.db"), str(tmp_path / "no")])
    assert code == 2
    out = capsys.readouterr()
    assert "There is no file" in out.out + out.err
