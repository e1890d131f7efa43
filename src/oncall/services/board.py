"""The supervisor's live board (W10): what needs attention right now, for everyone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.timefmt import from_iso, maybe_from_iso, to_iso
from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.errors import PermissionDenied
from oncall.store import board as board_rows


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

    def breached(self, now: datetime) -> bool:
        """Past its acknowledgement deadline (an SLA breach)."""
        return now >= self.deadline


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
            )
            for r in board_rows.unacknowledged(conn)
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
            Workload(r["display_name"], r["role"], r["open_episodes"], r["pending_follow_ups"])
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
    return Board(now, waiting, handoffs, overdue, load, failing)


def audit_board_opened(ctx: ServiceContext) -> None:
    """Record that the acting user opened the supervisor board."""
    ctx.audit_alone("board.viewed", "board")
