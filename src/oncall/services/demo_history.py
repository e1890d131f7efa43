"""Four weeks of past on-call work for the demo, made by the real services on a moving clock.

Alerts arrive spread over days and hours; the on-call clinician of the hour claims
them (some late, after the escalation chain paged the backup or the supervisor);
episodes get their timelines and close with follow-ups (services/demo_episodes.py);
hotline handoffs are confirmed or still pending; pages go out through the outbox
deliverer (a Pager the command gives: feeds/demo_pager.py) to a simulated paging
service and hotlines, once cut off by an outage of a few hours.
Nothing is written to a table directly: every row, and so every figure the board
and the reports compute, comes from the service a clinician's key press would call.
The random choices are seeded: the same end time gives the same history.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Protocol

from oncall import paths
from oncall.clock import FrozenClock
from oncall.config import Settings, TargetSettings
from oncall.domain.rota_records import ShiftRecord
from oncall.domain.types import Role, ShiftRole
from oncall.fixtures.gen_alerts import HOTLINES, UNKNOWN_REFS
from oncall.services import demo_story as story
from oncall.services.context import ServiceContext
from oncall.services.demo_episodes import EpisodePlayer
from oncall.services.demo_feed import DemoFeed
from oncall.services.errors import ServiceError
from oncall.services.escalation import dispatcher_actor, run_due_escalations
from oncall.services.ingest import ingest_records
from oncall.services.rota import on_call_now
from oncall.services.rota_import import import_rota
from oncall.store import alerts as alert_rows
from oncall.store import people
from oncall.store.db import Store

HISTORY_DAYS = 28
SEED = 20261120
RECENT = timedelta(hours=12)
"""Episodes opened this close to the end may still be open, their handoffs unconfirmed."""
STILL_WAITING = timedelta(hours=3)
"""Alerts this close to the end may still be waiting for someone to claim them."""
LAST_HOURS_EXTRA = 4
"""Made-up alerts added over the last eight hours, so the board has something current."""
OUTAGE = timedelta(hours=3)
"""How long the clinic's outbound link was down, from the first hotline outcome report
sent nine days or less before the end (so the outage always meets a message that no
acknowledgement withdraws, whatever the end time)."""
OUTAGE_FROM = timedelta(days=9)
PAGER_URL = "https://pager.demo.invalid/v1/events"
HOTLINE_URL = "https://hotline.demo.invalid/outcomes"
# Evenings and nights bring most crisis alerts; weights for each hour of the clinic's day.
HOUR_WEIGHTS = (6, 5, 4, 3, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 8, 8, 7)
GENERATED_PER_DAY = (3, 7)
"""Fewest and most made-up alerts a day, besides the sixty fixture alerts."""


class PageOutcome(Protocol):
    """What became of one outbox message at a delivery tick."""

    @property
    def delivered(self) -> bool:
        """The receiver has it."""
        ...

    @property
    def gave_up(self) -> bool:
        """No more tries: the message is failed."""
        ...

    @property
    def next_attempt_at(self) -> datetime | None:
        """When it is tried again (None: not again)."""
        ...


class Pager(Protocol):
    """Delivers the history's outbox messages (feeds/demo_pager.py, given by the command)."""

    def deliver_due(self, now: datetime) -> Sequence[PageOutcome]:
        """Send what is due at `now`."""
        ...

    def outage(self, start: datetime, length: timedelta) -> None:
        """Take the outbound link down from `start` for `length`."""
        ...

    def close(self) -> None:
        """Release what it holds."""
        ...


PagerFactory = Callable[[ServiceContext], Pager]
"""Makes the pager from the dispatcher's context (its clock is the history's)."""


