"""The on-call rota: who is primary, backup and supervisor now, and over a range of days."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from oncall.domain.escalation import EscalationTarget
from oncall.domain.models import Shift, Staff
from oncall.domain.types import Role, ShiftRole
from oncall.services.context import ServiceContext
from oncall.services.errors import ValidationFailed
from oncall.store import people


@dataclass(frozen=True)
class RotaEntry:
    """One shift with the person who works it."""

    shift_id: int
    role: ShiftRole
    staff_id: int
    name: str
    phone: str | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class OnCallNow:
    """Who holds each rota role at one moment (a role may have nobody, or several)."""

    at: datetime
    primary: list[RotaEntry]
    backup: list[RotaEntry]
    supervisor: list[RotaEntry]

    def for_role(self, role: ShiftRole) -> list[RotaEntry]:
        """The entries for one role."""
        return {
            ShiftRole.PRIMARY: self.primary,
            ShiftRole.BACKUP: self.backup,
            ShiftRole.SUPERVISOR: self.supervisor,
        }[role]

    @property
    def uncovered(self) -> list[ShiftRole]:
        """Roles nobody holds right now; the header and `oncall rota` say so."""
        return [role for role in ShiftRole if not self.for_role(role)]


@dataclass(frozen=True)
class Gap:
    """A stretch of a range in which a role has nobody on the rota."""

    role: ShiftRole
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Rota:
    """The rota over [starts_at, ends_at), with the gaps in each role's cover."""

    starts_at: datetime
    ends_at: datetime
    entries: list[RotaEntry]
    gaps: list[Gap]


def _entries(conn: sqlite3.Connection, shifts: list[Shift]) -> list[RotaEntry]:
    staff = {s.id: s for s in people.list_staff(conn)}
    entries = []
    for shift in shifts:
        person = staff.get(shift.staff_id)
        if person is not None and not person.active:
            continue  # a deactivated person is never shown on call: their hours are a gap
        name = person.display_name if person else f"staff {shift.staff_id}"
        entries.append(
            RotaEntry(
                shift.id,
                shift.role,
                shift.staff_id,
                name,
                person.phone if person else None,
                shift.starts_at,
                shift.ends_at,
            )
        )
    return entries


def on_call_now(ctx: ServiceContext, at: datetime | None = None) -> OnCallNow:
    """Who is primary, backup and supervisor at `at` (default: now)."""
    moment = at or ctx.clock.now()
    with ctx.store.read() as conn:
        entries = _entries(conn, people.shifts_at(conn, moment))
    by_role = {role: [e for e in entries if e.role is role] for role in ShiftRole}
    return OnCallNow(
        moment, by_role[ShiftRole.PRIMARY], by_role[ShiftRole.BACKUP], by_role[ShiftRole.SUPERVISOR]
    )


def _gaps(role: ShiftRole, entries: list[RotaEntry], start: datetime, end: datetime) -> list[Gap]:
    """Where the role's shifts leave [start, end) uncovered."""
    gaps: list[Gap] = []
    covered_to = start
    for entry in sorted((e for e in entries if e.role is role), key=lambda e: e.starts_at):
        if entry.starts_at > covered_to:
            gaps.append(Gap(role, covered_to, min(entry.starts_at, end)))
        covered_to = max(covered_to, entry.ends_at)
        if covered_to >= end:
            break
    if covered_to < end:
        gaps.append(Gap(role, covered_to, end))
    return gaps


def rota_between(ctx: ServiceContext, start: datetime, end: datetime) -> Rota:
    """The shifts overlapping [start, end) in time order, and each role's gaps."""
    if end <= start:
        raise ValidationFailed("The rota's end must come after its start.")
    with ctx.store.read() as conn:
        entries = _entries(conn, people.shifts_between(conn, start, end))
    gaps = [gap for role in ShiftRole for gap in _gaps(role, entries, start, end)]
    gaps.sort(key=lambda g: (g.starts_at, g.role.value))
    return Rota(start, end, entries, gaps)


def rota_for_days(ctx: ServiceContext, first_day: date | None = None, days: int = 7) -> Rota:
    """The rota from local midnight of `first_day` (default: today, clinic time) for `days` days."""
    if not 1 <= days <= 366:
        raise ValidationFailed(f"Show between 1 and 366 days of the rota, not {days}.")
    zone = ctx.settings.zone
    day = first_day or ctx.clock.now().astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=days), time(0), tzinfo=zone)
    return rota_between(ctx, start, end)


@dataclass(frozen=True)
class Recipient:
    """Who an escalation step or reminder goes to, and how they were found."""

    target: EscalationTarget
    staff: Staff | None
    how: str
    """"on the rota", "episode owner", "supervisor (no backup on the rota)", "nobody"."""


def _on_shift(conn: sqlite3.Connection, role: ShiftRole, at: datetime) -> Staff | None:
    for shift in people.shifts_at(conn, at):
        if shift.role is role:
            person = people.staff_by_id(conn, shift.staff_id)
            if person is not None and person.active:
                return person
    return None


def _supervisor(conn: sqlite3.Connection, at: datetime) -> tuple[Staff | None, str]:
    person = _on_shift(conn, ShiftRole.SUPERVISOR, at)
    if person is not None:
        return person, "supervisor on the rota"
    # Nobody on the supervisor rota: any active supervisor is better than no one.
    for candidate in people.list_staff(conn, active_only=True):
        if candidate.role is Role.SUPERVISOR:
            return candidate, "a supervisor (none on the rota)"
    return None, "nobody: no supervisor on the rota or on staff"


def recipient(
    conn: sqlite3.Connection, target: EscalationTarget, at: datetime, owner_id: int | None = None
) -> Recipient:
    """Resolve a chain step's target to a person inside the caller's transaction.

    An escalation must never go into the void: with no backup on the rota it goes
    to the supervisor, and the step records that it did.
    """
    if target is EscalationTarget.BACKUP_ON_CALL:
        person = _on_shift(conn, ShiftRole.BACKUP, at)
        if person is not None:
            return Recipient(target, person, "backup on the rota")
        fallback, how = _supervisor(conn, at)
        return Recipient(target, fallback, f"{how}; no backup on the rota")
    if target is EscalationTarget.EPISODE_OWNER:
        owner = people.staff_by_id(conn, owner_id) if owner_id is not None else None
        if owner is not None and owner.active:
            return Recipient(target, owner, "episode owner")
        fallback, how = _supervisor(conn, at)
        return Recipient(target, fallback, f"{how}; the episode owner is not active")
    person, how = _supervisor(conn, at)
    return Recipient(target, person, how)
