"""What a staff member holds that must not go unattended when they leave, and handing it over."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Holding:
    """One thing someone holds: a follow-up, an episode or a shift, described for a list."""

    kind: str
    """"follow-up", "episode" or "shift"."""
    id: int
    when: str
    """Due at, opened at, or the shift's start (stored UTC)."""
    what: str
    """The follow-up's kind, the episode's status, or the shift's role and end."""


@dataclass
class Work:
    """Pending follow-ups, open episodes and shifts not yet ended, of one person."""

    follow_ups: list[Holding] = field(default_factory=list)
    episodes: list[Holding] = field(default_factory=list)
    shifts: list[Holding] = field(default_factory=list)

    def all(self) -> list[Holding]:
        """Everything, follow-ups first."""
        return [*self.follow_ups, *self.episodes, *self.shifts]


def work_of(conn: sqlite3.Connection, staff_id: int, now: str) -> Work:
    """What `staff_id` holds at `now`: pending follow-ups, open episodes, shifts not ended."""
    work = Work()
    for row in conn.execute(
        "SELECT id, due_at, kind FROM follow_ups WHERE assignee_id = ? AND status = 'pending'"
        " ORDER BY due_at, id",
        (staff_id,),
    ):
        work.follow_ups.append(Holding("follow-up", row[0], row[1], row[2]))
    for row in conn.execute(
        "SELECT id, opened_at, status FROM episodes WHERE opened_by = ? AND status != 'closed'"
        " ORDER BY opened_at, id",
        (staff_id,),
    ):
        work.episodes.append(Holding("episode", row[0], row[1], row[2]))
    for row in conn.execute(
        "SELECT id, starts_at, role, ends_at FROM on_call_shifts WHERE staff_id = ? AND ends_at > ?"
        " ORDER BY starts_at, id",
        (staff_id, now),
    ):
        work.shifts.append(Holding("shift", row[0], row[1], f"{row[2]} until {row[3]}"))
    return work


def hand_over(conn: sqlite3.Connection, work: Work, to_staff_id: int, now: str) -> None:
    """Give everything in `work` to `to_staff_id`; a shift under way is split at `now`."""
    for item in work.follow_ups:
        conn.execute("UPDATE follow_ups SET assignee_id = ? WHERE id = ?", (to_staff_id, item.id))
    for item in work.episodes:
        # The episode's owner is who escalations and access follow; the timeline and the
        # audit log keep who opened it.
        conn.execute("UPDATE episodes SET opened_by = ? WHERE id = ?", (to_staff_id, item.id))
    for item in work.shifts:
        if item.when < now:  # under way: the part already worked stays theirs
            row = conn.execute(
                "SELECT role, ends_at FROM on_call_shifts WHERE id = ?", (item.id,)
            ).fetchone()
            conn.execute("UPDATE on_call_shifts SET ends_at = ? WHERE id = ?", (now, item.id))
            conn.execute(
                "INSERT INTO on_call_shifts (staff_id, role, starts_at, ends_at) VALUES (?,?,?,?)",
                (to_staff_id, row[0], now, row[1]),
            )
        else:
            conn.execute(
                "UPDATE on_call_shifts SET staff_id = ? WHERE id = ?", (to_staff_id, item.id)
            )


def set_display_name(conn: sqlite3.Connection, staff_id: int, name: str) -> None:
    """Change the name the console shows."""
    conn.execute("UPDATE staff SET display_name = ? WHERE id = ?", (name, staff_id))


def set_role(conn: sqlite3.Connection, staff_id: int, role: str) -> None:
    """Change a staff member's role."""
    conn.execute("UPDATE staff SET role = ? WHERE id = ?", (role, staff_id))
