"""`oncall staff rename|set-role|deactivate --reassign-to`: nothing goes unattended, all audited."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from init_support import init_database
from oncall.cli import main
from oncall.domain.timefmt import to_iso

NOW = datetime.now(UTC)


def _run(db: Path, *args: str) -> int:
    return main(["staff", *args, "--db", str(db)])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database made by init (this account its admin) with two clinicians."""
    path = init_database(tmp_path / "oncall.db")
    assert _run(path, "add", "mreyes", "--name", "Marisol Reyes", "--role", "clinician") == 0
    assert _run(path, "add", "jkim", "--name", "Jae Kim", "--role", "clinician") == 0
    return path


def _sql(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(sql, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def _staff_id(db: Path, login: str) -> int:
    return int(_sql(db, "SELECT id FROM staff WHERE login = ?", login)[0][0])  # type: ignore[call-overload]


def _give_work(db: Path, login: str) -> None:
    """An open episode with a pending follow-up, a shift under way and one next week."""
    who = _staff_id(db, login)
    at = to_iso(NOW - timedelta(hours=1))
    _sql(db, "INSERT INTO clients (id, external_ref, name) VALUES (1, 'C-1', 'Rosa Diaz')")
    _sql(
        db,
        "INSERT INTO episodes (id, client_id, opened_at, opened_by, status)"
        " VALUES (1, 1, ?, ?, 'open')",
        at,
        who,
    )
    _sql(
        db,
        "INSERT INTO follow_ups (episode_id, client_id, kind, due_at, assignee_id, status,"
        " created_at) VALUES (1, 1, 'check_in_24h', ?, ?, 'pending', ?)",
        to_iso(NOW + timedelta(hours=20)),
        who,
        at,
    )
    for start, end in ((-2, 6), (24 * 7, 24 * 7 + 8)):
        _sql(
            db,
            "INSERT INTO on_call_shifts (staff_id, role, starts_at, ends_at) VALUES (?,?,?,?)",
            who,
            "primary",
            to_iso(NOW + timedelta(hours=start)),
            to_iso(NOW + timedelta(hours=end)),
        )


def test_deactivating_someone_with_work_lists_it_and_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _give_work(db, "mreyes")
    capsys.readouterr()
    assert _run(db, "deactivate", "mreyes") == 1
    out = capsys.readouterr().out
    assert "mreyes still holds 4 things" in out and "--reassign-to" in out
    for line in ("follow-up 1", "episode 1", "shift 1", "shift 2"):
        assert line in out
    assert _sql(db, "SELECT active FROM staff WHERE login = 'mreyes'") == [(1,)]


def test_reassign_to_hands_everything_over_and_the_rota_shows_the_new_person(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _give_work(db, "mreyes")
    assert _run(db, "deactivate", "mreyes", "--reassign-to", "jkim") == 0
    jkim, mreyes = _staff_id(db, "jkim"), _staff_id(db, "mreyes")
    assert _sql(db, "SELECT assignee_id FROM follow_ups") == [(jkim,)]
    assert _sql(db, "SELECT opened_by FROM episodes") == [(jkim,)]
    later = to_iso(datetime.now(UTC))
    shifts = _sql(db, "SELECT staff_id FROM on_call_shifts WHERE ends_at > ?", later)
    assert {s[0] for s in shifts} == {jkim}
    # The hours she already worked today stay hers.
    assert _sql(db, "SELECT COUNT(*) FROM on_call_shifts WHERE staff_id = ?", mreyes) == [(1,)]
    (detail,) = _sql(db, "SELECT detail FROM audit_log WHERE action = 'staff.deactivated'")
    assert json.loads(str(detail[0]))["reassigned_to"] == "jkim"
    capsys.readouterr()
    assert main(["rota", "--db", str(db)]) == 0
    rota = capsys.readouterr().out
    assert "Jae Kim" in rota and "Marisol Reyes" not in rota.split("Rota")[0]


def test_rota_never_shows_an_inactive_person_on_call(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _give_work(db, "mreyes")
    _sql(db, "UPDATE staff SET active = 0 WHERE login = 'mreyes'")  # e.g. an older database
    capsys.readouterr()
    assert main(["rota", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Marisol Reyes" not in out
    assert "primary     nobody" in out


def test_rename_and_set_role_are_audited_and_the_last_admin_stays(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "rename", "mreyes", "--name", "Marisol  Reyes-Ortiz") == 0
    assert _sql(db, "SELECT display_name FROM staff WHERE login = 'mreyes'") == [
        ("Marisol Reyes-Ortiz",)
    ]
    assert _run(db, "set-role", "mreyes", "supervisor") == 0
    (me,) = _sql(db, "SELECT login FROM staff WHERE role = 'admin'")
    capsys.readouterr()
    assert _run(db, "set-role", str(me[0]), "clinician") == 1
    assert "last active admin" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        _run(db, "set-role", "mreyes", "chef")
    assert usage.value.code == 2
    actions = [r[0] for r in _sql(db, "SELECT action FROM audit_log ORDER BY id")]
    assert "staff.renamed" in actions and "staff.role_changed" in actions
    assert main(["audit", "--verify", "--db", str(db)]) == 0


def test_only_admins_rename(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me = _sql(db, "SELECT login FROM staff WHERE role = 'admin'")[0][0]
    assert _run(db, "add", "boss2", "--name", "Second Admin", "--role", "admin") == 0
    assert _run(db, "set-role", str(me), "supervisor") == 0  # another admin remains
    capsys.readouterr()
    assert _run(db, "rename", "jkim", "--name", "J. Kim") == 1
    assert "admin" in capsys.readouterr().err
