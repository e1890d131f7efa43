"""Helpers for the escalation, reminder and scheduler tests: episodes and follow-ups."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from closing_support import make_safe_to_close
from conftest import Clinic, alert_record
from oncall.domain.types import Disposition, FollowUpKind
from oncall.services.alerts import acknowledge_alert, create_alert
from oncall.services.closing import FollowUpDraft, close_episode

_numbers = itertools.count(1)


def new_alert(clinic: Clinic, **fields: Any) -> int:
    """Store one alert (a fresh external id each time); returns its id."""
    fields.setdefault("id", f"t-{next(_numbers)}")
    return create_alert(clinic.ctx(), alert_record(**fields)).id


def open_episode(clinic: Clinic, login: str = "alice", **fields: Any) -> int:
    """An alert acknowledged by `login`, opening an episode; returns the episode id."""
    ack = acknowledge_alert(clinic.ctx(login), new_alert(clinic, **fields))
    assert ack.episode is not None
    return ack.episode.id


def schedule_follow_ups(
    clinic: Clinic, due_in: list[timedelta], *, assignee: str = "pat", client_ref: str = "C-2"
) -> list[int]:
    """Close a new episode with follow-ups due `due_in` from now; returns their ids."""
    episode_id = open_episode(clinic, client_ref=client_ref)
    now = clinic.clock.now()
    drafts = [
        FollowUpDraft(FollowUpKind.CONTACT_24H, now + delta, clinic.staff[assignee].id)
        for delta in due_in
    ]
    make_safe_to_close(clinic.ctx(), episode_id)
    closure = close_episode(
        clinic.ctx(),
        episode_id,
        disposition=Disposition.STABILIZED,
        summary="Stabilized by phone.",
        follow_ups=drafts,
    )
    return [f.id for f in closure.follow_ups]


def count(clinic: Clinic, sql: str, *params: object) -> int:
    """One number from the database."""
    with clinic.store.read() as conn:
        return int(conn.execute(sql, params).fetchone()[0])
