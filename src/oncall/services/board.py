"""The supervisor's live board (W10): what needs attention right now, for everyone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Alert
from oncall.domain.timefmt import from_iso, maybe_from_iso, to_iso
from oncall.domain.types import Role, ShiftRole
from oncall.services.context import ServiceContext
from oncall.services.errors import PermissionDenied
from oncall.services.outbox_actions import undeliverable_messages
from oncall.services.risk import current_levels
from oncall.services.rota import on_call_now
from oncall.store import alerts as alert_rows
from oncall.store import board as board_rows
from oncall.store import episodes as episode_rows

ROTA_ORDER = (ShiftRole.PRIMARY, ShiftRole.BACKUP, ShiftRole.SUPERVISOR)


@dataclass(frozen=True)
class WaitingAlert:
    """An alert nobody has acknowledged."""

    alert_id: int
    severity: str
    kind: str
    source: str
    client: str
    received_at: datetime
    deadline: datetime
    escalation_level: int
    severity_rank: int = 0
    """0 for imminent, 3 for low."""
    client_id: int | None = None
    """None while the alert's client reference is unknown."""
    assigned_to: str | None = None
    """The colleague a supervisor last asked to take it, if any."""

    def breached(self, now: datetime) -> bool:
        """Past its acknowledgement deadline (an SLA breach)."""
        return now >= self.deadline

    def urgency(self, now: datetime) -> tuple[bool, int, datetime, int]:
        """The board's order: past deadline first, then by severity, then oldest first."""
        return (not self.breached(now), self.severity_rank, self.received_at, self.alert_id)


@dataclass(frozen=True)
class PendingHandoff:
    """A hotline handoff awaiting confirmation."""

    episode_id: int
    client: str
    org: str
    reference: str
    owner: str
    deadline: datetime | None


@dataclass(frozen=True)
class OpenEpisode:
    """An episode not closed, as the board lists it."""

    episode_id: int
    client: str
    owner: str
    status: str
    risk_level: str | None
    handoff_reference: str | None
    """The hotline's reference while its handoff awaits confirmation."""
    handoff_deadline: datetime | None
    last_event_at: datetime | None


@dataclass(frozen=True)
class OverdueFollowUp:
    """A follow-up past due or out of attempts."""

    follow_up_id: int
    client: str
    kind: str
    due_at: datetime
    assignee: str
    attempts: int
    exhausted: bool


@dataclass(frozen=True)
class Workload:
    """One person's open work."""

    name: str
    role: str
    open_episodes: int
    pending_follow_ups: int
    staff_id: int = 0
    last_action_at: datetime | None = None
    """Their newest timeline event on an open episode they own (None: none yet)."""
    on_call: tuple[ShiftRole, ...] = ()
    """The rota roles they hold now."""


@dataclass(frozen=True)
class FailingDelivery:
    """An outbound message that failed or is being retried."""

    message_id: int
    kind: str
    target: str
    attempts: int
    status: str
    last_error: str
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class Board:
    """Everything on the supervisor's board, read in one go."""

    read_at: datetime
    waiting: list[WaitingAlert]
    handoffs: list[PendingHandoff]
    overdue: list[OverdueFollowUp]
    workload: list[Workload]
    failing: list[FailingDelivery]
    uncovered: tuple[ShiftRole, ...] = ()
    """Rota roles nobody holds right now."""
    episodes: tuple[OpenEpisode, ...] = ()
    """Every episode not closed: handoffs awaiting confirmation first, then quietest first."""

    @property
    def responders(self) -> list[Workload]:
        """Who is on call now (by rota role), then everyone else holding open work."""
        on_call = sorted(
            (w for w in self.workload if w.on_call),
            key=lambda w: (min(ROTA_ORDER.index(r) for r in w.on_call), w.name),
        )
        busy = [
            w for w in self.workload if not w.on_call and (w.open_episodes or w.pending_follow_ups)
        ]
        return [*on_call, *busy]

    @property
    def breaches(self) -> list[WaitingAlert]:
        """Alerts past their acknowledgement deadline."""
        return [w for w in self.waiting if w.breached(self.read_at)]

    @property
    def escalations(self) -> list[WaitingAlert]:
        """Alerts whose escalation chain has started."""
        return [w for w in self.waiting if w.escalation_level > 0]


