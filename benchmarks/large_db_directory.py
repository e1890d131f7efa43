"""Directory entries for the large benchmark database: every category, several schedules.

The rows go into `resources` only: the store's triggers fill the full-text index and
`resource_categories` from them, as they do for every write.
"""

from __future__ import annotations

from collections.abc import Iterator

from benchmarks import synthetic as syn
from benchmarks.large_db_rows import DAY, Row, RowMaker, Rows, iso
from oncall.store.resources import RESOURCE_COLUMNS


def resource_rows(people: RowMaker) -> Rows:
    """Directory entries of every category, most open weekdays, some around the clock."""
    rng = people.rng
    weekdays = syn.dumps(
        {"text": ["Mon-Fri 9:00-17:00"], "hours": [[d, "09:00", "17:00"] for d in range(5)]}
    )
    always = syn.dumps({"text": ["Open 24/7"], "hours": [[d, "00:00", "23:59"] for d in range(7)]})
    evenings = syn.dumps(
        {"text": ["Daily 18:00-02:00"], "hours": [[d, "18:00", "02:00"] for d in range(7)]}
    )

    def rows() -> Iterator[Row]:
        for n in range(1, people.plan.counts["resources"] + 1):
            county, prefix, lat, lon = rng.choice(syn.COUNTIES)
            place = rng.choice(syn.PLACE_WORDS)
            service = rng.choice(syn.SERVICE_WORDS)
            open_all_day = rng.random() < 0.1
            schedule = always if open_all_day else rng.choice((weekdays, weekdays, evenings))
            categories = rng.sample(syn.CATEGORIES, rng.randint(1, 3))
            verified = people.now - rng.uniform(0, 400 * DAY)
            yield (
                f"bench-res-{n:06d}",
                f"{place} {service} {n}",
                f"{place} Health {n % 997}",
                f"{service} serving {county} County: walk-ins welcome, Medi-Cal accepted.",
                syn.dumps(categories),
                syn.dumps([[people.phone(n), "voice"]]),
                f"{rng.randint(100, 9999)} {place} Ave",
                place,
                county,
                f"{prefix}{rng.randint(0, 99):02d}",
                round(lat + rng.uniform(-0.3, 0.3), 5),
                round(lon + rng.uniform(-0.3, 0.3), 5),
                int(open_all_day),
                schedule,
                syn.dumps(rng.choice(syn.LANGUAGE_SETS)),
                syn.dumps([county]),
                0,
                "active",
                iso(verified)[:10],
                None,
                None,
                iso(verified),
            )

    return "resources", RESOURCE_COLUMNS, rows()