@dataclass
class HistoryReport:
    """What the history holds, counted as the services reported it."""

    alerts: int = 0
    acknowledged: int = 0
    escalation_steps: int = 0
    episodes_opened: int = 0
    episodes_closed: int = 0
    handoffs_confirmed: int = 0
    follow_ups_scheduled: int = 0
    follow_ups_done: int = 0
    pages_delivered: int = 0
    pages_failed: int = 0
    refused: list[str] = field(default_factory=list)
    """Service refusals met while playing the history (none expected)."""

    def lines(self) -> list[str]:
        """The summary `oncall demo` prints."""
        return [
            f"{self.alerts} alerts over the past {HISTORY_DAYS} days, {self.acknowledged} "
            f"acknowledged, {self.escalation_steps} escalation steps and reminders",
            f"{self.episodes_opened} episodes ({self.episodes_closed} closed), "
            f"{self.handoffs_confirmed} hotline handoffs confirmed, "
            f"{self.follow_ups_done} of {self.follow_ups_scheduled} follow-ups done",
            f"{self.pages_delivered} pages delivered, {self.pages_failed} failed",
        ]


class Simulation:
    """A moving clock, a queue of what happens next, and a context per person."""

    def __init__(
        self, store: Store, settings: Settings, start: datetime, end: datetime, pager: PagerFactory
    ) -> None:
        self.store = store
        self.settings = settings
        self.end = end
        self.clock = FrozenClock(start)
        self.rng = random.Random(SEED)
        self.report = HistoryReport()
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._people: dict[int, ServiceContext] = {}
        self._tick: datetime | None = None
        self._outage = False
        self.dispatcher = ServiceContext(
            store, dispatcher_actor("demo-history"), self.clock, settings
        )
        self.pager = pager(self.dispatcher)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        """Do `action` at `when`, if that is still in the past."""
        if when < self.end:
            heapq.heappush(self._queue, (when, next(self._order), action))

    def as_staff(self, staff_id: int) -> ServiceContext:
        """The context of one staff member, on the simulation's clock."""
        if staff_id not in self._people:
            with self.store.read() as conn:
                staff = people.staff_by_id(conn, staff_id)
            assert staff is not None
            self._people[staff_id] = ServiceContext(self.store, staff, self.clock, self.settings)
        return self._people[staff_id]

    def attempt(self, what: str, action: Callable[[], object]) -> None:
        """Run one service call; a refusal is noted, never fatal to the demo."""
        try:
            action()
        except ServiceError as error:
            self.report.refused.append(f"{what}: {error}")

    def check(self, when: datetime) -> None:
        """Let the dispatcher take whatever escalation step is due at `when`."""
        self.at(when, self._escalate)

    def _escalate(self) -> None:
        run = run_due_escalations(self.dispatcher, fired_by="demo-history")
        self.report.escalation_steps += len(run.steps)
        if run.steps:
            self.send_pages_soon()

    def send_pages_soon(self, *, outcome_report: bool = False) -> None:
        """The dispatcher's next outbox tick, half a minute from now (one tick for many)."""
        now = self.clock.now()
        if outcome_report and not self._outage and now >= self.end - OUTAGE_FROM:
            self.pager.outage(now, OUTAGE)
            self._outage = True
        if self._tick is not None and self._tick >= self.clock.now():
            return
        self._tick = self.clock.now() + timedelta(seconds=30)
        self.at(self._tick, self._deliver)

    def _deliver(self) -> None:
        self._tick = None
        for result in self.pager.deliver_due(self.clock.now()):
            if result.delivered:
                self.report.pages_delivered += 1
            elif result.gave_up:
                self.report.pages_failed += 1
            elif result.next_attempt_at is not None:
                self.at(result.next_attempt_at + timedelta(seconds=1), self._deliver)

    def run(self) -> None:
        """Play every queued action in time order, then settle what is due at the end."""
        while self._queue:
            when, _, action = heapq.heappop(self._queue)
            self.clock.set(when)
            action()
        self.clock.set(self.end)
        self._escalate()
        self._deliver()


def _history_settings(settings: Settings, fixture_alerts: list[dict[str, object]]) -> Settings:
    """The settings the past ran with: a paging service and the hotlines' outcome intake."""
    handoffs = [a.get("handoff") for a in fixture_alerts]
    told = {str(h.get("org")) for h in handoffs if isinstance(h, dict)}
    orgs = sorted({*HOTLINES.values(), "988 Suicide & Crisis Lifeline", *told})
    targets = (
        TargetSettings(name="escalations", url=PAGER_URL),
        *(TargetSettings(name=org, url=HOTLINE_URL) for org in orgs),
    )
    return replace(settings, targets=targets)


