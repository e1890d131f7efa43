"""`oncall downtime file-back`: each journal entry once, at its own time, conflicts listed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import Clinic
from downtime_support import PASSPHRASE, downtime_night
from oncall.cli import main
from oncall.domain.downtime_journal import (
    JOURNAL_VERSION,
    DowntimeJournal,
    JournalEntry,
    JournalKind,
)
from oncall.domain.timefmt import to_iso
from oncall.domain.types import ContactChannel, ContactResult, Disposition
from oncall.services import identity
from oncall.services.downtime import build_pack
from oncall.services.downtime_fileback import file_back
from oncall.services.downtime_journal import journal_bytes, make_entry
from oncall.services.downtime_status import pack_status, page_stale_packs
from oncall.services.errors import PermissionDenied, ValidationFailed
from oncall.store import episodes as episode_rows
from oncall.store import followups, outbox
from oncall.ui.widgets.timeline_text import event_line


@pytest.fixture
def night(clinic: Clinic) -> Iterator[Clinic]:
    """The clinic at night, and Alice's pack made at 03:00 (it holds Bob's client C-4)."""
    downtime_night(clinic)
    build_pack(clinic.ctx("alice"))
    yield clinic
    identity.act_as_gate_login(None)


def _journal(clinic: Clinic, episode_id: int) -> DowntimeJournal:
    """Three things Alice did for Morgan (C-4) at 03:10, 03:20 and 03:30 with the host down."""
    t0 = clinic.clock.now()
    entries = [
        make_entry(
            JournalKind.NOTE,
            at=t0 + timedelta(minutes=10),
            client_ref="C-4",
            episode_id=episode_id,
            text="Safety plan read through together",
        ),
        make_entry(
            JournalKind.CONTACT_ATTEMPT,
            at=t0 + timedelta(minutes=20),
            client_ref="C-4",
            episode_id=episode_id,
            who="Morgan",
            channel=ContactChannel.PHONE,
            result=ContactResult.REACHED,
        ),
        make_entry(
            JournalKind.DISPOSITION,
            at=t0 + timedelta(minutes=30),
            client_ref="C-4",
            episode_id=episode_id,
            disposition=Disposition.STABILIZED,
        ),
    ]
    return DowntimeJournal(JOURNAL_VERSION, "alice", entries)


def _episode_id(clinic: Clinic) -> int:
    with clinic.store.read() as conn:
        episode = episode_rows.open_episode_for_client(conn, clinic.clients["C-4"])
    assert episode is not None
    return episode.id


def test_three_entries_go_on_the_timeline_once_at_their_own_times(night: Clinic) -> None:
    episode_id = _episode_id(night)
    journal = _journal(night, episode_id)
    night.clock.advance(timedelta(hours=2))  # the host is back at 05:00
    report = file_back(night.ctx("alice"), journal)
    assert [e.kind for e in report.filed] == [
        JournalKind.NOTE,
        JournalKind.CONTACT_ATTEMPT,
        JournalKind.DISPOSITION,
    ]
    assert report.conflicts == [] and report.already_filed == []
    assert report.to_do == [
        f"Close episode #{episode_id} (C-4) with 'Stabilized by phone/video',"
        " decided Sun 22 Nov 03:30 during downtime."
    ]
    with night.store.read() as conn:
        events = episode_rows.timeline(conn, episode_id)
    filed = [e for e in events if e.body.get("entered_after_downtime")]
    assert [to_iso(e.at) for e in filed] == [to_iso(entry.at) for entry in journal.entries]
    assert {e.actor_id for e in filed} == {night.staff["alice"].id}
    line = event_line(
        filed[1], 3, "Alice Rivera", ZoneInfo("America/Los_Angeles"), night.clock.now()
    )
    assert "03:20" in line.plain and line.plain.endswith("[entered after downtime]")
    again = file_back(night.ctx("alice"), journal)
    assert again.filed == [] and len(again.already_filed) == 3 and again.conflicts == []
    with night.store.read() as conn:
        assert len(episode_rows.timeline(conn, episode_id)) == len(events)


def test_an_episode_closed_meanwhile_or_no_episode_is_listed_not_filed(night: Clinic) -> None:
    episode_id = _episode_id(night)
    journal = _journal(night, episode_id)
    no_episode = make_entry(
        JournalKind.NOTE,
        at=night.clock.now() + timedelta(minutes=5),
        client_ref="C-1",
        episode_id=None,
        text="Jordan called, doing fine",
    )
    with night.store.write() as conn:
        episode_rows.update_episode(
            conn,
            episode_id,
            status="closed",
            closed_at=to_iso(night.clock.now() + timedelta(minutes=15)),
            closed_by=night.staff["bob"].id,
        )
    journal = DowntimeJournal(JOURNAL_VERSION, "alice", [no_episode, *journal.entries])
    night.clock.advance(timedelta(hours=2))
    report = file_back(night.ctx("alice"), journal)
    assert report.filed == []
    reasons = [c.reason for c in report.conflicts]
    assert reasons[0] == (
        "The note for C-1 at Sun 22 Nov 03:05: C-1 had no open episode in the pack; open one"
        " in the console and enter it there."
    )
    assert reasons[1] == (
        f"The note for C-4 at Sun 22 Nov 03:10: episode #{episode_id} was closed Sun 03:15 by"
        " Bob Okafor meanwhile; add it to the record as an amendment."
    )
    assert len(reasons) == 4
    with pytest.raises(PermissionDenied, match="kept by alice; only they can file it back"):
        file_back(night.ctx("bob"), journal)


def test_file_back_through_the_gate_takes_the_passphrase_then_the_journal_on_stdin(
    night: Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = journal_bytes(_journal(night, _episode_id(night)), PASSPHRASE)
    db = str(night.store.path)
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime file-back --passphrase-stdin")
    for _ in range(2):
        stdin = io.TextIOWrapper(io.BytesIO(PASSPHRASE.encode() + b"\n" + data))
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["--db", db, "gate", "alice"]) == 0
    first, second = capsys.readouterr().out.split("Filed ")[1:]
    assert first.startswith("3 of 3 entries") and "C-4 contact attempt" in first
    assert "To do: Close episode" in first
    assert second.startswith("0 of 3 entries, each at its own time and marked entered after")
    assert "3 were filed before." in second
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime file-back /var/lib/oncall/x.journal")
    assert main(["--db", db, "gate", "alice"]) == 1
    assert "the journal comes on standard input" in capsys.readouterr().err


def test_status_names_whoever_is_on_call_without_a_fresh_pack(night: Clinic) -> None:
    night.clock.advance(timedelta(minutes=30))
    rows = {row.login: row for row in pack_status(night.ctx("sue"))}
    assert rows["bob"].stale and rows["bob"].made_at is None and rows["bob"].on_call_now
    assert not rows["alice"].stale and rows["alice"].clients == 4
    night.clock.advance(timedelta(minutes=31))  # 61 minutes: past downtime_stale_minutes
    assert next(r for r in pack_status(night.ctx("sue")) if r.login == "alice").stale
    with pytest.raises(PermissionDenied):
        pack_status(night.ctx("alice"))


def test_the_supervisor_is_paged_once_about_someone_on_call_without_a_pack(night: Clinic) -> None:
    night.clock.advance(timedelta(minutes=30))
    ctx = night.ctx("sue")
    assert page_stale_packs(ctx, pack_status(ctx)) == ["Bob Okafor"]
    assert page_stale_packs(ctx, pack_status(ctx)) == []  # every 15 minutes: once a shift
    with night.store.read() as conn:
        pages = [
            r for r in outbox.messages(conn) if str(r["idempotency_key"]).startswith("downtime")
        ]
    [page] = pages
    assert page["target"] == "staff:sue"
    assert "Bob Okafor is on call and has no downtime pack from the last 7 days" in page["payload"]
    assert "C-" not in page["payload"] and "Morgan" not in page["payload"]


def test_status_runs_for_the_service_account_and_is_refused_to_a_clinician_at_the_gate(
    night: Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(night.store.path)
    assert main(["--db", db, "downtime", "status", "--page"]) == 0  # owner of the file: cron
    out = capsys.readouterr().out  # the real clock: after the fixture's rota, nobody on call
    assert out.startswith("Downtime packs (stale when older than 60 min for whoever is on call")
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "downtime status")
    assert main(["--db", db, "gate", "alice"]) == 1
    assert "'downtime status' is not allowed for a clinician." in capsys.readouterr().err


def test_a_cssrs_screened_in_downtime_sets_the_episodes_risk_when_filed_back(
    night: Clinic,
) -> None:
    episode_id = _episode_id(night)
    with pytest.raises(ValidationFailed, match=r"^Question 6 \(ever done.*\) is not answered"):
        make_entry(JournalKind.CSSRS, at=night.clock.now(), client_ref="C-4", episode_id=episode_id)
    answers = {"q1": True, "q2": False, "q6": False}
    screened = make_entry(
        JournalKind.CSSRS,
        at=night.clock.now() + timedelta(minutes=25),
        client_ref="C-4",
        episode_id=episode_id,
        cssrs=dict(answers),
    )
    night.clock.advance(timedelta(hours=1))
    report = file_back(night.ctx("alice"), DowntimeJournal(JOURNAL_VERSION, "alice", [screened]))
    assert report.filed == [screened]
    with night.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        [event] = [e for e in episode_rows.timeline(conn, episode_id) if e.body.get("downtime_id")]
    assert event.kind.value == "risk_screening" and event.body["risk_level"] == "low"
    # The later screening replaces Bob's (high) at 03:00: the risk the timeline now gives.
    assert episode is not None and episode.risk_level is not None
    assert episode.risk_level.value == "low"


def test_a_follow_up_attempt_in_downtime_counts_once_at_its_own_time(night: Clinic) -> None:
    episode_id = _episode_id(night)
    with night.store.write() as conn:
        due = followups.insert_follow_up(
            conn,
            episode_id=episode_id,
            client_id=night.clients["C-4"],
            kind="contact_24h",
            due_at=to_iso(night.clock.now() + timedelta(minutes=30)),
            assignee_id=night.staff["pat"].id,
            created_at=to_iso(night.clock.now()),
            created_by=night.staff["bob"].id,
        )
    assert [f.id for f in build_pack(night.ctx("alice")).clients[0].follow_ups] == [due.id]

    t0 = night.clock.now()

    def attempt(minutes: int, result: ContactResult) -> JournalEntry:
        return make_entry(
            JournalKind.FOLLOW_UP_ATTEMPT,
            at=t0 + timedelta(minutes=minutes),
            client_ref="C-4",
            episode_id=episode_id,
            follow_up_id=due.id,
            channel=ContactChannel.PHONE,
            result=result,
        )

    missed, reached = attempt(35, ContactResult.NO_ANSWER), attempt(50, ContactResult.REACHED)
    journal = DowntimeJournal(JOURNAL_VERSION, "alice", [missed, reached])
    night.clock.advance(timedelta(hours=2))
    assert file_back(night.ctx("alice"), journal).filed == [missed, reached]
    assert file_back(night.ctx("alice"), journal).already_filed == [missed, reached]
    with night.store.read() as conn:
        done = followups.follow_up_by_id(conn, due.id)
        tried = followups.attempts_for(conn, due.id)
    assert done is not None and done.status.value == "done" and done.attempts == 2
    assert [row["at"] for row in tried] == [to_iso(missed.at), to_iso(reached.at)]
    late = DowntimeJournal(JOURNAL_VERSION, "alice", [attempt(55, ContactResult.REACHED)])
    [conflict] = file_back(night.ctx("alice"), late).conflicts
    assert f"follow-up F-{due.id} is done already" in conflict.reason
