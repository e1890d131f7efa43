"""Property tests for the rota CSV: any text gives one outcome per row; valid shifts round-trip."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.record_stream import Rejection
from oncall.domain.rota_records import HEADER, ShiftRecord, read_rota_csv
from oncall.domain.types import ShiftRole


def table(rows: list[dict[str, str]]) -> str:
    """CSV text with the rota header and these rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({name: cells for name in HEADER}), max_size=8))
def test_any_rows_give_one_outcome_each_and_never_raise(rows: list[dict[str, str]]) -> None:
    outcomes = list(read_rota_csv(table(rows)))
    assert len(outcomes) == len(rows)
    for number, outcome in enumerate(outcomes, start=1):
        assert outcome.number == number
        if isinstance(outcome, Rejection):
            assert outcome.field in HEADER and outcome.message
        else:
            assert outcome.ends_at > outcome.starts_at


offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=150, deadline=None)
@given(
    login=st.from_regex(r"[a-z_][a-z0-9_.-]{0,15}", fullmatch=True),
    role=st.sampled_from(list(ShiftRole)),
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    minutes=st.integers(1, 7 * 24 * 60),
    zone=offsets,
)
def test_a_valid_shift_round_trips_to_the_same_instants(
    login: str, role: ShiftRole, start: datetime, minutes: int, zone: timezone
) -> None:
    begins = start.replace(tzinfo=zone)
    ends = begins + timedelta(minutes=minutes)
    row = {
        "login": login,
        "role": role.value.upper(),
        "starts_at": begins.isoformat(),
        "ends_at": ends.isoformat(),
    }
    (outcome,) = list(read_rota_csv(table([row])))
    assert isinstance(outcome, ShiftRecord), outcome
    assert (outcome.login, outcome.role) == (login, role)
    assert outcome.starts_at.astimezone(UTC) == begins.astimezone(UTC)
    assert outcome.ends_at - outcome.starts_at == timedelta(minutes=minutes)
