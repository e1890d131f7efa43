"""A supervisor covers or swaps shifts: the rota follows at once, audited, the colleague told."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import Clinic
from init_support import init_database
from oncall.cli import main
from oncall.domain.types import ShiftRole
from oncall.services.errors import NotFound, PermissionDenied, ValidationFailed
from oncall.services.escalation_notices import notices_since
from oncall.services.rota import on_call_now, rota_between
from oncall.services.rota_changes import cover_shift, swap_shifts
from oncall.store import outbox, people

PRIMARY, BACKUP = 1, 2  # the clinic's shifts: Alice primary, Bob backup, Sue supervisor


def _audit(clinic: Clinic, action: str) -> list[dict[str, object]]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT detail FROM audit_log WHERE action = ?", (action,)).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_cover_from_now_splits_the_shift_and_tells_the_colleague(clinic: Clinic) -> None:
    now = clinic.clock.now()
    change = cover_shift(clinic.ctx("sue"), PRIMARY, clinic.staff["pat"].id)
    assert "Pat Moreno covers Alice Rivera's primary shift" in change.message
    # The cover starts now; what Alice worked stays hers (figures read it).
    later = on_call_now(clinic.ctx(), now + timedelta(minutes=1))
    assert [e.name for e in later.primary] == ["Pat Moreno"]
    earlier = on_call_now(clinic.ctx(), now - timedelta(minutes=1))
    assert [e.name for e in earlier.primary] == ["Alice Rivera"]
    [detail] = _audit(clinic, "rota.covered")
    assert detail["split"] is True and detail["to_staff_id"] == clinic.staff["pat"].id
    notices, _ = notices_since(clinic.ctx("pat"), 0, clinic.staff["pat"].id)
    assert len(notices) == 1
    assert "Sue Lindqvist asked you to cover Alice Rivera's primary shift" in notices[0].message
    # It starts now: Pat is paged too, in case no console of theirs is open.
    with clinic.store.read() as conn:
        [page] = outbox.messages(conn)
    assert (page["kind"], page["target"]) == ("page", "staff:pat")
    assert "asked you to cover" in json.loads(page["payload"])["message"]


def test_cover_from_a_later_time_and_a_whole_shift_not_yet_begun(clinic: Clinic) -> None:
    now = clinic.clock.now()
    cover_shift(clinic.ctx("sue"), PRIMARY, clinic.staff["pat"].id, now + timedelta(hours=2))
    names = [
        e.name
        for e in rota_between(
            clinic.ctx(), now - timedelta(hours=6), now + timedelta(hours=6)
        ).entries
        if e.role is ShiftRole.PRIMARY
    ]
    assert names == ["Alice Rivera", "Pat Moreno"]
    assert [e.name for e in on_call_now(clinic.ctx(), now + timedelta(hours=1)).primary] == [
        "Alice Rivera"
    ]
    with clinic.store.write() as conn:
        tomorrow = people.insert_shift(
            conn,
            staff_id=clinic.staff["alice"].id,
            role=ShiftRole.PRIMARY,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=8),
        )
    change = cover_shift(clinic.ctx("sue"), tomorrow, clinic.staff["bob"].id)
    assert change.shift_ids == (tomorrow,)  # the whole shift changes hands, not a split
    with clinic.store.read() as conn:
        assert outbox.messages(conn) == []  # not soon: announced in their console, not paged
    at = now + timedelta(days=1, hours=1)
    assert [e.name for e in on_call_now(clinic.ctx(), at).primary] == ["Bob Okafor"]


def test_cover_is_refused_with_a_reason(clinic: Clinic) -> None:
    now = clinic.clock.now()
    with pytest.raises(PermissionDenied, match="supervisors and admins"):
        cover_shift(clinic.ctx("alice"), PRIMARY, clinic.staff["pat"].id)
    with pytest.raises(ValidationFailed, match="cannot start in the past"):
        cover_shift(clinic.ctx("sue"), PRIMARY, clinic.staff["pat"].id, now - timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="must start within the shift"):
        cover_shift(clinic.ctx("sue"), PRIMARY, clinic.staff["pat"].id, now + timedelta(days=2))
    # Bob is the backup now: he cannot be primary and backup at once.
    with pytest.raises(ValidationFailed, match="Bob Okafor is already backup"):
        cover_shift(clinic.ctx("sue"), PRIMARY, clinic.staff["bob"].id, now + timedelta(hours=1))
    with pytest.raises(NotFound, match="no shift 99"):
        cover_shift(clinic.ctx("sue"), 99, clinic.staff["pat"].id)
    assert [e.name for e in on_call_now(clinic.ctx()).primary] == ["Alice Rivera"]
    assert _audit(clinic, "rota.covered") == []


def test_swap_trades_two_future_shifts_and_tells_both(clinic: Clinic) -> None:
    now = clinic.clock.now()
    ids = {}
    with clinic.store.write() as conn:
        for login, day in (("alice", 1), ("bob", 2)):
            ids[login] = people.insert_shift(
                conn,
                staff_id=clinic.staff[login].id,
                role=ShiftRole.PRIMARY,
                starts_at=now + timedelta(days=day),
                ends_at=now + timedelta(days=day, hours=8),
            )
    with pytest.raises(ValidationFailed, match="under way; cover it from now"):
        swap_shifts(clinic.ctx("sue"), PRIMARY, ids["bob"])
    swap_shifts(clinic.ctx("sue"), ids["alice"], ids["bob"])
    day1 = on_call_now(clinic.ctx(), now + timedelta(days=1, hours=1))
    day2 = on_call_now(clinic.ctx(), now + timedelta(days=2, hours=1))
    assert [e.name for e in day1.primary] == ["Bob Okafor"]
    assert [e.name for e in day2.primary] == ["Alice Rivera"]
    notices, _ = notices_since(clinic.ctx("sue"), 0, None)
    assert {n.recipient_id for n in notices} == {clinic.staff["alice"].id, clinic.staff["bob"].id}
    assert _audit(clinic, "rota.swapped")[0]["shifts"] == [ids["alice"], ids["bob"]]


def test_oncall_rota_cover_and_swap_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = init_database(tmp_path / "oncall.db")  # this account is its admin
    for login, name in (("mreyes", "Marisol Reyes"), ("jkim", "Jae Kim")):
        assert (
            main(["staff", "add", login, "--name", name, "--role", "clinician", "--db", str(db)])
            == 0
        )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    csv = tmp_path / "rota.csv"
    csv.write_text(
        "login,role,starts_at,ends_at\n"
        f"mreyes,primary,{start.isoformat()},{(start + timedelta(hours=8)).isoformat()}\n"
        f"jkim,primary,{(start + timedelta(hours=8)).isoformat()},"
        f"{(start + timedelta(hours=16)).isoformat()}\n"
    )
    assert main(["rota", "import", str(csv), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["rota", "--db", str(db), "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "Marisol Reyes  (shift 1)" in out and "Jae Kim  (shift 2)" in out
    assert main(["rota", "swap", "1", "2", "--db", str(db)]) == 0
    assert "Jae Kim now works shift 1" in capsys.readouterr().out
    split = (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M+00:00")
    assert main(["rota", "cover", "1", "--by", "mreyes", "--from", split, "--db", str(db)]) == 0
    assert "Marisol Reyes covers Jae Kim's primary shift" in capsys.readouterr().out
    assert main(["rota", "cover", "1", "--by", "jkim", "--db", str(db)]) == 1
    assert "Jae Kim already holds shift 1" in capsys.readouterr().err
    assert main(["rota", "cover", "1", "--by", "nobody", "--db", str(db)]) == 1
    assert "No staff member has the login 'nobody'" in capsys.readouterr().err
    assert main(["rota", "cover", "1", "--by", "jkim", "--from", "tomorrow", "--db", str(db)]) == 2
    assert "--from 'tomorrow' is not a time" in capsys.readouterr().err
    assert main(["rota", "--db", str(db), "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "Jae Kim  (shift 1)" in out and "Marisol Reyes  (shift 3)" in out
