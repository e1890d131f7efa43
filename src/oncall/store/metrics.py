"""Read-only queries behind the supervisor's figures and the report."""

from __future__ import annotations

import sqlite3


def alerts_received(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Alerts received in [start, end): when received, severity, deadline, who acknowledged when."""
    return conn.execute(
        "SELECT a.id, a.received_at, a.severity, a.ack_deadline_at, a.acknowledged_at,"
        " a.acknowledged_by,"
        " a.escalation_level, s.display_name AS acknowledged_by_name"
        " FROM alerts a LEFT JOIN staff s ON s.id = a.acknowledged_by"
        " WHERE a.received_at >= ? AND a.received_at < ? ORDER BY a.received_at",
        (start, end),
    ).fetchall()


def episodes_opened(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Episodes opened in [start, end) with the times the figures are measured from."""
    return conn.execute(
        "SELECT e.id, e.opened_at, e.opened_by, s.display_name AS opened_by_name,"
        " e.handoff IS NOT NULL AS had_handoff, e.handoff_confirmed_at,"
        " (SELECT MIN(a.received_at) FROM alerts a WHERE a.episode_id = e.id) AS first_alert_at,"
        " (SELECT MIN(t.at) FROM timeline_events t WHERE t.episode_id = e.id"
        "   AND t.kind = 'contact_attempt' AND json_extract(t.body, '$.result') = 'reached')"
        "   AS first_contact_at,"
        " EXISTS (SELECT 1 FROM timeline_events t WHERE t.episode_id = e.id"
        "   AND t.kind = 'risk_screening') AS screened"
        " FROM episodes e LEFT JOIN staff s ON s.id = e.opened_by"
        " WHERE e.opened_at >= ? AND e.opened_at < ? ORDER BY e.opened_at",
        (start, end),
    ).fetchall()


def follow_ups_due(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Follow-ups due in [start, end) and how they ended."""
    return conn.execute(
        "SELECT f.id, f.kind, f.due_at, f.status, f.completed_at, f.assignee_id,"
        " s.display_name AS assignee_name"
        " FROM follow_ups f LEFT JOIN staff s ON s.id = f.assignee_id"
        " WHERE f.due_at >= ? AND f.due_at < ? ORDER BY f.due_at",
        (start, end),
    ).fetchall()


def dispositions(
    conn: sqlite3.Connection, start: str, end: str, closed_by: int | None = None
) -> list[sqlite3.Row]:
    """How many episodes closed in [start, end) with each disposition (by one person, or all)."""
    return conn.execute(
        "SELECT disposition, COUNT(*) AS n FROM episodes"
        " WHERE status = 'closed' AND closed_at >= ? AND closed_at < ?"
        " AND (? IS NULL OR closed_by = ?)"
        " GROUP BY disposition ORDER BY n DESC, disposition",
        (start, end, closed_by, closed_by),
    ).fetchall()


def primary_shifts(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Primary on-call shifts overlapping [start, end), with the person's name."""
    return conn.execute(
        "SELECT o.staff_id, o.starts_at, o.ends_at, s.display_name"
        " FROM on_call_shifts o JOIN staff s ON s.id = o.staff_id"
        " WHERE o.role = 'primary' AND o.starts_at < ? AND o.ends_at > ?"
        " ORDER BY o.starts_at, o.id",
        (end, start),
    ).fetchall()


def episodes_export(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Episodes opened in [start, end) with their client, for `oncall export episodes`."""
    return conn.execute(
        "SELECT e.id, e.client_id, e.opened_at, e.closed_at, e.status, e.risk_level,"
        " e.risk_set_at,"
        " e.disposition, e.summary, e.no_follow_up_reason, e.handoff_confirmed_at,"
        " e.handoff IS NOT NULL AS had_handoff,"
        " c.external_ref, c.name, c.date_of_birth, c.phone, c.address, c.county, c.program,"
        " os.login AS opened_by_login, cs.login AS closed_by_login,"
        " (SELECT COUNT(*) FROM alerts a WHERE a.episode_id = e.id) AS alerts,"
        " (SELECT group_concat(DISTINCT a.kind) FROM alerts a WHERE a.episode_id = e.id)"
        "   AS alert_kinds,"
        " (SELECT MIN(a.severity_rank) FROM alerts a WHERE a.episode_id = e.id) AS top_rank,"
        " (SELECT COUNT(*) FROM follow_ups f WHERE f.episode_id = e.id) AS follow_ups"
        " FROM episodes e JOIN clients c ON c.id = e.client_id"
        " LEFT JOIN staff os ON os.id = e.opened_by LEFT JOIN staff cs ON cs.id = e.closed_by"
        " WHERE e.opened_at >= ? AND e.opened_at < ? ORDER BY e.opened_at, e.id",
        (start, end),
    ).fetchall()
