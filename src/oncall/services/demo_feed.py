"""The simulated feed of `oncall demo`: a plausible synthetic alert every few seconds.

It goes through the same ingest path as a real feed (validation, deduplication,
audit), with its own connection, so every open console sees its alerts the way
it sees another process's. All data is synthetic.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import timedelta
from typing import Any

from oncall import paths
from oncall.clock import Clock, SystemClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.domain.types import Role
from oncall.fixtures.gen_alerts import HOTLINES, ID_PREFIX, TEMPLATES, UNKNOWN_REFS
from oncall.fixtures.gen_places import fictional_phone
from oncall.services.alerts import IngestReport, ingest_records
from oncall.services.context import ServiceContext
from oncall.store.db import Store

FEED_ACTOR = Staff(id=0, login="demo-feed", display_name="Demo feed", role=Role.ADMIN)
UNKNOWN_SHARE = 0.1
AREA_CODES = {"Orange": "714", "Los Angeles": "213", "San Diego": "619"}


def _demo_clients() -> list[dict[str, Any]]:
    """The synthetic clients the demo database was seeded with (ref, county, zip)."""
    path = paths.fixtures_dir() / "clients.json"
    clients = json.loads(path.read_text(encoding="utf-8"))
    return [
        {"ref": c["external_ref"], "county": c.get("county"), "zip": c.get("zip")} for c in clients
    ]


class DemoFeed:
    """Makes up one alert at a time and ingests it."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
        interval_s: float = 6.0,
        seed: int | None = None,
    ) -> None:
        self.ctx = ServiceContext(store, FEED_ACTOR, clock or SystemClock(), settings or Settings())
        self.interval_s = interval_s
        """Seconds between alerts."""
        self._rng = random.Random(seed)
        self._clients = _demo_clients()
        # Ids unique to this run, so a second demo on the same file adds, not duplicates.
        self._run = secrets.token_hex(2) if seed is None else f"{seed:04x}"
        self._count = 0

    def next_record(self) -> dict[str, Any]:
        """A new synthetic feed record in the docs/design.md section 5 format."""
        rng = self._rng
        self._count += 1
        source, kind, severity, where, summary = rng.choice(TEMPLATES)
        client = rng.choice(self._clients)
        ref = rng.choice(UNKNOWN_REFS) if rng.random() < UNKNOWN_SHARE else client["ref"]
        occurred = self.ctx.clock.now() - timedelta(seconds=rng.randint(5, 240))
        record: dict[str, Any] = {
            "id": f"demo-{ID_PREFIX[source]}-{self._run}-{self._count:05d}",
            "source": source,
            "client_ref": ref,
            "kind": kind,
            "severity": severity,
            "summary": summary,
            "occurred_at": occurred.isoformat(),
        }
        if where is not None:
            text = "emergency department" if where == "ED" else where
            record["location"] = (
                {"text": text, "zip": client["zip"]} if client["zip"] else {"text": text}
            )
        if source == "hotline":
            county = client["county"] or "Orange"
            record["handoff"] = {
                "org": HOTLINES.get(county, "988 Suicide & Crisis Lifeline"),
                "counselor": f"{rng.choice('ABCDKMRT')}-{rng.randint(2, 60)}",
                "reference": f"988-{rng.randint(10000, 99999)}",
                "callback": fictional_phone(rng, AREA_CODES.get(county, "951")),
            }
        return record

    def bring_one(self) -> IngestReport:
        """Make up one alert and store it through the ordinary ingest path."""
        return ingest_records(self.ctx, [(self._count + 1, self.next_record())], origin="demo-feed")
