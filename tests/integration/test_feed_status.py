"""Feeds and targets in the settings file, `oncall feeds`, and secrets that never show."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from local_http import Reply, Request, json_reply, serving

from conftest import Clinic
from oncall.cli import main
from oncall.commands.common import system_actor
from oncall.config import SettingsError, load_settings
from oncall.domain.timefmt import to_iso
from oncall.feeds.alert_feed import FeedPoller
from oncall.feeds.fetch import RetryPolicy
from oncall.services.context import ServiceContext
from oncall.services.feed_status import feed_status, quarantined_records
from oncall.store import outbox

SECRET = "tok-7f3a9c1e-not-for-eyes"
FAST = RetryPolicy(attempts=2, base_delay_s=0.01, max_delay_s=0.02, timeout_s=2.0)
SETTINGS = """
timezone = "America/Los_Angeles"
resource_directory_url = "https://directory.example.org/hsds"

[[feeds]]
name = "hotline"
url = "{url}"
interval_s = 20
auth_header = "Bearer ${{FEED_TOKEN}}"
source = "988-oc"

[[targets]]
name = "pager"
url = "https://events.example.org/v2/enqueue?k=abc"
kind = "pagerduty"
routing_key = "${{PD_ROUTING_KEY}}"
"""


def write_settings(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "oncall.toml"
    path.write_text(SETTINGS.format(url=url), encoding="utf-8")
    return path


def test_feeds_and_targets_come_from_toml_with_environment_overrides(tmp_path: Path) -> None:
    path = write_settings(tmp_path, "https://feeds.example.org/alerts")
    settings = load_settings(
        path,
        {
            "ONCALL_FEED_HOTLINE_INTERVAL_S": "5",
            "ONCALL_TARGET_PAGER_URL": "https://other.example.org/e",
        },
    )
    (feed,) = settings.feeds
    assert (feed.name, feed.interval_s, feed.source) == ("hotline", 5.0, "988-oc")
    assert feed.auth_header == "Bearer ${FEED_TOKEN}"  # expanded only when sent
    (target,) = settings.targets
    assert (target.kind, target.url) == ("pagerduty", "https://other.example.org/e")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[feeds]]\nname = "a"\nurl = "ftp://x"', "feeds 'a': url must be an http or https URL"),
        ('[[feeds]]\nname = "a"\nurl = "http://x"\ninterval_s = 0', "interval_s must be"),
        ('[[feeds]]\nname = "a"\nurl = "http://x"\ntoken = "t"', "unknown setting(s) token"),
        ('[[targets]]\nname = "p"\nurl = "http://x"\nkind = "pagerduty"', "needs a routing_key"),
        ('[[targets]]\nname = "p"\nurl = "http://x"\nkind = "sms"', "kind must be webhook or"),
        ('feeds = "http://x"', "feeds must be a list of tables"),
    ],
)
def test_a_bad_feed_or_target_is_refused_naming_what_is_wrong(
    tmp_path: Path, table: str, message: str
) -> None:
    path = tmp_path / "oncall.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path, {})
    assert message in str(refused.value)


async def test_the_auth_header_is_sent_and_never_logged_stored_or_printed(
    clinic: Clinic,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = [
        json_reply(
            [
                {
                    "id": "x1",
                    "client_ref": "C-1",
                    "kind": "craving",
                    "severity": "low",
                    "occurred_at": "2026-11-22T01:00:00Z",
                },
                {"id": "x2", "severity": "nope"},
            ]
        ),
        Reply(401, b"bad token"),
        Reply(503),
    ]

    def app(request: Request) -> Reply:
        return answers.pop(0)

    caplog.set_level(logging.DEBUG)
    clinic.clock.set(datetime.now(UTC))  # `oncall feeds` below reads the system clock
    with serving(app) as server:
        path = write_settings(tmp_path, server.url("/alerts?key=q"))
        monkeypatch.setenv("ONCALL_CONFIG", str(path))
        monkeypatch.setenv("FEED_TOKEN", SECRET)
        monkeypatch.setenv("PD_ROUTING_KEY", SECRET)
        settings = load_settings(path)
        ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, settings)
        async with FeedPoller(ctx, retry=FAST) as poller:
            (ok,) = await poller.poll_due(clinic.clock.now())
            clinic.clock.advance(timedelta(seconds=21))
            (refused,) = await poller.poll_due(clinic.clock.now())
    assert ok.ok and ok.counts.accepted == 1 and ok.counts.rejected == 1
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert "check the feed's auth_header" in (refused.error or "")
    with clinic.store.write() as conn:
        outbox.enqueue(
            conn,
            kind="escalation",
            target="pager",
            payload={},
            idempotency_key="k1",
            created_at=to_iso(clinic.clock.now()),
        )
    code = main(["feeds", "--db", str(clinic.store.path)])
    printed = capsys.readouterr()
    assert code == 1  # a feed is failing
    assert "hotline  [failing]" in printed.out and "auth ${FEED_TOKEN}" in printed.out
    assert "401 Unauthorized" in printed.out and "routing key ${PD_ROUTING_KEY}" in printed.out
    assert "https://events.example.org/v2/enqueue?…" in printed.out
    assert "Outbox: 1 pending, 0 delivered, 0 failed" in printed.out
    assert "Quarantine: 1 rejected record(s)" in printed.out
    assert "key=q" not in printed.out + caplog.text  # query strings may hold tokens
    everything = printed.out + printed.err + caplog.text + dump(clinic)
    assert SECRET not in everything
    assert "feed hotline" in caplog.text  # the failure was logged, without the secret


def dump(clinic: Clinic) -> str:
    """Every text value in every table of the database."""
    tables = [
        r[0]
        for r in clinic.store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
        )
    ]
    return "\n".join(
        str(tuple(row)) for t in tables for row in clinic.store.query(f"SELECT * FROM {t}")
    )


async def test_status_reads_feed_state_quarantine_and_says_when_nobody_polls(
    clinic: Clinic, tmp_path: Path
) -> None:
    with serving(lambda _: json_reply([{"id": "bad"}])) as server:
        settings = load_settings(write_settings(tmp_path, server.url("/a")), {"FEED_TOKEN": "x"})
        ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, settings)
        async with FeedPoller(ctx, retry=FAST, environ={"FEED_TOKEN": "x"}) as poller:
            await poller.poll_due(clinic.clock.now())
    (feed,) = feed_status(ctx).feeds
    assert feed.health == "ok" and feed.state.last_rejected == 1
    assert feed.url == f"{server.base_url}/a" and feed.auth == "${FEED_TOKEN}"
    (record,) = quarantined_records(ctx)
    assert (record.source, record.field) == ("feed:hotline", "client_ref")
    clinic.clock.advance(timedelta(minutes=5))  # no dispatcher has polled since
    assert feed_status(ctx).feeds[0].health == "overdue"


async def test_an_auth_header_naming_an_unset_variable_sends_nothing(clinic: Clinic) -> None:
    with serving(lambda _: json_reply([])) as server:
        settings = load_settings(write_settings(clinic.store.path.parent, server.url("/a")), {})
        ctx = ServiceContext(clinic.store, system_actor("feeds"), clinic.clock, settings)
        async with FeedPoller(ctx, retry=FAST, environ={}) as poller:
            (result,) = await poller.poll_due(clinic.clock.now())
    assert server.requests == []
    assert result.error == (
        "feed hotline's auth_header names ${FEED_TOKEN}, which is not set in the environment"
    )
