"""Finding clients by what a caller or an alert gives: name, reference, phone, date of birth;
and the unknown-reference alerts waiting for a client, and the aliases learnt from them."""

from __future__ import annotations

import sqlite3

from oncall.domain.models import Client
from oncall.store.rows import client_from_row


def _digits(column: str) -> str:
    sql = column
    for mark in ("-", " ", "(", ")", "+", "."):
        sql = f"replace({sql}, '{mark}', '')"
    return sql


def search_clients(conn: sqlite3.Connection, text: str, *, limit: int = 20) -> list[Client]:
    """Clients whose name, reference, phone (digits) or date of birth match `text`."""
    words = text.split()
    if not words:
        return []
    clauses: list[str] = []
    params: list[object] = []
    for word in words:  # every word must match somewhere
        digits = "".join(ch for ch in word if ch.isdigit())
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        parts = [
            "name LIKE ? ESCAPE '\\'",
            "COALESCE(preferred_name, '') LIKE ? ESCAPE '\\'",
            "external_ref LIKE ? ESCAPE '\\'",
            "COALESCE(date_of_birth, '') = ?",
        ]
        params += [like, like, like, word]
        if len(digits) >= 4:  # a phone fragment: the last four digits at least
            parts.append(f"{_digits('COALESCE(phone, ' + chr(39) * 2 + ')')} LIKE ?")
            params.append(f"%{digits}%")
        clauses.append("(" + " OR ".join(parts) + ")")
    rows = conn.execute(
        f"SELECT * FROM clients WHERE {' AND '.join(clauses)} ORDER BY name, id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [client_from_row(r) for r in rows]


def open_unknown_alert_ids(conn: sqlite3.Connection, ref: str) -> list[int]:
    """The open alerts (new or acknowledged) naming the unknown reference `ref`, oldest first."""
    rows = conn.execute(
        "SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE client_id IS NULL"
        " AND client_ref = ? AND status IN ('new', 'acknowledged') ORDER BY id",
        (ref,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def claimed_unknown_ref(conn: sqlite3.Connection, ref: str, staff_id: int) -> bool:
    """Whether `staff_id` holds an acknowledged alert naming the unknown reference `ref`."""
    row = conn.execute(
        "SELECT 1 FROM alerts INDEXED BY alerts_unknown_ref WHERE client_id IS NULL"
        " AND client_ref = ? AND acknowledged_by = ? AND status = 'acknowledged' LIMIT 1",
        (ref, staff_id),
    ).fetchone()
    return row is not None


def add_alias(
    conn: sqlite3.Connection, ref: str, client_id: int, *, by: int, at: str, from_alert: int
) -> None:
    """Remember that `ref` names `client_id` (a reference already known is left as it is)."""
    conn.execute(
        "INSERT INTO client_aliases (ref, client_id, linked_by, linked_at, from_alert)"
        " VALUES (?,?,?,?,?) ON CONFLICT (ref) DO NOTHING",
        (ref, client_id, by, at, from_alert),
    )