def read_board(ctx: ServiceContext) -> Board:
    """Read the live board.

    Not audited per read: the board refreshes several times a second. The screen
    audits once when a supervisor opens it (`audit_board_opened`).
    """
    if ctx.actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("The supervisor board is for supervisors and admins.")
    now = ctx.clock.now()
    rota = on_call_now(ctx, now)
    roles: dict[int, list[ShiftRole]] = {}
    for role in ROTA_ORDER:
        for entry in rota.for_role(role):
            roles.setdefault(entry.staff_id, []).append(role)
    with ctx.store.read() as conn:
        waiting = [
            WaitingAlert(
                r["id"],
                r["severity"],
                r["kind"],
                r["source"],
                r["client_name"] or f"unknown client {r['client_ref']}",
                from_iso(r["received_at"]),
                from_iso(r["ack_deadline_at"]),
                r["escalation_level"],
                r["severity_rank"],
                r["client_id"],
                r["assigned_to"],
            )
            for r in board_rows.unacknowledged(conn, to_iso(now))
        ]
        handoffs = []
        for r in board_rows.pending_handoffs(conn):
            handoff = json.loads(r["handoff"] or "{}")
            handoffs.append(
                PendingHandoff(
                    r["id"],
                    r["client_name"],
                    str(handoff.get("org", "")),
                    str(handoff.get("reference") or ""),
                    r["owner"] or "unknown",
                    maybe_from_iso(r["handoff_deadline_at"]),
                )
            )
        episodes = []
        open_rows = board_rows.open_episodes(conn)
        levels = current_levels(conn, (r["id"] for r in open_rows))
        for r in open_rows:
            pending = r["status"] == "handoff_pending"
            handoff = json.loads(r["handoff"] or "{}") if pending else {}
            episodes.append(
                OpenEpisode(
                    r["id"],
                    r["client_name"],
                    r["owner"] or "unknown",
                    r["status"],
                    level.value if (level := levels[r["id"]]) else None,
                    str(handoff.get("reference") or "no ref") if pending else None,
                    maybe_from_iso(r["handoff_deadline_at"]) if pending else None,
                    maybe_from_iso(r["last_event_at"]),
                )
            )
        overdue = [
            OverdueFollowUp(
                r["id"],
                r["client_name"],
                r["kind"],
                from_iso(r["due_at"]),
                r["assignee"] or "unassigned",
                r["attempts"],
                r["status"] == "exhausted",
            )
            for r in board_rows.overdue_follow_ups(conn, to_iso(now))
        ]
        load = [
            Workload(
                r["display_name"],
                r["role"],
                r["open_episodes"],
                r["pending_follow_ups"],
                r["id"],
                maybe_from_iso(r["last_action_at"]),
                tuple(roles.get(r["id"], ())),
            )
            for r in board_rows.workload(conn)
        ]
        failing = [
            FailingDelivery(
                r["id"],
                r["kind"],
                r["target"],
                r["attempts"],
                r["status"],
                r["last_error"] or "",
                maybe_from_iso(r["next_attempt_at"]),
            )
            for r in board_rows.failing_deliveries(conn)
        ]
    # A page no configured target takes waits (never failing by attempts): loud here at once.
    listed = {f.message_id for f in failing}
    failing += [
        FailingDelivery(m.id, m.kind, m.recipient, 0, "no target", m.reason, None)
        for m in undeliverable_messages(ctx)
        if m.id not in listed
    ]
    return Board(
        now, waiting, handoffs, overdue, load, failing, tuple(rota.uncovered), tuple(episodes)
    )


def audit_board_opened(ctx: ServiceContext) -> None:
    """Record that the acting user opened the supervisor board."""
    ctx.audit_alone("board.viewed", "board")


def alert_to_open(ctx: ServiceContext, alert_id: int) -> tuple[Alert | None, int | None]:
    """A waiting alert, and the open episode of its client that Enter would open (if any)."""
    with ctx.store.read() as conn:
        alert = alert_rows.alert_by_id(conn, alert_id)
        if alert is None or alert.client_id is None:
            return alert, None
        episode = episode_rows.open_episode_for_client(conn, alert.client_id)
    return alert, episode.id if episode else None
