"""`oncall report`, `oncall handoff` and `oncall export episodes` from the command line."""

from __future__ import annotations

import json
import os
import pwd

import pytest

from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.store import people

HANDOFF = {"org": "988 Orange County", "reference": "988-77", "callback": "+1-714-555-0101"}


@pytest.fixture
def busy_clinic(clinic: Clinic) -> Clinic:
    """One hotline handoff awaiting confirmation and one open episode."""
    ids = ingest_records(
        clinic.ctx(),
        [
            alert_record(id="h", client_ref="C-1", source="hotline", handoff=HANDOFF),
            alert_record(id="o", client_ref="C-2"),
        ],
        origin="test",
    ).accepted_ids
    for alert_id in ids:
        acknowledge_alert(clinic.ctx("alice"), alert_id)
    # The commands act as the OS account running them: make it a supervisor.
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Test Supervisor",
            role="supervisor",
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
    return clinic


def test_report_json_counts_the_alerts(
    busy_clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "report",
            "--db",
            str(busy_clinic.store.path),
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--format",
            "json",
        ]
    )
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    by_measure = {(r["scope"], r["measure"]): r["value"] for r in rows}
    assert by_measure[("all", "alerts")] == 2
    assert by_measure[("all", "never acknowledged, deadline passed")] == 0
    assert by_measure[("all", "acknowledged within deadline")] == 100


def test_report_refuses_a_bad_date(busy_clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--db", str(busy_clinic.store.path), "--since", "22/11/2026"])
    assert code == 2
    assert "is not a date" in capsys.readouterr().err


def test_handoff_lists_the_pending_hotline_handoff(
    busy_clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handoff", "--db", str(busy_clinic.store.path)]) == 0
    out = capsys.readouterr().out
    assert "Hotline handoffs awaiting confirmation (1)" in out
    assert "confirm contact for 988 Orange County handoff 988-77" in out
    assert "Open episodes (1)" in out and "Casey Sample" in out


def test_deidentified_export_drops_identifiers(
    busy_clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(busy_clinic.store.path)
    assert (
        main(
            [
                "export",
                "episodes",
                "--db",
                path,
                "--since",
                "2026-11-01",
                "--until",
                "2026-11-30",
                "--format",
                "json",
            ]
        )
        == 0
    )
    full = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in full} == {"Jordan Test", "Casey Sample"}
    assert (
        main(
            [
                "export",
                "episodes",
                "--db",
                path,
                "--since",
                "2026-11-01",
                "--until",
                "2026-11-30",
                "--format",
                "json",
                "--deidentify",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    for secret in ("Jordan", "Casey", "C-1", "555-0142", "summary", "date_of_birth"):
        assert secret not in text
    rows = json.loads(text)
    assert len(rows) == 2 and all(r["client"].startswith("P-") for r in rows)
