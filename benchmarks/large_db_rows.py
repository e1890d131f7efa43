"""Rows for the large benchmark database, made lazily so memory stays flat.

`Plan` decides the shape (which client has how many episodes, which episode is
open, which has an alert); `RowMaker` turns it into rows in the schema's columns.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from benchmarks import synthetic as syn

Row = tuple[object, ...]
Rows = tuple[str, tuple[str, ...], Iterable[Row]]
"""(table, columns, rows) ready for one INSERT statement."""

DAY = 86_400.0
HISTORY_DAYS = 730
OPEN_SHARE = 0.03
"""Share of clients whose latest episode is still open."""


def iso(ts: float) -> str:
    """A POSIX timestamp as the store writes times (UTC, microseconds)."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


@dataclass
class Plan:
    """The shape of the data: episodes per client, open episodes, episodes with alerts."""

    counts: dict[str, int]
    episode_client: list[int]
    """Client id of each episode (index = episode id - 1), grouped by client."""
    open_episodes: set[int]
    alerted: set[int]
    """Episodes that came from an alert (every open one, then closed ones at random)."""
    followed_up: list[int]
    """Closed episodes that get a pending follow-up."""

    @classmethod
    def make(cls, rng: random.Random, counts: dict[str, int]) -> Plan:
        """Spread episodes over clients and choose the open and alerted ones."""
        clients, episodes = counts["clients"], counts["episodes"]
        base, extra = divmod(episodes, clients)
        opening = set(rng.sample(range(1, clients + 1), max(1, int(clients * OPEN_SHARE))))
        episode_client: list[int] = []
        open_episodes: set[int] = set()
        for client in range(1, clients + 1):
            episode_client.extend([client] * (base + (client <= extra)))
            if client in opening and episode_client and episode_client[-1] == client:
                open_episodes.add(len(episode_client))
        attached = max(0, counts["alerts"] - max(1, counts["alerts"] // 100))
        closed = [e for e in range(1, episodes + 1) if e not in open_episodes]
        alerted = set(sorted(open_episodes)[:attached])
        alerted.update(rng.sample(closed, min(len(closed), attached - len(alerted))))
        followed = rng.sample(closed, min(len(closed), counts["pending_follow_ups"]))
        return cls(counts, episode_client, open_episodes, alerted, followed)


class RowMaker:
    """Makes the rows of the people tables from a plan, around the moment `now`."""

    def __init__(self, rng: random.Random, plan: Plan, now: float) -> None:
        self.rng = rng
        self.plan = plan
        self.now = now
        n = plan.counts["staff"]
        roles = ["admin", "supervisor", "supervisor"] + [
            rng.choice(["clinician"] * 6 + ["peer", "case_manager"]) for _ in range(n - 3)
        ]
        self.roles = roles
        self.clinicians = [i + 1 for i, role in enumerate(roles) if role == "clinician"]
        self.helpers = [i + 1 for i, role in enumerate(roles) if role != "admin"]

    def name(self) -> str:
        """A random synthetic full name."""
        return f"{self.rng.choice(syn.FIRST_NAMES)} {self.rng.choice(syn.LAST_NAMES)}"

    def phone(self, n: int) -> str:
        """A fictional phone number (555-01xx)."""
        return f"+1-714-555-01{n % 100:02d}"

    def staff(self) -> Rows:
        """Staff with logins staff0001…, of every role."""
        at = iso(self.now - HISTORY_DAYS * DAY)
        rows = [
            (i + 1, f"staff{i + 1:04d}", self.name(), role, self.phone(i), 1, at)
            for i, role in enumerate(self.roles)
        ]
        columns = ("id", "login", "display_name", "role", "phone", "active", "created_at")
        return "staff", columns, rows

    def shifts(self) -> Rows:
        """Four weeks back and four ahead: primary, backup and supervisor, 12 h each."""
        supervisors = [i + 1 for i, r in enumerate(self.roles) if r == "supervisor"]
        day0 = self.now - self.now % DAY
        rows = []
        for half_day in range(-56, 56):
            start = day0 + half_day * DAY / 2 + 4 * 3600
            for role, pool in (
                ("primary", self.clinicians),
                ("backup", self.clinicians),
                ("supervisor", supervisors),
            ):
                rows.append((self.rng.choice(pool), role, iso(start), iso(start + DAY / 2)))
        return "on_call_shifts", ("staff_id", "role", "starts_at", "ends_at"), rows

    def clients(self) -> Rows:
        """Clients C-100001…, spread over five Southern California counties."""
        columns = (
            "id",
            "external_ref",
            "name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "phone",
            "address",
            "county",
            "zip",
            "lat",
            "lon",
            "program",
            "primary_clinician_id",
            "consent_emergency_contact",
            "consent_hotline_report",
            "consent_date",
        )

        def rows() -> Iterator[Row]:
            rng = self.rng
            for cid in range(1, self.plan.counts["clients"] + 1):
                county, prefix, lat, lon = rng.choice(syn.COUNTIES)
                name = self.name()
                consent = rng.random() < 0.7
                yield (
                    cid,
                    f"C-{100000 + cid}",
                    name,
                    name.split()[0],
                    rng.choice(syn.PRONOUNS),
                    f"{rng.randint(1960, 2007)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    self.phone(cid),
                    f"{rng.randint(100, 9999)} Main St",
                    county,
                    f"{prefix}{rng.randint(0, 99):02d}",
                    round(lat + rng.uniform(-0.2, 0.2), 4),
                    round(lon + rng.uniform(-0.2, 0.2), 4),
                    rng.choice(syn.PROGRAMS),
                    rng.choice(self.clinicians),
                    int(consent),
                    int(consent),
                    "2026-01-15",
                )

        return "clients", columns, rows()

    def emergency_contacts(self) -> Rows:
        """One emergency contact per client."""
        rows = (
            (
                cid,
                self.name(),
                self.rng.choice(syn.RELATIONS),
                self.phone(cid + 7),
                int(self.rng.random() < 0.8),
            )
            for cid in range(1, self.plan.counts["clients"] + 1)
        )
        columns = ("client_id", "name", "relation", "phone", "consent_to_contact")
        return "emergency_contacts", columns, rows

    def safety_plans(self) -> Rows:
        """A first safety-plan version for every client."""
        sections = syn.dumps(
            {
                "warning_signs": ["Not sleeping two nights in a row", "Skipping meetings"],
                "internal_coping": ["Walk the dog", "Breathing exercise"],
                "social_distraction": ["Coffee with my sister"],
                "people_for_help": ["My sponsor"],
                "professionals": ["988, call or text any time", "911 if I overdose"],
                "environment_safety": ["Naloxone in the kitchen drawer", "Never use alone"],
            }
        )
        at = iso(self.now - 400 * DAY)
        rows = (
            (cid, 1, sections, "My kids", self.rng.choice(self.clinicians), at)
            for cid in range(1, self.plan.counts["clients"] + 1)
        )
        columns = (
            "client_id",
            "version",
            "sections",
            "reasons_for_living",
            "created_by",
            "created_at",
        )
        return "safety_plans", columns, rows
