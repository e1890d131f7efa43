"""The on-call rota: who is on call now, the rota over days with its gaps, and `oncall rota`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import Clinic
from oncall.cli import main
from oncall.domain.types import ShiftRole
from oncall.services.errors import ValidationFailed
from oncall.services.rota import on_call_now, rota_between, rota_for_days
from oncall.store import people


def test_who_is_on_call_now(clinic: Clinic) -> None:
    now = on_call_now(clinic.ctx())
    assert [e.name for e in now.primary] == ["Alice Rivera"]
    assert [e.name for e in now.backup] == ["Bob Okafor"]
    assert [e.name for e in now.supervisor] == ["Sue Lindqvist"]
    assert now.uncovered == []
    later = on_call_now(clinic.ctx(), clinic.clock.now() + timedelta(hours=6))
    assert later.uncovered == [ShiftRole.PRIMARY, ShiftRole.BACKUP, ShiftRole.SUPERVISOR]


def test_rota_over_a_range_lists_shifts_and_the_gaps_in_cover(clinic: Clinic) -> None:
    start = clinic.clock.now() - timedelta(hours=6)  # the clinic's shifts run 12 h from here
    with clinic.store.write() as conn:
        people.insert_shift(
            conn,
            staff_id=clinic.staff["bob"].id,
            role=ShiftRole.PRIMARY,
            starts_at=start + timedelta(hours=12),
            ends_at=start + timedelta(hours=24),
        )
    rota = rota_between(clinic.ctx(), start, start + timedelta(hours=24))
    assert [(e.role, e.name) for e in rota.entries][-1] == (ShiftRole.PRIMARY, "Bob Okafor")
    gaps = {(g.role, g.starts_at - start, g.ends_at - start) for g in rota.gaps}
    assert gaps == {
        (ShiftRole.BACKUP, timedelta(hours=12), timedelta(hours=24)),
        (ShiftRole.SUPERVISOR, timedelta(hours=12), timedelta(hours=24)),
    }


def test_rota_for_days_starts_at_local_midnight(clinic: Clinic) -> None:
    rota = rota_for_days(clinic.ctx(), date(2026, 11, 22), days=7)
    local = rota.starts_at.astimezone(clinic.settings.zone)
    assert (local.hour, local.minute, local.date()) == (0, 0, date(2026, 11, 22))
    assert rota.ends_at - rota.starts_at == timedelta(days=7)
    assert len(rota.entries) == 3
    with pytest.raises(ValidationFailed, match="between 1 and 366 days"):
        rota_for_days(clinic.ctx(), days=0)


def test_oncall_rota_prints_the_week_and_who_is_on_call_now(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command reads the real clock: put a shift around the real now.
    real_now = datetime.now(UTC)
    with clinic.store.write() as conn:
        people.insert_shift(
            conn,
            staff_id=clinic.staff["sue"].id,
            role=ShiftRole.SUPERVISOR,
            starts_at=real_now - timedelta(hours=1),
            ends_at=real_now + timedelta(hours=1),
        )
    assert main(["rota", "--db", str(clinic.store.path)]) == 0
    out = capsys.readouterr().out
    assert "On call now" in out
    now_section = out.split("On call now", 1)[1].split("\n\n", 1)[0]
    assert "supervisor  Sue Lindqvist" in now_section
    assert "primary     nobody" in now_section


def test_oncall_rota_refuses_a_bad_date(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rota", "--db", str(clinic.store.path), "--from", "22/11/2026"]) == 2
    assert "--from '22/11/2026' is not a date" in capsys.readouterr().err


def test_oncall_rota_on_a_missing_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rota", "--db", str(tmp_path / "none.db")]) == 1
    assert "There is no database" in capsys.readouterr().err