def _past_rota(sim: Simulation, start: datetime) -> None:
    """Day and night shifts for every past day the fixtures' rota does not cover."""
    with sim.store.read() as conn:
        staff = [s for s in people.list_staff(conn) if s.active]
    clinicians = [s.login for s in staff if s.role is Role.CLINICIAN]
    supervisors = [s.login for s in staff if s.role is Role.SUPERVISOR]
    planner = next(s for s in staff if s.role in (Role.SUPERVISOR, Role.ADMIN))
    zone = sim.settings.zone
    first = start.astimezone(zone).date()
    last = sim.end.astimezone(zone).date() - timedelta(days=1)  # the fixtures start there
    records: list[ShiftRecord] = []
    day = first
    while day < last:
        for half, hour in enumerate((8, 20)):
            begin = datetime.combine(day, time(hour), tzinfo=zone)
            turn = 2 * day.toordinal() + half
            roles = (
                (ShiftRole.PRIMARY, clinicians[turn % len(clinicians)]),
                (ShiftRole.BACKUP, clinicians[(turn + 3) % len(clinicians)]),
                (ShiftRole.SUPERVISOR, supervisors[half % len(supervisors)]),
            )
            for role, login in roles:
                n = len(records) + 1
                records.append(ShiftRecord(n, n, login, role, begin, begin + timedelta(hours=12)))
        day += timedelta(days=1)
    import_rota(sim.as_staff(planner.id), records, origin="demo-history")


def _arrivals(sim: Simulation, start: datetime, fixture_alerts: list[dict[str, object]]) -> None:
    """Queue every alert of the past: the fixtures' spread over the weeks, and made-up ones."""
    zone = sim.settings.zone
    rng = sim.rng
    first_day = start.astimezone(zone).date() + timedelta(days=1)
    moments: list[tuple[datetime, dict[str, object] | None, story.Scene]] = []
    ordered = sorted(fixture_alerts, key=lambda a: str(a.get("occurred_at", "")))
    for number, record in enumerate(ordered):
        day = first_day + timedelta(days=number * (HISTORY_DAYS - 1) // max(len(ordered), 1))
        told = datetime.fromisoformat(str(record["occurred_at"])).astimezone(zone)
        occurred = datetime.combine(day, told.time(), tzinfo=zone)
        while occurred > sim.end - timedelta(minutes=5):
            occurred -= timedelta(days=1)
        record = {**record, "occurred_at": occurred.isoformat()}
        moments.append((occurred, record, story.Scene.USUAL))
    day = first_day
    while day <= sim.end.astimezone(zone).date():
        for _ in range(rng.randint(*GENERATED_PER_DAY)):
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            when = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=zone)
            if when < sim.end - timedelta(minutes=5):
                moments.append((when, None, story.Scene.USUAL))  # the demo feed makes it up
        day += timedelta(days=1)
    # The last hours always hold an alert nobody has claimed yet and a hotline handoff
    # still awaiting its confirmation, besides what chance leaves open.
    scenes = [story.Scene.STILL_WAITING, story.Scene.HANDOFF_PENDING]
    for number in range(LAST_HOURS_EXTRA):
        made = scenes[number] if number < len(scenes) else story.Scene.USUAL
        latest = 480 if made is story.Scene.USUAL else 90  # minutes before the end
        moments.append((sim.end - timedelta(minutes=rng.randint(20, latest)), None, made))
    moments.sort(key=lambda m: m[0])
    feed = DemoFeed(sim.store, clock=sim.clock, settings=sim.settings, seed=SEED % 0xFFFF)
    refs = _client_refs()
    for when, given, scene in moments:
        recent = when > sim.end - RECENT

        def occur(
            given: dict[str, object] | None = given, recent: bool = recent, scene: str = scene
        ) -> None:
            record = given if given is not None else _made_up(feed, scene)
            if not recent and record.get("client_ref") in UNKNOWN_REFS:
                # Older alerts from an unknown reference were long since matched to their
                # client; the last hours keep theirs for the console's matching to show.
                record = {**record, "client_ref": rng.choice(refs)}
            delay = timedelta(seconds=sim.rng.randint(20, 180))  # the feed's own latency
            sim.at(sim.clock.now() + delay, lambda: _arrive(sim, record, recent, scene))

        sim.at(when, occur)


