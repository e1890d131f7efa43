"""`oncall downtime pack`: the right clients, sealed to a passphrase, owner-only, audited."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import Clinic
from downtime_support import PASSPHRASE, PLAN, downtime_night
from oncall.cli import main
from oncall.domain.downtime_pack import CASELOAD, OPEN_EPISODE, RECENT_ALERT
from oncall.services import identity
from oncall.services.downtime import build_pack, pack_bytes, read_pack
from oncall.services.downtime_crypto import DowntimeFileError, seal
from oncall.store.audit import audit_entries


@pytest.fixture
def night(clinic: Clinic) -> Iterator[Clinic]:
    """The clinic at night (downtime_support.downtime_night)."""
    yield downtime_night(clinic)
    identity.act_as_gate_login(None)


def test_the_pack_holds_the_caseload_and_the_programs_open_episodes_with_what_a_crisis_needs(
    night: Clinic,
) -> None:
    pack = read_pack(pack_bytes(build_pack(night.ctx("alice")), PASSPHRASE), PASSPHRASE, "p")
    by_ref = {c.client.external_ref: c for c in pack.clients}
    assert list(by_ref) == ["C-4", "C-2", "C-1", "C-3"]  # open episode first, then by name
    assert by_ref["C-1"].reasons == [CASELOAD]
    assert by_ref["C-4"].reasons == [OPEN_EPISODE, RECENT_ALERT]
    jordan = by_ref["C-1"]
    assert (
        jordan.plan is not None and jordan.plan.sections["warning_signs"] == PLAN["warning_signs"]
    )
    assert (
        jordan.plan.reasons_for_living == "My daughter" and jordan.plan_saved_by == "Alice Rivera"
    )
    assert [(c.name, c.phone, c.consent_to_contact) for c in jordan.contacts] == [
        ("Sam Sample", "+1-714-555-0199", True)
    ]
    assert (
        jordan.client.consent_emergency_contact
        and not by_ref["C-2"].client.consent_emergency_contact
    )
    morgan = by_ref["C-4"]
    assert morgan.risk is not None
    assert (morgan.risk.level, morgan.risk.source, morgan.risk.assessed_by) == (
        "high",
        "C-SSRS",
        "Bob Okafor",
    )
    [open_episode] = morgan.episodes
    kinds = [e.kind.value for e in open_episode.timeline]
    assert "alert_attached" in kinds and "risk_screening" in kinds
    assert pack.made_for == "alice" and pack.made_at == night.clock.now()
    assert [(s.role.value, s.name, s.phone) for s in pack.rota] == [
        ("primary", "Alice Rivera", "+1-714-555-0100"),
        ("backup", "Bob Okafor", "+1-714-555-0100"),
        ("supervisor", "Sue Lindqvist", "+1-714-555-0100"),
    ]
    # Crisis entries of the pack's counties only (no food bank, nothing from Kern).
    assert [r.name for r in pack.resources] == ["Orange Crisis Line", "Riverside Mobile Crisis"]
    assert "988 Suicide & Crisis Lifeline" in {r.name for r in pack.national_lines}


def test_a_peer_off_the_rota_gets_only_the_clients_whose_record_opens_to_them(
    night: Clinic,
) -> None:
    pack = build_pack(night.ctx("pat"))
    assert pack.clients == [] and pack.made_for == "pat"


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize(
    ("damage", "passphrase", "sentence"),
    [
        (None, "lantern-harbor-43", "The passphrase is wrong, or pack.bin was changed since"),
        (_flip_last, PASSPHRASE, "The passphrase is wrong, or pack.bin was changed since"),
        (lambda d: d[:40], PASSPHRASE, "pack.bin is damaged: it ends before its contents."),
        (lambda d: b"PK" + d, PASSPHRASE, "pack.bin is not an oncall downtime pack."),
    ],
)
def test_a_wrong_passphrase_or_a_damaged_file_is_one_sentence(
    night: Clinic,
    damage: Callable[[bytes], bytes] | None,
    passphrase: str,
    sentence: str,
) -> None:
    data = pack_bytes(build_pack(night.ctx("alice")), PASSPHRASE)
    with pytest.raises(DowntimeFileError) as raised:
        read_pack(damage(data) if damage else data, passphrase, "pack.bin")
    assert str(raised.value).startswith(sentence)


def test_pack_out_writes_an_owner_only_file_and_audits_each_client(
    night: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    identity.act_as_gate_login("alice")
    out = tmp_path / "downtime.pack"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    db = str(night.store.path)
    assert main(["--db", db, "downtime", "pack", "--out", str(out), "--passphrase-stdin"]) == 0
    said = capsys.readouterr()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert PASSPHRASE.encode() not in out.read_bytes()
    # The command runs on the real clock: her caseload is in it whenever it runs.
    pack = read_pack(out.read_bytes(), PASSPHRASE, out.name)
    refs = {c.client.external_ref for c in pack.clients}
    assert {"C-1", "C-2", "C-3"} <= refs and "C-5" not in refs
    assert said.out == "" and "Downtime pack for alice, made" in said.err
    assert f" {len(refs)} clients, " in said.err
    with night.store.read() as conn:
        entries = [e for e in audit_entries(conn) if e.action.startswith("downtime.")]
    packed = [e for e in entries if e.action == "downtime.client_packed"]
    assert {e.client_id for e in packed} == {night.clients[ref] for ref in refs}
    assert all(e.actor == "alice" for e in entries)
    [summary] = [e for e in entries if e.action == "downtime.packed"]
    assert summary.detail["clients"] == len(refs)
    identity.act_as_gate_login("sue")
    assert main(["audit", "--client", "C-1", "--since", "2026-11-22", "--db", db]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "downtime" in line]
    assert len(rows) == 1 and "alice" in rows[0] and "downtime.client_packed" in rows[0]


def test_a_short_passphrase_or_two_that_differ_write_nothing(
    night: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    identity.act_as_gate_login("alice")
    out = tmp_path / "p"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    args = ["--db", str(night.store.path), "downtime", "pack", "--out", str(out)]
    assert main([*args, "--passphrase-stdin"]) == 1
    assert capsys.readouterr().err == (
        "oncall: The passphrase must be at least 8 characters long.\n"
    )
    answers = iter([PASSPHRASE, PASSPHRASE + "!"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.delenv("ONCALL_DOWNTIME_PASSPHRASE", raising=False)
    assert main(args) == 1
    assert capsys.readouterr().err == "oncall: The two passphrases differ; nothing was written.\n"
    assert not out.exists()
    with night.store.read() as conn:
        assert not [e for e in audit_entries(conn) if e.action.startswith("downtime.")]


def test_the_gate_runs_downtime_pack_for_a_clinician_on_standard_output_only(
    night: Clinic, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    db = str(night.store.path)
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime pack --passphrase-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["--db", db, "gate", "alice"]) == 0
    sent = capsysbinary.readouterr()
    pack = read_pack(sent.out, PASSPHRASE, "stdout")
    assert pack.made_for == "alice" and len(pack.clients) >= 3
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime pack --out /tmp/x.pack")
    assert main(["--db", db, "gate", "alice"]) == 1
    assert capsysbinary.readouterr().err == (
        b"oncall: Through the gate the pack comes on standard output: downtime pack > FILE\n"
    )
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime open")
    assert main(["--db", db, "gate", "alice"]) == 1
    assert b"'downtime open' is not something the gate runs." in capsysbinary.readouterr().err


def test_downtime_open_with_a_wrong_passphrase_says_so_in_one_sentence(
    night: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = tmp_path / "downtime.pack"
    pack.write_bytes(pack_bytes(build_pack(night.ctx("alice")), PASSPHRASE))
    monkeypatch.setenv("ONCALL_DOWNTIME_PASSPHRASE", "not-the-passphrase")
    assert main(["downtime", "open", str(pack)]) == 1
    assert capsys.readouterr().err == (
        "oncall: The passphrase is wrong, or downtime.pack was changed since it was made.\n"
    )
    assert main(["downtime", "open", str(tmp_path / "missing.pack")]) == 1
    assert (
        capsys.readouterr().err
        == f"oncall: There is no downtime pack at {tmp_path}/missing.pack.\n"
    )
    monkeypatch.setenv("ONCALL_DOWNTIME_PASSPHRASE", PASSPHRASE)
    assert main(["downtime", "open", str(pack)]) == 1  # right passphrase, but no terminal here
    assert "The pack opens (4 clients, made Sun 22 Nov 03:00 PST)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("document", "sentence"),
    [
        (b"\xff\xfe not json", "p.bin is damaged: its contents cannot be read."),
        (b'{"version": 2}', "p.bin was made by another version of oncall; make a new pack"),
        (
            b'{"version": 1, "made_at": "yesterday"}',
            "p.bin is damaged, or was made by another version of oncall: pack.made_at is not a",
        ),
    ],
)
def test_a_sealed_document_that_is_no_pack_is_one_sentence(document: bytes, sentence: str) -> None:
    with pytest.raises(DowntimeFileError) as raised:
        read_pack(seal(document, PASSPHRASE), PASSPHRASE, "p.bin")
    assert str(raised.value).startswith(sentence)


def test_a_pack_every_15_minutes_writes_each_clients_own_audit_row_once_a_day(
    night: Clinic,
) -> None:
    def rows() -> tuple[list[int | None], list[dict[str, object]]]:
        with night.store.read() as conn:
            entries = list(reversed(audit_entries(conn)))
        per_client = [e.client_id for e in entries if e.action == "downtime.client_packed"]
        packs = [e.detail for e in entries if e.action == "downtime.packed"]
        return per_client, packs

    build_pack(night.ctx("alice"))
    night.clock.advance(timedelta(minutes=15))
    build_pack(night.ctx("alice"))
    per_client, packs = rows()
    assert len(per_client) == 4 and len(packs) == 2
    assert packs[1]["client_ids"] == packs[0]["client_ids"] and len(packs[1]["client_ids"]) == 4
    assert (packs[0]["client_rows"], packs[1]["client_rows"]) == (4, 0)
    night.clock.advance(timedelta(hours=24))  # a day on, off the rota: her caseload only
    assert len(build_pack(night.ctx("alice")).clients) == 3
    assert len(rows()[0]) == 4 + 3


def test_a_pack_naming_an_unknown_time_zone_is_one_sentence(night: Clinic) -> None:
    pack = replace(build_pack(night.ctx("alice")), timezone="Mars/Olympus_Mons")
    with pytest.raises(DowntimeFileError) as raised:
        read_pack(pack_bytes(pack, PASSPHRASE), PASSPHRASE, "p.bin")
    assert str(raised.value) == "p.bin names a time zone this machine does not know."
