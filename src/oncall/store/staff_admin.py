"""Staff accounts: counting, activation, PIN hashes, failed attempts and lockouts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oncall.domain.models import Staff
from oncall.domain.timefmt import maybe_from_iso
from oncall.store.rows import staff_from_row


@dataclass(frozen=True)
class StaffAccount:
    """A staff member with the state of their console PIN (never the hash itself)."""

    staff: Staff
    has_pin: bool
    pin_failures: int
    locked_out_at: datetime | None


@dataclass(frozen=True)
class PinState:
    """What checking a PIN needs: the stored hash, failures so far, the lockout time."""

    pin_hash: str | None
    pin_failures: int
    locked_out_at: str | None
    active: bool


def count_staff(conn: sqlite3.Connection) -> int:
    """How many staff rows there are (active or not)."""
    return int(conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0])


def count_active_admins(conn: sqlite3.Connection) -> int:
    """How many active admins there are."""
    row = conn.execute("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1").fetchone()
    return int(row[0])


def accounts(conn: sqlite3.Connection) -> list[StaffAccount]:
    """Every staff account by login, with PIN state."""
    rows = conn.execute("SELECT * FROM staff ORDER BY login").fetchall()
    return [
        StaffAccount(
            staff=staff_from_row(r),
            has_pin=r["pin_hash"] is not None,
            pin_failures=int(r["pin_failures"]),
            locked_out_at=maybe_from_iso(r["locked_out_at"]),
        )
        for r in rows
    ]


def set_active(conn: sqlite3.Connection, staff_id: int, active: bool) -> None:
    """Activate or deactivate an account."""
    conn.execute("UPDATE staff SET active = ? WHERE id = ?", (int(active), staff_id))


def pin_state(conn: sqlite3.Connection, staff_id: int) -> PinState | None:
    """The PIN columns of one account, or None when there is no such row."""
    row = conn.execute(
        "SELECT pin_hash, pin_failures, locked_out_at, active FROM staff WHERE id = ?",
        (staff_id,),
    ).fetchone()
    if row is None:
        return None
    return PinState(row[0], int(row[1]), row[2], bool(row[3]))


def set_pin_hash(conn: sqlite3.Connection, staff_id: int, pin_hash: str) -> None:
    """Store a new PIN hash (failures and lockout are left alone: only a supervisor clears)."""
    conn.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (pin_hash, staff_id))


def record_pin_failure(conn: sqlite3.Connection, staff_id: int) -> int:
    """Count one wrong PIN; returns the failures so far."""
    conn.execute("UPDATE staff SET pin_failures = pin_failures + 1 WHERE id = ?", (staff_id,))
    row = conn.execute("SELECT pin_failures FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return int(row[0])


def reset_pin_failures(conn: sqlite3.Connection, staff_id: int) -> None:
    """Forget wrong PINs after a right one."""
    conn.execute("UPDATE staff SET pin_failures = 0 WHERE id = ?", (staff_id,))


def lock_out(conn: sqlite3.Connection, staff_id: int, at: str) -> None:
    """Mark the account locked out (until a supervisor clears it)."""
    conn.execute(
        "UPDATE staff SET locked_out_at = ? WHERE id = ? AND locked_out_at IS NULL",
        (at, staff_id),
    )


def clear_lockout(conn: sqlite3.Connection, staff_id: int) -> None:
    """Lift a lockout and forget the failures that caused it."""
    conn.execute(
        "UPDATE staff SET locked_out_at = NULL, pin_failures = 0 WHERE id = ?", (staff_id,)
    )