def _client_refs() -> list[str]:
    """The demo clients' references (fixtures/clients.json)."""
    clients = json.loads((paths.fixtures_dir() / "clients.json").read_text(encoding="utf-8"))
    return [str(c["external_ref"]) for c in clients]


def _made_up(feed: DemoFeed, scene: str) -> dict[str, object]:
    """The demo feed's next record; for a pending handoff, its next hotline one."""
    record = feed.next_record()
    for _ in range(200):
        if scene != story.Scene.HANDOFF_PENDING:
            break
        if "handoff" in record and record["client_ref"] not in UNKNOWN_REFS:
            break
        record = feed.next_record()
    return record


def _arrive(sim: Simulation, record: dict[str, object], recent: bool, scene: str) -> None:
    """The alert reaches the database; its claim (or none yet) and its deadline checks queue."""
    report = ingest_records(sim.dispatcher, [(1, record)], origin="demo-history")
    if not report.accepted_ids:
        sim.report.refused.append(f"alert {record.get('id')}: not accepted")
        return
    sim.report.alerts += 1
    with sim.store.read() as conn:
        alert = alert_rows.alert_by_id(conn, report.accepted_ids[0])
    assert alert is not None
    now = sim.clock.now()
    interval = alert.ack_deadline_at - alert.received_at
    for level in (1, 2):
        sim.check(alert.received_at + interval * level + timedelta(seconds=1))
    fresh = now > sim.end - STILL_WAITING
    fate = story.ack_fate(sim.rng, interval, recent=fresh, scene=scene)
    if fate.delay is not None:
        sim.at(now + fate.delay, lambda: _acknowledge(sim, alert.id, fate.by_backup, recent, scene))


def _acknowledge(sim: Simulation, alert_id: int, by_backup: bool, recent: bool, scene: str) -> None:
    rota = on_call_now(sim.dispatcher)
    holders = (rota.backup if by_backup else []) or rota.primary or rota.backup
    if not holders:
        sim.report.refused.append(f"alert {alert_id}: nobody on call to acknowledge it")
        return
    ctx = sim.as_staff(holders[0].staff_id)

    def claim() -> None:
        from oncall.services.alerts import acknowledge_alert

        ack = acknowledge_alert(ctx, alert_id)
        sim.report.acknowledged += 1
        if ack.episode is not None and not ack.attached_to_existing:
            sim.report.episodes_opened += 1
            EpisodePlayer(sim, ctx, ack.episode, ack.alert, recent, scene).play()

    sim.attempt(f"acknowledge alert {alert_id}", claim)


def make_history(
    store: Store,
    *,
    settings: Settings,
    end: datetime,
    fixture_alerts: list[dict[str, object]],
    pager: PagerFactory,
) -> HistoryReport:
    """Play four weeks of on-call work ending at `end` into a seeded demo database."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _play(store, settings, end, fixture_alerts, pager)
    # Called from inside an event loop (a test, a console): play it on a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_play, store, settings, end, fixture_alerts, pager).result()


def _play(
    store: Store,
    settings: Settings,
    end: datetime,
    fixture_alerts: list[dict[str, object]],
    pager: PagerFactory,
) -> HistoryReport:
    start = end - timedelta(days=HISTORY_DAYS)
    sim = Simulation(store, _history_settings(settings, fixture_alerts), start, end, pager)
    # A demo file being made holds nothing to lose in a power cut: skip the per-commit
    # sync while it is made (FULL again before anyone uses it).
    with store.read() as conn:
        conn.execute("PRAGMA synchronous = OFF")
    try:
        _past_rota(sim, start)
        _arrivals(sim, start, fixture_alerts)
        sim.run()
    finally:
        sim.pager.close()
        with store.read() as conn:
            conn.execute("PRAGMA synchronous = FULL")
    return sim.report
