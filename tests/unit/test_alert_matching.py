"""An alert for an unknown client reference is matched to a client, or the client is added."""

from __future__ import annotations

import pytest

from conftest import Clinic, alert_record
from oncall.services.access import can_open_client
from oncall.services.alert_matching import (
    create_client_for_alert,
    find_clients_for_alert,
    link_unknown_alert,
)
from oncall.services.alerts import acknowledge_alert, create_alert
from oncall.services.client_intake import edit_client_details
from oncall.services.errors import PermissionDenied, ValidationFailed


def groups(clinic: Clinic) -> dict[str, tuple[int, int]]:
    with clinic.store.read() as conn:
        rows = conn.execute("SELECT group_key, open_alerts, waiting FROM queue_groups").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def unknown_pair(clinic: Clinic) -> tuple[int, int]:
    first = create_alert(clinic.ctx(), alert_record(id="u-1", client_ref="HL-77"))
    second = create_alert(clinic.ctx(), alert_record(id="u-2", client_ref="HL-77", severity="low"))
    return first.id, second.id


def test_only_the_claimant_or_a_supervisor_may_search_and_the_search_is_audited(
    clinic: Clinic,
) -> None:
    first, _ = unknown_pair(clinic)
    with pytest.raises(PermissionDenied, match="Acknowledge"):
        find_clients_for_alert(clinic.ctx("alice"), first, "Jordan")
    acknowledge_alert(clinic.ctx("bob"), first)
    with pytest.raises(PermissionDenied):
        find_clients_for_alert(clinic.ctx("alice"), first, "Jordan")
    edit_client_details(clinic.ctx("sue"), clinic.clients["C-3"], {"date_of_birth": "1990-04-17"})
    by_name = find_clients_for_alert(clinic.ctx("bob"), first, "jordan")
    assert [(m.external_ref, m.phone_end) for m in by_name] == [("C-1", "0142")]
    assert [
        m.external_ref for m in find_clients_for_alert(clinic.ctx("bob"), first, "555-0142")
    ] == ["C-2", "C-1", "C-3"]  # by name
    assert [m.name for m in find_clients_for_alert(clinic.ctx("sue"), first, "1990-04-17")] == [
        "Riley Example"
    ]
    assert [m.name for m in find_clients_for_alert(clinic.ctx("sue"), first, "C-2")] == [
        "Casey Sample"
    ]
    with clinic.store.read() as conn:
        rows = conn.execute(
            "SELECT detail FROM audit_log WHERE action='client.searched'"
        ).fetchall()
    assert len(rows) == 4 and all("Jordan" not in r[0] and "0142" not in r[0] for r in rows)


def test_linking_moves_every_open_alert_of_the_reference_and_opens_the_claimants_episode(
    clinic: Clinic,
) -> None:
    first, second = unknown_pair(clinic)
    known = create_alert(clinic.ctx(), alert_record(id="k-1", client_ref="C-2", severity="low"))
    acknowledge_alert(clinic.ctx("bob"), first)
    assert groups(clinic) == {"rHL-77": (2, 1), f"c{clinic.clients['C-2']}": (1, 1)}
    ack = link_unknown_alert(clinic.ctx("sue"), first, clinic.clients["C-2"])
    assert groups(clinic) == {f"c{clinic.clients['C-2']}": (3, 2)}
    assert ack.episode is not None and not ack.attached_to_existing
    assert ack.episode.opened_by == clinic.staff["bob"].id  # the claimant's, not sue's
    assert can_open_client(clinic.ctx("bob"), clinic.clients["C-2"])
    # From now on the waiting ones are like any other alert of the client's.
    later = acknowledge_alert(clinic.ctx("bob"), second)
    assert later.episode is not None and later.episode.id == ack.episode.id
    assert acknowledge_alert(clinic.ctx("bob"), known.id).attached_to_existing


def test_a_new_client_is_made_from_the_alert_and_linked_in_one_step(clinic: Clinic) -> None:
    first, second = unknown_pair(clinic)
    acknowledge_alert(clinic.ctx("alice"), first)
    with pytest.raises(ValidationFailed, match="full name"):
        create_client_for_alert(clinic.ctx("alice"), first, {"name": ""})
    ack = create_client_for_alert(
        clinic.ctx("alice"), first, {"name": "Dana Caller", "phone": "909-555-0101"}
    )
    assert ack.alert.client_id is not None and ack.episode is not None
    with clinic.store.read() as conn:
        ref = conn.execute(
            "SELECT external_ref FROM clients WHERE id = ?", (ack.alert.client_id,)
        ).fetchone()[0]
        linked = conn.execute(
            "SELECT COUNT(*) FROM alerts WHERE client_id = ?", (ack.alert.client_id,)
        ).fetchone()[0]
    assert ref == "HL-77" and linked == 2
    assert groups(clinic) == {f"c{ack.alert.client_id}": (2, 1)}
    assert can_open_client(clinic.ctx("alice"), ack.alert.client_id)
    assert second  # linked with it: nothing waits under the unknown reference any more


def test_later_alerts_naming_a_matched_reference_go_to_the_client(clinic: Clinic) -> None:
    first, _ = unknown_pair(clinic)
    acknowledge_alert(clinic.ctx("bob"), first)
    ack = link_unknown_alert(clinic.ctx("bob"), first, clinic.clients["C-2"])
    later = create_alert(clinic.ctx(), alert_record(id="u-3", client_ref="HL-77"))
    assert later.client_id == clinic.clients["C-2"] and not later.unknown_client
    claimed = acknowledge_alert(clinic.ctx("alice"), later.id)
    assert claimed.attached_to_existing and claimed.episode is not None
    assert ack.episode is not None and claimed.episode.id == ack.episode.id
    # A client made from the alert has the reference as its own: no alias is needed.
    other = create_alert(clinic.ctx(), alert_record(id="v-1", client_ref="HL-90"))
    acknowledge_alert(clinic.ctx("alice"), other.id)
    create_client_for_alert(clinic.ctx("alice"), other.id, {"name": "Kai Newman"})
    with clinic.store.read() as conn:
        aliases = conn.execute("SELECT ref, client_id FROM client_aliases").fetchall()
    assert [tuple(r) for r in aliases] == [("HL-77", clinic.clients["C-2"])]
