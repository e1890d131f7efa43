"""Consent given until a day: past it, it counts as not given, and the record says it ended."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import Clinic
from oncall.services.client_care import ConsentState, record_consent, until_key
from oncall.services.episodes import contacts_who_may_be_told
from oncall.services.errors import ValidationFailed
from oncall.services.views import view_client
from oncall.store import client_records, people
from oncall.ui.widgets.client_summary import summary_text

END = date(2026, 11, 30)


def test_a_consent_given_until_a_day_lapses_the_day_after(clinic: Clinic) -> None:
    client_id = clinic.clients["C-2"]  # no consent on file
    with clinic.store.read() as conn:
        [sam] = people.emergency_contacts(conn, client_id)
    # Sam's consent to contact was never recorded for C-2's disclosure: give both until END.
    state = ConsentState(
        True, False, {sam.id: True}, {until_key("emergency_contact_disclosure"): END,
                                      until_key("contact", sam.id): END},
    )  # fmt: skip
    record_consent(clinic.ctx("alice"), client_id, state, date(2026, 11, 21))
    record = view_client(clinic.ctx("alice"), client_id)
    allowed, _ = contacts_who_may_be_told(record.client, record.contacts, END)
    assert [c.name for c in allowed] == ["Sam Sample"]
    text = summary_text(record, today=END).plain
    assert "emergency-contact disclosure YES until 2026-11-30" in text
    assert "may be contacted until 2026-11-30" in text
    after = END + timedelta(days=1)
    allowed, why = contacts_who_may_be_told(record.client, record.contacts, after)
    assert allowed == []
    assert (
        "not consented to disclosure to emergency contacts (the consent ended on 2026-11-30)"
        in (why or "")
    )
    assert (
        "emergency-contact disclosure NO (ended 2026-11-30)"
        in summary_text(record, today=after).plain
    )
    with clinic.store.read() as conn:
        records = client_records.consent_records(conn, client_id)
    assert [(r.scope, r.given, r.until) for r in records] == [
        ("emergency_contact_disclosure", True, "2026-11-30"),
        ("contact", True, "2026-11-30"),
    ]


def test_a_lapsed_consent_is_given_anew_and_an_end_date_must_be_to_come(clinic: Clinic) -> None:
    client_id = clinic.clients["C-1"]  # consented, until revoked
    key = until_key("hotline_outcome_report")
    with pytest.raises(ValidationFailed, match="end date 2026-11-21 has passed"):
        record_consent(clinic.ctx("alice"), client_id, ConsentState(True, True, {},
                       {key: date(2026, 11, 21)}), date(2026, 11, 20))  # fmt: skip
    with pytest.raises(ValidationFailed, match="comes before the consent date 2026-11-22"):
        record_consent(clinic.ctx("alice"), client_id, ConsentState(True, True, {},
                       {key: date(2026, 11, 21)}), date(2026, 11, 22))  # fmt: skip
    # Renewed with an end date: a new record; the same again changes nothing.
    state = ConsentState(True, True, {}, {key: date(2026, 11, 25)})
    assert len(record_consent(clinic.ctx("alice"), client_id, state, date(2026, 11, 22))) == 1
    assert record_consent(clinic.ctx("alice"), client_id, state, date(2026, 11, 22)) == []
    clinic.clock.advance(timedelta(days=5))  # 27 November: lapsed
    client = view_client(clinic.ctx("alice"), client_id).client
    assert not client.hotline_consent(date(2026, 11, 27))
    # Ticked again (until revoked): given anew, the end date cleared.
    again = ConsentState(True, True, {}, {key: None})
    assert len(record_consent(clinic.ctx("alice"), client_id, again, date(2026, 11, 27))) == 1
    client = view_client(clinic.ctx("alice"), client_id).client
    assert client.hotline_consent(date(2027, 1, 1))
    assert client.consent_hotline_report_until is None
