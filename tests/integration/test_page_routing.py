"""Pages reach a person: each staff member's own target, the program default, and loud
failure (then re-routing, re-addressing or cancelling) when there is neither."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from local_http import PagerDutyReceiver, Receiver, serving

from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import system_actor
from oncall.config import Settings, SettingsError, TargetSettings, load_settings
from oncall.domain.types import ShiftRole
from oncall.feeds.notifier import DeliveryPolicy, OutboxDeliverer
from oncall.routing import route
from oncall.services.context import ServiceContext
from oncall.services.errors import PermissionDenied, Refused, ValidationFailed
from oncall.services.escalation import dispatcher_actor, run_due_escalations
from oncall.services.feed_status import feed_status
from oncall.services.outbox_actions import (
    cancel_message,
    readdress_message,
    undeliverable_messages,
)
from oncall.store import people
from scheduling_support import new_alert

README = Path(__file__).resolve().parents[2] / "README.md"
POLICY = DeliveryPolicy(max_attempts=3, timeout_s=2)
ENV = {"PAGERDUTY_ROUTING_KEY": "R0UT1NG-README"}


def readme_settings(tmp_path: Path, env: dict[str, str]) -> Settings:
    """The settings file exactly as the README's configuration section shows it."""
    section = README.read_text(encoding="utf-8").split("## Feeds and notifications")[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "oncall.toml"
    path.write_text(block, encoding="utf-8")
    return load_settings(path, env)


def escalate_one(clinic: Clinic) -> int:
    """An unacknowledged high alert past its 5-minute deadline: a page to the backup (bob)."""
    alert_id = new_alert(clinic, severity="high")
    clinic.clock.advance(timedelta(minutes=5))
    (step,) = run_due_escalations(dispatcher(clinic)).steps
    assert step.recipient_name == "Bob Okafor"
    return alert_id


def dispatcher(clinic: Clinic, settings: Settings | None = None) -> ServiceContext:
    return ServiceContext(
        clinic.store, dispatcher_actor(), clinic.clock, settings or clinic.settings
    )


def sender(clinic: Clinic, settings: Settings, env: dict[str, str]) -> OutboxDeliverer:
    ctx = ServiceContext(clinic.store, system_actor("worker"), clinic.clock, settings)
    return OutboxDeliverer(ctx, policy=POLICY, environ=env)


def outbox_row(clinic: Clinic) -> dict[str, object]:
    (row,) = clinic.store.query("SELECT * FROM outbox")
    return dict(row)


async def test_the_readme_example_pages_the_backup_through_the_default_target(
    clinic: Clinic, tmp_path: Path
) -> None:
    receiver = PagerDutyReceiver()
    with serving(receiver) as server:
        env = {**ENV, "ONCALL_TARGET_PAGER_URL": server.url("/v2/enqueue")}
        settings = readme_settings(tmp_path, env)
        escalate_one(clinic)
        async with sender(clinic, settings, env) as worker:
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered, result.error
    (event,) = receiver.events
    assert event["routing_key"] == "R0UT1NG-README" and event["event_action"] == "trigger"
    row = outbox_row(clinic)
    assert (row["target"], row["sent_to"]) == ("staff:bob", "pager")  # the recipient is kept
    assert route("staff:dkim", settings.targets).target.name == "dkim-phone"
    assert route("staff:bob", settings.targets).how == "the program default"


async def test_a_staff_members_own_target_takes_their_pages(clinic: Clinic) -> None:
    own, default = Receiver(), Receiver()
    with serving(own) as mine, serving(default) as everyone:
        settings = replace(
            clinic.settings,
            targets=(
                TargetSettings(name="desk", url=everyone.url("/hook"), default=True),
                TargetSettings(name="bob-phone", url=mine.url("/sms"), staff="bob"),
            ),
        )
        escalate_one(clinic)
        async with sender(clinic, settings, {}) as worker:
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered and len(own.counted) == 1 and default.counted == []
    assert outbox_row(clinic)["sent_to"] == "bob-phone"


def test_routing_settings_are_checked_naming_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "oncall.toml"
    path.write_text(
        '[[targets]]\nname = "a"\nurl = "http://x"\ndefault = true\n'
        '[[targets]]\nname = "b"\nurl = "http://y"\ndefault = true\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="only one target can be the default"):
        load_settings(path, {})
    path.write_text(
        '[[targets]]\nname = "a"\nurl = "http://x"\nstaff = "bob"\n'
        '[[targets]]\nname = "b"\nurl = "http://y"\nstaff = "bob"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="another target already has staff = 'bob'"):
        load_settings(path, {})


async def test_a_page_with_no_target_is_undeliverable_at_once_and_goes_when_one_appears(
    clinic: Clinic,
) -> None:
    escalate_one(clinic)
    ctx = dispatcher(clinic)
    (stuck,) = undeliverable_messages(ctx)  # before any dispatcher has tried it
    assert stuck.recipient == "staff:bob" and "default = true" in stuck.reason
    (view,) = feed_status(ctx).messages
    assert view.undeliverable == stuck.reason
    async with sender(clinic, clinic.settings, {}) as worker:
        for _ in range(POLICY.max_attempts + 2):  # never given up, however long it waits
            (result,) = await worker.deliver_due(clinic.clock.now())
            assert not result.delivered and not result.gave_up
            assert result.next_attempt_at is not None
            clinic.clock.set(result.next_attempt_at)
    row = outbox_row(clinic)
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert str(row["last_error"]).startswith("undeliverable: no target for staff:bob")
    receiver = Receiver()
    with serving(receiver) as server:  # the settings gain a default target; worker restarted
        gained = replace(
            clinic.settings, targets=(TargetSettings("on-call", server.url("/h"), default=True),)
        )
        assert undeliverable_messages(dispatcher(clinic, gained)) == []
        async with sender(clinic, gained, {}) as worker:
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered and len(receiver.counted) == 1
    assert outbox_row(clinic)["sent_to"] == "on-call"


async def test_a_supervisor_readdresses_a_stuck_page_to_a_colleague(clinic: Clinic) -> None:
    escalate_one(clinic)
    message_id = int(str(outbox_row(clinic)["id"]))
    receiver = Receiver()
    with serving(receiver) as server:
        settings = replace(
            clinic.settings, targets=(TargetSettings("sue-phone", server.url("/s"), staff="sue"),)
        )
        supervisor = ServiceContext(clinic.store, clinic.staff["sue"], clinic.clock, settings)
        with pytest.raises(PermissionDenied, match="Only admins or supervisors may re-address"):
            readdress_message(clinic.ctx("alice"), message_id, "sue")
        with pytest.raises(ValidationFailed, match="'nobody' is neither active staff nor"):
            readdress_message(supervisor, message_id, "nobody")
        assert readdress_message(supervisor, message_id, "sue") == "staff:sue"
        assert undeliverable_messages(supervisor) == []
        async with sender(clinic, settings, {}) as worker:
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered and len(receiver.counted) == 1
    (audit,) = clinic.store.query(
        "SELECT actor, detail FROM audit_log WHERE action = 'outbox.readdressed'"
    )
    assert audit[0] == "sue" and '"to": "staff:sue"' in audit[1]


async def test_a_supervisor_cancels_a_queued_page_and_it_is_never_sent(clinic: Clinic) -> None:
    escalate_one(clinic)
    message_id = int(str(outbox_row(clinic)["id"]))
    with pytest.raises(ValidationFailed, match="Say why"):
        cancel_message(clinic.ctx("sue"), message_id, "  ")
    with pytest.raises(PermissionDenied):
        cancel_message(clinic.ctx("bob"), message_id, "not needed")
    cancel_message(clinic.ctx("sue"), message_id, "Bob called in; he has it")
    with pytest.raises(Refused, match="is cancelled: only a queued or failed"):
        cancel_message(clinic.ctx("sue"), message_id, "again")
    receiver = Receiver()
    with serving(receiver) as server:
        settings = replace(
            clinic.settings, targets=(TargetSettings("desk", server.url("/h"), default=True),)
        )
        async with sender(clinic, settings, {}) as worker:
            assert await worker.deliver_due(clinic.clock.now()) == []
        status = feed_status(dispatcher(clinic, settings))
    assert receiver.counted == [] and status.outbox_counts["cancelled"] == 1
    assert status.messages[0].last_error == "cancelled by sue: Bob called in; he has it"
    (audit,) = clinic.store.query("SELECT actor FROM audit_log WHERE action = 'outbox.cancelled'")
    assert audit[0] == "sue"


def test_oncall_feeds_says_whether_each_person_on_the_rota_can_be_paged(
    clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)  # the command reads the real clock: a rota around it
    with clinic.store.write() as conn:
        for login, role in [("alice", ShiftRole.PRIMARY), ("bob", ShiftRole.BACKUP)]:
            people.insert_shift(
                conn,
                staff_id=clinic.staff[login].id,
                role=role,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=11),
            )
    config = tmp_path / "oncall.toml"
    config.write_text(
        '[[targets]]\nname = "alice-phone"\nurl = "https://sms.example.org/a"\nstaff = "alice"\n'
        '[[targets]]\nname = "bob-phone"\nurl = "https://sms.example.org/b"\nstaff = "bbo"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ONCALL_CONFIG", str(config))
    code = main(["feeds", "--db", str(clinic.store.path)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "alice (Alice Rivera; primary): deliverable to alice-phone (their own target)" in printed
    assert "bob (Bob Okafor; backup): CANNOT be paged: no target for staff:bob" in printed
    assert "bob-phone  webhook  https://sms.example.org/b (pages for bbo) — NO active" in printed
    config.write_text(
        config.read_text() + '[[targets]]\nname = "desk"\nurl = "https://x.example.org"\n'
        "default = true\n",
        encoding="utf-8",
    )
    assert main(["feeds", "--db", str(clinic.store.path)]) == 0
    printed = capsys.readouterr().out
    assert "bob (Bob Okafor; backup): deliverable to desk (the program default)" in printed


async def test_a_waiting_page_goes_when_the_settings_file_gains_a_target_without_a_restart(
    clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "oncall.toml"
    config.write_text('timezone = "America/Los_Angeles"\n', encoding="utf-8")
    monkeypatch.setenv("ONCALL_CONFIG", str(config))
    settings = replace(load_settings(config, {}), db_path=clinic.store.path)
    escalate_one(clinic)
    receiver = Receiver()
    with serving(receiver) as server:
        async with sender(clinic, settings, {}) as worker:  # the dispatcher, running
            (result,) = await worker.deliver_due(clinic.clock.now())
            assert not result.delivered and "no target for staff:bob" in str(result.error)
            config.write_text(
                config.read_text(encoding="utf-8")
                + f'[[targets]]\nname = "desk"\nurl = "{server.url("/h")}"\ndefault = true\n',
                encoding="utf-8",
            )
            assert result.next_attempt_at is not None
            clinic.clock.set(result.next_attempt_at)  # its next look, a minute later
            (result,) = await worker.deliver_due(clinic.clock.now())
    assert result.delivered and len(receiver.counted) == 1
    assert outbox_row(clinic)["sent_to"] == "desk"
