"""A supervisor covers or swaps shifts on the rota, from the console or `oncall rota cover|swap`.

Each change is one transaction: the rota rows, an audit entry naming the shifts and
people before and after, and a notice in the console of each colleague whose hours
changed (a dispatch claim aimed at them, as reassignments are), and a page when the
cover starts within the hour. The rota is the
database: `oncall rota`, the status line's "on call" and escalations read it as changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.escalation import EscalationTarget
from oncall.domain.models import Shift, Staff
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, PermissionDenied, ValidationFailed
from oncall.services.escalation_steps import outbox_target
from oncall.store import claims, outbox, people, rota_edits

SUPERVISING = (Role.SUPERVISOR, Role.ADMIN)
PAGE_WITHIN = timedelta(hours=1)
"""A cover starting sooner than this also pages the colleague (a later one is announced)."""


@dataclass(frozen=True)
class RotaChange:
    """What was done, said in a sentence for the supervisor, and the shifts it left."""

    message: str
    shift_ids: tuple[int, ...]
    """The shifts the colleagues now hold (a cover's new or reassigned shift; both swapped)."""


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def _supervising(ctx: ServiceContext, what: str) -> None:
    if ctx.actor.role not in SUPERVISING:
        raise PermissionDenied(f"{what} is for supervisors and admins.")


def _shift(conn: sqlite3.Connection, shift_id: int, now: datetime) -> Shift:
    shift = rota_edits.shift_by_id(conn, shift_id)
    if shift is None:
        raise NotFound(f"There is no shift {shift_id} on the rota.")
    if shift.ends_at <= now:
        raise ValidationFailed(f"Shift {shift_id} has ended; the rota before now is history.")
    return shift


def _active(conn: sqlite3.Connection, staff_id: int) -> Staff:
    person = people.staff_by_id(conn, staff_id)
    if person is None or not person.active:
        raise ValidationFailed("A shift can go only to someone who is active staff.")
    return person


def _name(conn: sqlite3.Connection, staff_id: int) -> str:
    person = people.staff_by_id(conn, staff_id)
    return person.display_name if person else f"staff {staff_id}"


def _free(
    conn: sqlite3.Connection,
    person: Staff,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    ignore: tuple[int, ...],
) -> None:
    """Refuse a change that would put someone on two shifts at once (primary and backup, say)."""
    for other in rota_edits.shifts_of(conn, person.id, start, end):
        if other.id not in ignore:
            raise ValidationFailed(
                f"{person.display_name} is already {other.role.value} from"
                f" {_when(other.starts_at, zone)} to {_when(other.ends_at, zone)};"
                " one person cannot hold two shifts at once."
            )


def _notify(
    ctx: ServiceContext,
    conn: sqlite3.Connection,
    shift_id: int,
    person: Staff,
    message: str,
    *,
    page: bool = False,
) -> None:
    """A notice in the colleague's console (announced like an assignment) and, when `page`,
    a page addressed as escalations address staff: they may have no console open."""
    level = len(claims.claims_for(conn, claims.SHIFT_CHANGE, shift_id)) + 1
    at = ctx.now_iso()
    claims.claim(
        conn,
        subject_type=claims.SHIFT_CHANGE,
        subject_id=shift_id,
        level=level,
        fired_at=at,
        fired_by=f"staff:{ctx.actor.login}",
        target_role="colleague",
        target_staff_id=person.id,
        detail={"message": message},
    )
    if not page:
        return
    outbox.enqueue(
        conn,
        kind="page",
        target=outbox_target(ctx.settings, person, EscalationTarget.BACKUP_ON_CALL),
        # Staff names and times only: a rota change carries no client data.
        payload={
            "summary": message,
            "message": message,
            "recipient_login": person.login,
            "recipient": {"login": person.login, "name": person.display_name},
            "from": ctx.actor.login,
            "fired_at": at,
            "severity": "info",
            "shift_id": shift_id,
        },
        idempotency_key=f"{claims.SHIFT_CHANGE}-{shift_id}-{level}",
        created_at=at,
    )


def staff_id_for(ctx: ServiceContext, login: str) -> int:
    """The staff id of a login (the command line names people by login)."""
    with ctx.store.read() as conn:
        person = people.staff_by_login(conn, login)
    if person is None:
        raise NotFound(f"No staff member has the login {login!r}.")
    return person.id


def cover_shift(
    ctx: ServiceContext, shift_id: int, to_staff_id: int, from_at: datetime | None = None
) -> RotaChange:
    """A colleague covers a shift: all of it, or from `from_at` on (the shift is split there).

    A shift under way is covered from now at the earliest: the hours already worked stay
    with whoever worked them, as deactivating someone splits their shift.
    """
    _supervising(ctx, "Covering a shift")
    now, zone = ctx.clock.now(), ctx.settings.zone
    with ctx.store.write() as conn:
        shift = _shift(conn, shift_id, now)
        person = _active(conn, to_staff_id)
        if person.id == shift.staff_id:
            raise ValidationFailed(f"{person.display_name} already holds shift {shift_id}.")
        start = max(shift.starts_at, now) if from_at is None else from_at
        if from_at is not None and not shift.starts_at <= from_at < shift.ends_at:
            raise ValidationFailed(
                f"The cover must start within the shift ({_when(shift.starts_at, zone)} to"
                f" {_when(shift.ends_at, zone)}), not at {_when(from_at, zone)}."
            )
        if start < now:
            raise ValidationFailed(
                f"The cover cannot start in the past ({_when(start, zone)}); the hours already"
                " worked stay with whoever worked them."
            )
        _free(conn, person, start, shift.ends_at, zone, ignore=(shift.id,))
        before = _name(conn, shift.staff_id)
        if start == shift.starts_at:
            rota_edits.set_holder(conn, shift.id, person.id)
            covered = shift.id
        else:
            covered = rota_edits.split(conn, shift, start, person.id)
        span = f"{_when(start, zone)} to {_when(shift.ends_at, zone)}"
        message = (
            f"{ctx.actor.display_name} asked you to cover {before}'s {shift.role.value} shift,"
            f" {span}."
        )
        # A cover starting within the hour cannot wait for them to open a console.
        soon = start <= now + PAGE_WITHIN
        _notify(ctx, conn, covered, person, message, page=soon)
        ctx.audit(
            conn,
            "rota.covered",
            "shift",
            shift.id,
            detail={
                "role": shift.role.value,
                "from_staff_id": shift.staff_id,
                "to_staff_id": person.id,
                "starts_at": to_iso(start),
                "ends_at": to_iso(shift.ends_at),
                "split": covered != shift.id,
                "cover_shift_id": covered,
            },
        )
    return RotaChange(
        f"{person.display_name} covers {before}'s {shift.role.value} shift, {span};"
        " their console announces it.",
        (covered,),
    )


def swap_shifts(ctx: ServiceContext, first_id: int, second_id: int) -> RotaChange:
    """Two people trade shifts whole; each is told in their console.

    A shift under way is not swapped (half of it is already worked): cover it from now.
    """
    _supervising(ctx, "Swapping shifts")
    now, zone = ctx.clock.now(), ctx.settings.zone
    with ctx.store.write() as conn:
        first, second = _shift(conn, first_id, now), _shift(conn, second_id, now)
        for shift in (first, second):
            if shift.starts_at <= now:
                raise ValidationFailed(
                    f"Shift {shift.id} is under way; cover it from now instead of swapping it."
                )
        if first.staff_id == second.staff_id:
            raise ValidationFailed("Both shifts are the same person's; there is nothing to swap.")
        first_person = _active(conn, first.staff_id)
        second_person = _active(conn, second.staff_id)
        both = (first.id, second.id)
        _free(conn, second_person, first.starts_at, first.ends_at, zone, ignore=both)
        _free(conn, first_person, second.starts_at, second.ends_at, zone, ignore=both)
        rota_edits.set_holder(conn, first.id, second_person.id)
        rota_edits.set_holder(conn, second.id, first_person.id)
        for shift, person, gives in (
            (first, second_person, second),
            (second, first_person, first),
        ):
            _notify(
                ctx,
                conn,
                shift.id,
                person,
                f"{ctx.actor.display_name} swapped your {gives.role.value} shift"
                f" {_when(gives.starts_at, zone)} to {_when(gives.ends_at, zone)} for the"
                f" {shift.role.value} shift {_when(shift.starts_at, zone)} to"
                f" {_when(shift.ends_at, zone)}.",
            )
        ctx.audit(
            conn,
            "rota.swapped",
            "shift",
            first.id,
            detail={
                "shifts": [first.id, second.id],
                "staff": [first.staff_id, second.staff_id],
            },
        )
    return RotaChange(
        f"{second_person.display_name} now works shift {first.id}"
        f" ({first.role.value}, {_when(first.starts_at, zone)}) and"
        f" {first_person.display_name} shift {second.id}"
        f" ({second.role.value}, {_when(second.starts_at, zone)}); both consoles announce it.",
        both,
    )
