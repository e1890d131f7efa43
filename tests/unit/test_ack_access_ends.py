"""Access gained by acknowledging an alert ends `ack_access_hours_after_close` after the close."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.config import SettingsError, load_settings
from oncall.domain.types import Disposition
from oncall.services import closing
from oncall.services.access import OutsideCare, accessible_client_ids, break_glass, can_open_client
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.views import view_client

HOURS = 72.0


def _acknowledge(clinic: Clinic, ref: str, login: str, number: int = 1) -> int:
    """An alert for `ref` acknowledged by `login`; returns its episode's id."""
    (alert_id,) = ingest_records(
        clinic.ctx(), [alert_record(id=f"{ref}-{number}", client_ref=ref)], origin="t"
    ).accepted_ids
    ack = acknowledge_alert(clinic.ctx(login), alert_id)
    assert ack.episode is not None
    return ack.episode.id


def _close(clinic: Clinic, episode_id: int, login: str) -> None:
    make_safe_to_close(clinic.ctx(login), episode_id)
    closing.close_episode(
        clinic.ctx(login),
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Stabilized by phone",
        follow_ups=[],
        no_follow_up_reason="client is seen at the clinic tomorrow",
    )


def test_the_acknowledgers_access_ends_72_hours_after_the_episode_closes(clinic: Clinic) -> None:
    client = clinic.clients["C-2"]  # alice's caseload; bob and pat only claim its alerts
    episode_id = _acknowledge(clinic, "C-2", "bob")
    _acknowledge(clinic, "C-2", "pat", number=2)  # joins bob's open episode
    _close(clinic, episode_id, "bob")

    clinic.clock.advance(timedelta(hours=HOURS - 1))
    for login in ("bob", "pat"):
        assert view_client(clinic.ctx(login), client).client.external_ref == "C-2"
        assert accessible_client_ids(clinic.ctx(login)) == {client}

    clinic.clock.advance(timedelta(hours=2))  # close + 73 h
    for login in ("bob", "pat"):
        with pytest.raises(OutsideCare, match="Break the glass") as refused:
            view_client(clinic.ctx(login), client)
        assert refused.value.client_ref == "C-2"
        assert accessible_client_ids(clinic.ctx(login)) == set()
    # The caseload clinician and a supervisor are not affected.
    assert view_client(clinic.ctx("alice"), client).client.external_ref == "C-2"
    assert view_client(clinic.ctx("sue"), client).client.external_ref == "C-2"
    # Breaking the glass opens it again, as for anyone outside the client's care.
    break_glass(clinic.ctx("bob"), client, "Client called back asking for Bob by name")
    assert can_open_client(clinic.ctx("bob"), client)


def test_an_open_episode_keeps_the_record_open_however_long_ago_it_was_claimed(
    clinic: Clinic,
) -> None:
    _acknowledge(clinic, "C-2", "bob")
    clinic.clock.advance(timedelta(days=30))
    assert can_open_client(clinic.ctx("bob"), clinic.clients["C-2"])


def test_the_hours_are_a_setting(clinic: Clinic, tmp_path: Path) -> None:
    episode_id = _acknowledge(clinic, "C-2", "bob")
    _close(clinic, episode_id, "bob")
    clinic.clock.advance(timedelta(hours=25))
    assert can_open_client(clinic.ctx("bob"), clinic.clients["C-2"])
    clinic.settings = replace(clinic.settings, ack_access_hours_after_close=24.0)
    assert not can_open_client(clinic.ctx("bob"), clinic.clients["C-2"])

    config = tmp_path / "oncall.toml"
    config.write_text('ack_access_hours_after_close = "three days"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="ack_access_hours_after_close must be a number"):
        load_settings(config, environ={})
    config.write_text("ack_access_hours_after_close = 1e9\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="from 0 to 720"):
        load_settings(config, environ={})
    config.write_text("ack_access_hours_after_close = 48\n", encoding="utf-8")
    assert load_settings(config, environ={}).ack_access_hours_after_close == 48
