"""Clients from CSV: the documented header, per-column reasons, and property tests."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from init_support import init_database
from oncall.cli import main
from oncall.domain.client_csv import COLUMNS, read_client_csv
from oncall.domain.client_record import ClientAccepted
from oncall.domain.record_stream import Rejection


def table(*rows: dict[str, str]) -> str:
    """A CSV text with the full header and these rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_import_keeps_valid_rows_and_names_the_column_of_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "oncall.db"
    init_database(db)
    text = table(
        {
            "identifier": "C-1",
            "name": "Rosa Diaz",
            "birth_date": "1990-04-17",
            "phone": "+1 714 555 0101",
            "lat": "33.7",
            "lon": "-117.8",
            "contact_name": "Luis Diaz",
            "contact_relation": "brother",
            "contact_phone": "714-555-0102",
        },
        {"identifier": "C-2", "name": "Bad Date", "birth_date": "24/10/1950"},
        {"identifier": "C-3", "name": "Half Place", "lat": "33.7"},
        {"identifier": "", "name": "No Id"},
        {"identifier": "C-5", "name": "Orphan Phone", "contact_phone": "714-555-0103"},
        {"identifier": "C-6", "name": "Far Away", "zip": "3999"},
        {"identifier": "C-7", "name": "Short Number", "phone": "555-01"},
    )
    path = tmp_path / "clients.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["clients", "import", "--db", str(db), str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "1 added" in out and "6 rejected" in out
    assert "(C-6): zip '3999' is not a US ZIP code (5 digits) [zip]" in out
    assert "(C-7): phone '555-01' is not a phone number [phone]" in out
    assert "(C-2): birth_date '24/10/1950' is not a date as YYYY-MM-DD [birth_date]" in out
    assert "(C-3): lon is missing (give both or neither) [lon]" in out
    assert "identifier is required [identifier]" in out
    assert "contact_name is required for a contact [contact_name]" in out
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT external_ref, lat FROM clients").fetchall() == [("C-1", 33.7)]
    assert conn.execute(
        "SELECT name, relation, consent_to_contact FROM emergency_contacts"
    ).fetchall() == [("Luis Diaz", "brother", 0)]
    conn.close()


def test_a_header_that_is_not_the_documented_one_is_refused_whole() -> None:
    (only,) = list(read_client_csv("mrn,full_name\n1,A\n"))
    assert isinstance(only, Rejection) and only.number == 0
    assert "missing identifier, name" in only.message and "unknown mrn, full_name" in only.message


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(COLUMNS), texts), max_size=8))
def test_any_csv_gives_one_outcome_per_row_and_never_raises(rows: list[dict[str, str]]) -> None:
    outcomes = list(read_client_csv(table(*rows)))
    assert len(outcomes) == len(rows)
    for number, outcome in enumerate(outcomes, start=1):
        assert outcome.number == number
        if isinstance(outcome, Rejection):
            assert outcome.field in COLUMNS or outcome.field == "row"
            assert outcome.message
        else:
            assert isinstance(outcome, ClientAccepted)
            assert outcome.record.external_ref and outcome.record.name
            assert all(c.name for c in outcome.record.contacts)


names = st.text(alphabet="abcdefghij KLMNO-'", min_size=1, max_size=20).filter(str.strip)


@settings(max_examples=100, deadline=None)
@given(
    ref=st.from_regex(r"[A-Z]{1,3}-[0-9]{1,6}", fullmatch=True),
    name=names,
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)),
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
)
def test_a_valid_row_round_trips(ref: str, name: str, born: date, lat: float, lon: float) -> None:
    row = {
        "identifier": ref,
        "name": name,
        "birth_date": str(born),
        "lat": repr(lat),
        "lon": repr(lon),
    }
    (outcome,) = list(read_client_csv(table(row)))
    assert isinstance(outcome, ClientAccepted), outcome
    record = outcome.record
    assert record.external_ref == ref
    assert record.name == " ".join(name.split())
    assert record.date_of_birth == str(born)
    assert (record.lat, record.lon) == (lat, lon)
