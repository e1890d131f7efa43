"""A clinic at night for the downtime tests: whose clients a pack takes, and a directory."""

from __future__ import annotations

from conftest import Clinic, alert_record
from oncall.domain.cssrs import CssrsAnswers
from oncall.domain.resource_record import ResourceRecord
from oncall.domain.timefmt import to_iso
from oncall.services.alerts import acknowledge_alert, ingest_records
from oncall.services.episodes import record_cssrs
from oncall.services.safety_plans import save_safety_plan
from oncall.store import people
from oncall.store import resources as resource_rows

PASSPHRASE = "lantern-harbor-42"
PLAN = {
    "warning_signs": ["Skipping meetings", "Not answering my sponsor"],
    "internal_coping": ["Walk the dog to the park"],
    "people_for_help": ["Sister Dana +1-714-555-0188"],
}


def _resource(rid: str, name: str, county: str, *categories: str) -> ResourceRecord:
    return ResourceRecord(
        id=rid,
        name=name,
        categories=categories,
        phones=(("+1-714-555-0300", "voice"),),
        county=county,
        counties_served=(county,),
        always_open=True,
    )


def downtime_night(clinic: Clinic) -> Clinic:
    """Alice's caseload (C-1..C-3, Orange), Bob's client C-4 (Riverside) with an alert Bob
    acknowledged and screened, Bob's client C-5 with nothing going on; a small directory."""
    with clinic.store.write() as conn:
        for ref, name, county in (
            ("C-4", "Morgan Hale", "Riverside"),
            ("C-5", "Quinn Absent", "Kern"),
        ):
            clinic.clients[ref] = people.insert_client(
                conn,
                {
                    "external_ref": ref,
                    "name": name,
                    "county": county,
                    "primary_clinician_id": clinic.staff["bob"].id,
                },
            )
        for record in (
            _resource("r-oc-line", "Orange Crisis Line", "Orange", "crisis_line"),
            _resource("r-oc-food", "Orange Food Bank", "Orange", "food"),
            _resource("r-rv-mobile", "Riverside Mobile Crisis", "Riverside", "mobile_crisis"),
            _resource("r-kern-ed", "Kern Medical ED", "Kern", "emergency_department"),
        ):
            resource_rows.upsert_resource(conn, record, to_iso(clinic.clock.now()))
    save_safety_plan(clinic.ctx("alice"), clinic.clients["C-1"], PLAN, "My daughter")
    ids = ingest_records(
        clinic.ctx(), [alert_record(id="n1", client_ref="C-4", severity="high")], origin="test"
    ).accepted_ids
    episode = acknowledge_alert(clinic.ctx("bob"), ids[0]).episode
    assert episode is not None
    answers = CssrsAnswers(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False)
    record_cssrs(clinic.ctx("bob"), episode.id, answers)
    return clinic
