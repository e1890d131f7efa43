"""`oncall audit`: who looked at whom, and proof that the log was not altered."""

from __future__ import annotations

import os
import pwd
import sqlite3

import pytest

from conftest import Clinic, alert_record
from oncall.cli import main
from oncall.services.access import break_glass
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.views import view_client, view_episode
from oncall.store import people
from oncall.store.audit import audit_entries

ME = pwd.getpwuid(os.getuid()).pw_name


def _as(clinic: Clinic, role: str) -> None:
    with clinic.store.write() as conn:
        people.insert_staff(
            conn,
            login=ME,
            display_name="Privacy Officer",
            role=role,
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )


@pytest.fixture
def looked_at(clinic: Clinic) -> Clinic:
    """Alice works an episode for C-1; Bob breaks the glass to read C-1; Pat only reads C-2."""
    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id="a", client_ref="C-1")], origin="t"
    ).accepted_ids
    episode = acknowledge_alert(clinic.ctx("alice"), alert_id).episode
    assert episode is not None
    view_episode(clinic.ctx("alice"), episode.id)
    break_glass(clinic.ctx("bob"), clinic.clients["C-1"], "Covering for Alice during the outage")
    view_client(clinic.ctx("bob"), clinic.clients["C-1"])
    view_client(clinic.ctx("sue"), clinic.clients["C-2"])
    _as(clinic, "supervisor")
    return clinic


def test_who_looked_at_a_client(looked_at: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(looked_at.store.path)
    assert main(["audit", "--client", "C-1", "--since", "2026-11-22", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Audit entries for client C-1 since 2026-11-22 00:00" in out
    table = [line for line in out.splitlines() if line.startswith("2026-11-2")]
    who_did = {(line.split()[2], line.split()[3]) for line in table}
    assert ("alice", "episode.viewed") in who_did and ("alice", "alert.acknowledged") in who_did
    assert ("bob", "access.break_glass") in who_did and ("bob", "client.viewed") in who_did
    assert all(" C-1 " in f" {line} " for line in table)
    assert not any("sue" in line for line in table)  # Sue looked at C-2 only
    glass = next(line for line in table if "access.break_glass" in line)
    assert "reason=Covering for Alice" in glass
    # Times are shown in the clinic's zone: 11:00 UTC is 03:00 in Los Angeles.
    assert table[0].startswith("2026-11-22 03:00:00")


def test_filter_by_actor(looked_at: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(looked_at.store.path)
    code = main(["audit", "--client", "C-1", "--since", "2026-11-22", "--actor", "bob", "--db", db])
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("2026-11-2")]
    assert code == 0 and len(table) == 2
    assert {line.split()[2] for line in table} == {"bob"}


def test_the_query_is_itself_audited(looked_at: Clinic) -> None:
    main(["audit", "--client", "C-1", "--since", "2026-11-22", "--db", str(looked_at.store.path)])
    with looked_at.store.read() as conn:
        last = audit_entries(conn, limit=1)[0]
    assert (last.actor, last.action, last.client_id) == (
        ME,
        "audit.queried",
        looked_at.clients["C-1"],
    )


def test_only_supervisors_and_admins_read_the_audit_log(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _as(clinic, "clinician")
    code = main(
        ["audit", "--client", "C-1", "--since", "2026-11-22", "--db", str(clinic.store.path)]
    )
    assert code == 1
    assert "Only admins or supervisors may read the audit log" in capsys.readouterr().err


def test_unknown_client_and_bad_date_are_named(
    looked_at: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(looked_at.store.path)
    assert main(["audit", "--client", "C-404", "--since", "2026-11-22", "--db", db]) == 1
    assert main(["audit", "--client", "C-1", "--since", "last tuesday", "--db", db]) == 2
    assert main(["audit", "--db", db]) == 1
    err = capsys.readouterr().err
    assert "no client with the reference C-404" in err
    assert "--since 'last tuesday' is not a date" in err
    assert "Give --since DATE" in err


def test_verify_passes_then_names_the_altered_row(
    looked_at: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(looked_at.store.path)
    assert main(["audit", "--verify", "--db", db]) == 0
    assert "The audit log is intact" in capsys.readouterr().out
    # The database refuses to change the log...
    raw = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM audit_log WHERE id = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM access_grants")
    # ...so someone with the file drops the trigger first; the chain still tells.
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
    raw.commit()
    raw.close()
    assert main(["audit", "--verify", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "audit row 3: contents do not match its hash" in out
    assert "The audit log was altered" in out
