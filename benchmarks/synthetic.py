"""Synthetic vocabulary for the large benchmark database: names, places, event bodies.

Everything here is invented. Phone numbers use the 555-01xx range set aside for
fiction; names are common given names and surnames combined at random.
"""

from __future__ import annotations

import json
from typing import Any

# Vocabulary tables read better packed than one item a line.
# fmt: off
FIRST_NAMES = (
    "Alex", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Avery", "Quinn", "Rowan",
    "María", "José", "Lupe", "Diego", "Camila", "Minh", "Thảo", "Ji-woo", "Hana", "Arjun", "Priya",
    "Fatima", "Omar", "Yasmin", "Kwame", "Amara", "Tomás", "Ngozi", "Eli", "Noa",
)
LAST_NAMES = (
    "García", "Nguyen", "Kim", "Smith", "Johnson", "Hernández", "Lopez", "Patel", "Williams",
    "Brown", "Davis", "Martinez", "Tran", "Park", "Cohen", "Haddad", "Okafor", "Singh", "Reyes",
    "Flores", "Rivera", "Lee", "Wong", "Castillo", "Ramos", "Jackson", "Clark", "Moreno",
)
PRONOUNS = ("she/her", "he/him", "they/them", "she/they", "he/they")
PROGRAMS = ("Virtual IOP", "Recovery IOP", "MAT Clinic", "Adolescent IOP")
COUNTIES = (  # (county, zip prefix, latitude, longitude) of a point inside it
    ("Orange", "927", 33.72, -117.83), ("Los Angeles", "900", 34.05, -118.24),
    ("Riverside", "925", 33.95, -117.4), ("San Bernardino", "924", 34.11, -117.29),
    ("San Diego", "921", 32.72, -117.16),
)
RELATIONS = ("sibling", "parent", "partner", "friend", "sponsor", "roommate")
CATEGORIES = (
    "crisis_line", "crisis_stabilization", "domestic_violence", "emergency_department", "food",
    "harm_reduction", "medication_for_oud", "mobile_crisis", "mutual_aid", "naloxone",
    "outpatient_treatment", "peer_support", "pharmacy", "residential_treatment", "shelter",
    "sobering_center", "urgent_care", "withdrawal_management",
)
PLACE_WORDS = (
    "Harbor", "Cedar", "Mesa", "Sunrise", "Bayview", "Valley", "Pacific", "Canyon", "Riverside",
    "Oak", "Jacaranda", "Coastal", "Desert", "Willow", "Summit", "Mission", "Linden", "Palm",
)
SERVICE_WORDS = (
    "Recovery Center", "Crisis Stabilization Unit", "Community Clinic", "Harm Reduction Hub",
    "Sober Living", "Peer Support Center", "Treatment Services", "Wellness Pharmacy",
    "Family Shelter", "Detox Program", "Urgent Care", "Health Center",
)
LANGUAGE_SETS = (
    ["English"], ["English", "Spanish"], ["English", "Spanish", "Vietnamese"],
    ["English", "Korean"], ["English", "Spanish", "Tagalog"], ["English", "Arabic"],
)
DISPOSITIONS = (
    "stabilized", "safety_plan_updated", "mobile_crisis", "emergency_services", "transported_ed",
    "withdrawal_management", "higher_level_of_care", "warm_handoff_crisis_line", "unable_to_reach",
    "declined", "no_crisis",
)
ALERT_KINDS = (
    "overdose", "suicidal_ideation", "self_harm", "withdrawal", "relapse", "craving",
    "psychiatric", "domestic_violence", "harm_to_others", "missed_checkin", "stressor", "other",
)
SEVERITIES = (("imminent", 0), ("high", 1), ("moderate", 2), ("low", 3))
SUMMARIES = (
    "Caller reports cravings after a family argument; safe at home",
    "Missed two daily check-ins; not answering texts",
    "Reports thoughts of suicide without a plan; roommate present",
    "Friend found client drowsy; naloxone given, now alert",
    "Withdrawal symptoms since last night; out of buprenorphine",
    "Relapsed after six months; ashamed, wants to talk",
    "Panic attacks since yesterday; unable to leave the house",
)
FOLLOW_UP_KINDS = ("contact_24h", "daily_checkin", "call_72h", "caring_contact")
# fmt: on


def dumps(value: Any) -> str:
    """Compact JSON, as the store writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _bodies() -> list[tuple[str, list[str]]]:
    """Timeline event kinds in episode order, each with a few prebuilt JSON bodies."""
    screening = [
        dumps(
            {
                "instrument": "C-SSRS screener",
                "risk_level": level,
                "answers": {"wished_dead": True, "thoughts": level != "low"},
            }
        )
        for level in ("high", "moderate", "low")
    ]
    contact = [
        dumps({"who": who, "channel": channel, "result": result, "note": note})
        for who, channel, result, note in [
            ("client", "phone", "reached", "Talked through the urge; agreed to call back at 9"),
            ("client", "phone", "no_answer", ""),
            ("client", "text", "left_message", "Sent the check-in text"),
            ("sister", "phone", "reached", "Sister is with the client tonight"),
        ]
    ]
    return [
        (
            "location_confirmed",
            [
                dumps({"text": "home", "zip": "92701", "lat": None, "lon": None}),
                dumps({"text": "friend's apartment", "zip": None, "lat": None, "lon": None}),
            ],
        ),
        ("contact_attempt", contact),
        ("risk_screening", screening),
        (
            "note",
            [
                dumps({"text": text})
                for text in (
                    "Client used the breathing exercise from the safety plan",
                    "Reviewed naloxone on hand; two kits at home",
                    "Client agreed to attend the evening meeting",
                )
            ],
        ),
        ("coping_used", [dumps({"text": "Went for a walk with the dog"})]),
        ("safety_plan_review", [dumps({"version": 1, "changes": "added a new contact"})]),
        (
            "referral",
            [
                dumps(
                    {
                        "text": "Gave the number of the mobile crisis team",
                        "resource": "Harbor Crisis Stabilization Unit",
                    }
                )
            ],
        ),
    ]


EVENT_BODIES = _bodies()
"""(kind, bodies) cycled through for the events of each episode."""
