"""Episodes with their alerts and timelines, follow-ups, queued alerts and resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks import synthetic as syn
from benchmarks.large_db_rows import DAY, HISTORY_DAYS, Row, RowMaker, Rows, iso
from oncall.domain.types import Disposition

AuditRow = tuple[str, str, str, str, str | None, int | None, dict[str, Any]]

EPISODE_COLUMNS = (
    "id",
    "client_id",
    "opened_at",
    "opened_by",
    "status",
    "risk_level",
    "risk_set_at",
    "location",
    "location_confirmed_at",
    "handoff",
    "handoff_deadline_at",
    "disposition",
    "summary",
    "closed_at",
    "closed_by",
)
ALERT_COLUMNS = (
    "id",
    "source",
    "external_id",
    "client_ref",
    "client_id",
    "kind",
    "severity",
    "severity_rank",
    "summary",
    "occurred_at",
    "received_at",
    "ack_deadline_at",
    "status",
    "acknowledged_by",
    "acknowledged_at",
    "episode_id",
    "location",
    "handoff",
    "raw",
    "unknown_client",
)
EVENT_COLUMNS = ("episode_id", "at", "actor_id", "kind", "body")
LOCATION = syn.dumps({"text": "home", "zip": "92701"})
HANDOFF = syn.dumps({"org": "988 Orange County", "counselor": "K-17", "reference": "988-55812"})


class ClinicalRows:
    """Episodes, alerts, timeline events, follow-ups and resources for a plan."""

    def __init__(self, people: RowMaker) -> None:
        self.people = people
        self.rng = people.rng
        self.plan = people.plan
        self.now = people.now
        self.audit: list[AuditRow] = []
        """alert.created and episode.opened entries, to append in time order at the end."""
        self.next_alert = 1
        self.followed = set(self.plan.followed_up)

    def episode_chunks(self, size: int) -> Iterator[tuple[Rows, Rows, Rows]]:
        """(episodes, alerts, events) for consecutive clients, about `size` events a chunk."""
        plan, counts = self.plan, self.plan.counts
        per_episode, extra = divmod(counts["timeline_events"], counts["episodes"])
        episodes: list[Row] = []
        alerts: list[Row] = []
        events: list[Row] = []
        episode_id = 0
        while episode_id < len(plan.episode_client):
            client = plan.episode_client[episode_id]
            run = [client]
            while episode_id + len(run) < len(plan.episode_client) and (
                plan.episode_client[episode_id + len(run)] == client
            ):
                run.append(client)
            starts = sorted(
                self.rng.uniform(self.now - HISTORY_DAYS * DAY, self.now - 4 * DAY) for _ in run
            )
            for start in starts:
                episode_id += 1
                n_events = per_episode + (episode_id <= extra)
                self._episode(episode_id, client, start, n_events, episodes, alerts, events)
            if len(events) >= size:
                yield self._flush(episodes, alerts, events)
                episodes, alerts, events = [], [], []
        if episodes:
            yield self._flush(episodes, alerts, events)

    @staticmethod
    def _flush(
        episodes: list[Row], alerts: list[Row], events: list[Row]
    ) -> tuple[Rows, Rows, Rows]:
        return (
            ("episodes", EPISODE_COLUMNS, episodes),
            ("alerts", ALERT_COLUMNS, alerts),
            ("timeline_events", EVENT_COLUMNS, events),
        )

    def _episode(
        self,
        eid: int,
        client: int,
        start: float,
        n_events: int,
        episodes: list[Row],
        alerts: list[Row],
        events: list[Row],
    ) -> None:
        rng, people = self.rng, self.people
        is_open = eid in self.plan.open_episodes
        if is_open:
            start = self.now - rng.uniform(600, 3 * DAY)
        end = self.now if is_open else start + rng.uniform(3600, 3 * DAY)
        by = rng.choice(people.clinicians)
        risk = rng.choice(("high", "moderate", "low", "none"))
        pending = is_open and rng.random() < 0.1
        disposition = None if is_open else rng.choice(syn.DISPOSITIONS)
        summary = None if is_open else "Stabilized by phone; safety plan reviewed"
        episodes.append(
            (
                eid,
                client,
                iso(start),
                by,
                "handoff_pending" if pending else ("open" if is_open else "closed"),
                risk,
                iso(start + 900),
                LOCATION,
                iso(start + 300),
                HANDOFF if pending else None,
                iso(start + DAY) if pending else None,
                disposition,
                summary,
                None if is_open else iso(end),
                None if is_open else by,
            )
        )
        self.audit.append(
            (
                iso(start),
                f"staff{by:04d}",
                "episode.opened",
                "episode",
                str(eid),
                client,
                {"from_alert": eid in self.plan.alerted},
            )
        )
        step = (end - start) / (n_events + 1)
        kinds = syn.EVENT_BODIES
        for n in range(n_events):
            at = iso(start + (n + 1) * step)
            if n == 0 and eid in self.plan.alerted:
                body = self._alert(eid, client, start, by, is_open, alerts)
                events.append((eid, at, by, "alert_attached", body))
            elif n == n_events - 1 and not is_open:
                assert disposition is not None
                events.append(
                    (
                        eid,
                        at,
                        by,
                        "outcome",
                        syn.dumps(
                            {
                                "disposition": disposition,
                                "label": Disposition(disposition).label,
                                "summary": summary,
                                "follow_ups": 2 * (eid in self.followed),
                                "no_follow_up_reason": None,
                            }
                        ),
                    )
                )
            else:
                kind, bodies = kinds[(eid + n) % len(kinds)]
                events.append((eid, at, by, kind, rng.choice(bodies)))

    def _alert(
        self, eid: int, client: int, opened: float, by: int, is_open: bool, alerts: list[Row]
    ) -> str:
        """Add the alert an episode came from; return the alert_attached event body."""
        aid, self.next_alert = self.next_alert, self.next_alert + 1
        row = self._alert_row(
            aid, client, opened - 120, "closed" if not is_open else "acknowledged"
        )
        alerts.append((*row[:13], by, iso(opened), eid, *row[16:]))
        return syn.dumps(
            {
                "alert_id": aid,
                "source": "bench",
                "external_id": row[2],
                "kind": row[5],
                "severity": row[6],
                "summary": row[8],
                "handoff": None,
            }
        )

    def _alert_row(self, aid: int, client: int | None, received: float, status: str) -> Row:
        rng = self.rng
        severity, rank = rng.choice(syn.SEVERITIES)
        kind = rng.choice(syn.ALERT_KINDS)
        summary = rng.choice(syn.SUMMARIES)
        ref = f"C-{100000 + client}" if client else f"C-UNKNOWN-{aid}"
        occurred = iso(received - 300)
        raw = syn.dumps(
            {
                "id": f"bench-{aid}",
                "source": "bench",
                "client_ref": ref,
                "kind": kind,
                "severity": severity,
                "summary": summary,
                "occurred_at": occurred,
            }
        )
        self.audit.append(
            (
                iso(received),
                "ingest",
                "alert.created",
                "alert",
                str(aid),
                client,
                {
                    "origin": "bench",
                    "source": "bench",
                    "external_id": f"bench-{aid}",
                    "severity": severity,
                    "unknown_client": client is None,
                },
            )
        )
        return (
            aid,
            "bench",
            f"bench-{aid}",
            ref,
            client,
            kind,
            severity,
            rank,
            summary,
            occurred,
            iso(received),
            iso(received + 900),
            status,
            None,
            None,
            None,
            LOCATION,
            None,
            raw,
            int(client is None),
        )

    def new_alerts(self) -> Rows:
        """Alerts nobody has acknowledged yet, received in the last half hour (the queue)."""
        n = self.plan.counts["alerts"] - (self.next_alert - 1)
        clients = self.plan.counts["clients"]
        rows = []
        for _ in range(max(0, n)):
            aid, self.next_alert = self.next_alert, self.next_alert + 1
            client = None if self.rng.random() < 0.1 else self.rng.randint(1, clients)
            received = self.now - self.rng.uniform(0, 1800)
            rows.append(self._alert_row(aid, client, received, "new"))
        return "alerts", ALERT_COLUMNS, rows

    def follow_ups(self) -> Rows:
        """Pending follow-ups due from two days ago to a week ahead, and as many done ones."""
        rng, now = self.rng, self.now
        client_of = self.plan.episode_client
        rows: list[Row] = []
        for eid in self.plan.followed_up:
            created = iso(now - rng.uniform(DAY, 10 * DAY))
            assignee = rng.choice(self.people.helpers)
            kind = rng.choice(syn.FOLLOW_UP_KINDS)
            due = now + rng.uniform(-2 * DAY, 7 * DAY)
            rows.append(
                (
                    eid,
                    client_of[eid - 1],
                    kind,
                    iso(due),
                    assignee,
                    "pending",
                    rng.randint(0, 2),
                    None,
                    None,
                    created,
                    assignee,
                )
            )
            done = now - rng.uniform(DAY, 300 * DAY)
            rows.append(
                (
                    eid,
                    client_of[eid - 1],
                    kind,
                    iso(done - 3600),
                    assignee,
                    "done",
                    1,
                    "reached",
                    iso(done),
                    created,
                    assignee,
                )
            )
        columns = (
            "episode_id",
            "client_id",
            "kind",
            "due_at",
            "assignee_id",
            "status",
            "attempts",
            "result",
            "completed_at",
            "created_at",
            "created_by",
        )
        return "follow_ups", columns, rows
