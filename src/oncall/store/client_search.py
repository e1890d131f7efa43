"""Finding clients by what a caller or an alert gives: name, reference, phone, date of birth."""

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
