"""Bringing the rota in: the imported range replaced in one transaction, overlaps and gaps told.

Only shifts that lie wholly inside the range are replaced: a shift that starts before
it or ends after it is the rota's outside the file, and is left as it is (an overlap
with it is reported). The range is the file's own span for CSV, and the import window
for iCalendar (a calendar describes every day of the window, empty ones included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from oncall.domain.record_stream import Rejection
from oncall.domain.rota_records import ShiftRecord
from oncall.domain.timefmt import to_iso
from oncall.domain.types import Role
from oncall.services.access import require_role
from oncall.services.context import ServiceContext
from oncall.services.rota import Gap, RotaEntry, rota_between
from oncall.store import people

PLANNERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Overlap:
    """Two shifts of one role (or of one person) at the same time."""

    first: RotaEntry
    second: RotaEntry
    same_person: bool


@dataclass
class RotaImportReport:
    """What a rota import did, and what the rota now looks like over the range."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    added: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def import_rota(
    ctx: ServiceContext,
    items: Iterable[ShiftRecord | Rejection],
    *,
    origin: str,
    window: tuple[datetime, datetime] | None = None,
) -> RotaImportReport:
    """Replace the shifts in the range with the file's valid ones (supervisors, admins)."""
    require_role(ctx, PLANNERS, "import the rota")
    report = RotaImportReport()
    shifts: list[ShiftRecord] = []
    for item in items:
        if isinstance(item, ShiftRecord):
            shifts.append(item)
        else:
            report.rejected.append(item)
    with ctx.store.write() as conn:
        staff = {s.login: s for s in people.list_staff(conn)}
        valid: list[tuple[ShiftRecord, int]] = []
        for shift in shifts:
            person = staff.get(shift.login)
            if person is None or not person.active:
                why = "is no staff member" if person is None else "is not active"
                report.rejected.append(
                    Rejection(
                        shift.number, shift.line, shift.login, "login", f"{shift.login} {why}"
                    )
                )
                continue
            valid.append((shift, person.id))
        if window is not None:
            start, end = window
        elif valid:
            start = min(s.starts_at for s, _ in valid)
            end = max(s.ends_at for s, _ in valid)
        else:
            return report  # nothing to put in place, and no range to clear
        report.starts_at, report.ends_at = start, end
        cursor = conn.execute(
            "DELETE FROM on_call_shifts WHERE starts_at >= ? AND ends_at <= ?",
            (to_iso(start), to_iso(end)),
        )
        report.removed = cursor.rowcount
        for shift, staff_id in valid:
            people.insert_shift(
                conn,
                staff_id=staff_id,
                role=shift.role,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
            )
        report.added = len(valid)
        ctx.audit(
            conn,
            "rota.imported",
            "rota",
            None,
            detail={
                "origin": origin,
                "from": to_iso(start),
                "to": to_iso(end),
                "added": report.added,
                "removed": report.removed,
                "rejected": len(report.rejected),
            },
        )
    rota = rota_between(ctx, start, end)
    report.gaps = rota.gaps
    report.overlaps = overlaps(rota.entries)
    return report


def overlaps(entries: list[RotaEntry]) -> list[Overlap]:
    """Pairs of shifts at the same time with the same role, or with the same person."""
    found: list[Overlap] = []
    ordered = sorted(entries, key=lambda e: (e.starts_at, e.shift_id))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if second.role is first.role or second.staff_id == first.staff_id:
                found.append(Overlap(first, second, second.staff_id == first.staff_id))
    return found
