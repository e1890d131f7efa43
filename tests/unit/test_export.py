"""`oncall export episodes`: de-identified under Safe Harbor, identifiable ones tied to clients."""

from __future__ import annotations

import json
import os
import pwd
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.domain.types import Disposition
from oncall.services import closing, episodes
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.errors import ValidationFailed
from oncall.services.export import DEIDENTIFIED_FIELDS, export_episodes
from oncall.store import people

HANDOFF = {"org": "988 Orange County", "reference": "988-77", "callback": "+1-714-555-0101"}
RANGE = ["--since", "2026-11-01", "--until", "2026-11-30", "--format", "json"]


@pytest.fixture
def two_episodes(clinic: Clinic) -> Clinic:
    """Sun 22 Nov 03:00: C-1's episode opens and closes 26 h later; C-2's hotline handoff
    episode opens at 03:00 and is confirmed at 05:30 (2 whole hours after opening)."""
    ids = ingest_records(
        clinic.ctx(),
        [
            alert_record(id="o", client_ref="C-1"),
            alert_record(id="h", client_ref="C-2", source="hotline", handoff=HANDOFF),
        ],
        origin="test",
    ).accepted_ids
    first = acknowledge_alert(clinic.ctx("alice"), ids[0]).episode
    second = acknowledge_alert(clinic.ctx("bob"), ids[1]).episode
    assert first is not None and second is not None
    t0 = clinic.clock.now()
    clinic.clock.set(t0 + timedelta(hours=2, minutes=30))
    episodes.confirm_handoff(clinic.ctx("bob"), second.id)
    clinic.clock.set(t0 + timedelta(hours=26))
    make_safe_to_close(clinic.ctx("alice"), first.id)
    closing.close_episode(
        clinic.ctx("alice"),
        first.id,
        disposition=Disposition.STABILIZED,
        summary="Client safe at home with her sister Sam",
        follow_ups=[],
        no_follow_up_reason="Moved to another program on 2026-11-23",
    )
    with clinic.store.write() as conn:  # the commands act as the OS account: a supervisor
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


def test_deidentified_export_keeps_only_years_and_pseudonyms(
    two_episodes: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(two_episodes.store.path)
    assert main(["export", "episodes", "--db", path, *RANGE, "--deidentify"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert "HIPAA Safe Harbor (45 CFR 164.514(b)(2))" in captured.err
    # No date finer than the year, no county, program, staff, free text or internal id.
    assert not re.search(r"2026-\d\d|T\d\d:\d\d", captured.out)
    for leak in ("Orange", "Virtual IOP", "alice", "bob", "Sam", "C-1", "C-2", "988-77"):
        assert leak not in captured.out
    assert all(set(r) == KEYS for r in rows)  # no episode, alert or client id among them
    assert all(tuple(r) == DEIDENTIFIED_FIELDS for r in rows)  # the CSV header's order
    by_handoff = {r["hotline_handoff"]: r for r in rows}
    closed, pending = by_handoff[False], by_handoff[True]
    assert (closed["opened_year"], closed["closed_year"], closed["hours_open"]) == (2026, 2026, 26)
    assert closed["disposition"] == "stabilized" and pending["closed_year"] is None
    assert pending["handoff_confirmed_after_hours"] == 2
    assert re.fullmatch(r"P-[0-9a-f]{8}", closed["client"])
    assert re.fullmatch(r"E-[0-9a-f]{8}", closed["episode"])
    assert closed["client"] != pending["client"]


KEYS = {
    "client",
    "episode",
    "opened_year",
    "closed_year",
    "hours_open",
    "status",
    "risk_level",
    "disposition",
    "hotline_handoff",
    "handoff_confirmed_after_hours",
    "alerts",
    "alert_kinds",
    "highest_severity",
    "follow_ups",
}


def test_county_only_when_configured(two_episodes: Clinic) -> None:
    start = two_episodes.clock.now() - timedelta(days=5)
    end = start + timedelta(days=10)
    settings = replace(two_episodes.settings, deidentified_geography="county")
    two_episodes.settings = settings
    rows = export_episodes(two_episodes.ctx("sue"), start, end, deidentify=True)
    assert {r["county"] for r in rows} == {"Orange"}
    two_episodes.settings = replace(settings, deidentified_geography="zip")
    with pytest.raises(ValidationFailed, match="deidentified_geography is 'zip'"):
        export_episodes(two_episodes.ctx("sue"), start, end, deidentify=True)


def test_an_empty_deidentified_csv_has_the_deidentified_header(
    two_episodes: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(two_episodes.store.path)
    empty = ["--since", "2025-01-01", "--until", "2025-01-31", "--deidentify"]
    assert main(["export", "episodes", "--db", path, *empty]) == 0
    assert capsys.readouterr().out.strip() == ",".join(DEIDENTIFIED_FIELDS)


def test_a_clinician_may_not_export_even_deidentified(
    two_episodes: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    with two_episodes.store.write() as conn:
        conn.execute(
            "UPDATE staff SET role = 'clinician' WHERE login = ?",
            (pwd.getpwuid(os.getuid()).pw_name,),
        )
    path = str(two_episodes.store.path)
    assert main(["export", "episodes", "--db", path, *RANGE, "--deidentify"]) == 1
    captured = capsys.readouterr()
    assert "Only admins or supervisors may export de-identified episodes" in captured.err
    assert captured.out == ""


def test_identifiable_export_shows_in_each_clients_audit(
    two_episodes: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(two_episodes.store.path)
    assert main(["export", "episodes", "--db", path, *RANGE, "--deidentify"]) == 0
    assert main(["export", "episodes", "--db", path, *RANGE]) == 0
    capsys.readouterr()
    for ref in ("C-1", "C-2"):
        assert main(["audit", "--db", path, "--client", ref, "--since", "2026-11-01"]) == 0
        lines = [ln for ln in capsys.readouterr().out.splitlines() if "export." in ln]
        # The identifiable export only: the de-identified one holds nothing of theirs.
        assert len(lines) == 1 and "export.client_included" in lines[0]
        assert "episodes=1" in lines[0]
    assert main(["audit", "--db", path, "--client", "C-3", "--since", "2026-11-01"]) == 0
    assert "export." not in capsys.readouterr().out
    assert main(["audit", "--db", path, "--verify"]) == 0  # the chain holds with them
