"""The schema and its migrations; `schema_version` records how far a file has come.

Append new migrations at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from oncall.store.errors import SchemaTooNew

if TYPE_CHECKING:
    from oncall.store.db import Store

Migration = Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the open transaction.

    `executescript` would COMMIT first, breaking the one-transaction migration.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def _append_only(conn: sqlite3.Connection, table: str) -> None:
    """Make the database itself refuse UPDATE and DELETE on `table`."""
    for verb in ("UPDATE", "DELETE"):
        conn.execute(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()}
            BEFORE {verb} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"""
        )


def _v1_core(conn: sqlite3.Connection) -> None:
    """People, clients, alerts, episodes, timeline, follow-ups, outbox, audit, leases."""
    run_script(
        conn,
        """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN
                ('clinician','peer','case_manager','supervisor','admin')),
            phone TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            pin_hash TEXT,
            pin_failures INTEGER NOT NULL DEFAULT 0,
            locked_out_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE on_call_shifts (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            role TEXT NOT NULL CHECK (role IN ('primary','backup','supervisor')),
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            CHECK (ends_at > starts_at)
        );
        CREATE INDEX on_call_shifts_time ON on_call_shifts(starts_at, ends_at);
        CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            external_ref TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            preferred_name TEXT,
            pronouns TEXT,
            date_of_birth TEXT,
            phone TEXT,
            address TEXT,
            county TEXT,
            zip TEXT,
            lat REAL,
            lon REAL,
            program TEXT,
            primary_clinician_id INTEGER REFERENCES staff(id),
            consent_emergency_contact INTEGER NOT NULL DEFAULT 0,
            consent_hotline_report INTEGER NOT NULL DEFAULT 0,
            consent_date TEXT
        );
        CREATE INDEX clients_clinician ON clients(primary_clinician_id);
        CREATE TABLE emergency_contacts (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            name TEXT NOT NULL,
            relation TEXT,
            phone TEXT,
            consent_to_contact INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX emergency_contacts_client ON emergency_contacts(client_id);
        CREATE TABLE safety_plans (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            version INTEGER NOT NULL,
            sections TEXT NOT NULL,
            reasons_for_living TEXT NOT NULL DEFAULT '',
            created_by INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL,
            UNIQUE (client_id, version)
        );
        CREATE TABLE safety_plan_reviews (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            plan_version INTEGER,
            episode_id INTEGER REFERENCES episodes(id),
            reviewed_by INTEGER REFERENCES staff(id),
            reviewed_at TEXT NOT NULL
        );
        CREATE INDEX safety_plan_reviews_client ON safety_plan_reviews(client_id, reviewed_at);
        CREATE TABLE episodes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            opened_at TEXT NOT NULL,
            opened_by INTEGER NOT NULL REFERENCES staff(id),
            status TEXT NOT NULL CHECK (status IN ('open','handoff_pending','closed')),
            risk_level TEXT,
            risk_set_at TEXT,
            location TEXT,
            location_confirmed_at TEXT,
            handoff TEXT,
            handoff_deadline_at TEXT,
            handoff_confirmed_at TEXT,
            disposition TEXT,
            summary TEXT,
            no_follow_up_reason TEXT,
            closed_at TEXT,
            closed_by INTEGER REFERENCES staff(id)
        );
        -- One open episode per client: a second alert attaches to it.
        CREATE UNIQUE INDEX episodes_one_open ON episodes(client_id) WHERE status != 'closed';
        CREATE INDEX episodes_client ON episodes(client_id, opened_at);
        CREATE INDEX episodes_status ON episodes(status, opened_at);
        CREATE INDEX episodes_opened ON episodes(opened_at, id);
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            client_ref TEXT NOT NULL,
            client_id INTEGER REFERENCES clients(id),
            kind TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('imminent','high','moderate','low')),
            severity_rank INTEGER NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            occurred_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            ack_deadline_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('new','acknowledged','closed')),
            acknowledged_by INTEGER REFERENCES staff(id),
            acknowledged_at TEXT,
            episode_id INTEGER REFERENCES episodes(id),
            location TEXT,
            handoff TEXT,
            raw TEXT,
            escalation_level INTEGER NOT NULL DEFAULT 0,
            unknown_client INTEGER NOT NULL DEFAULT 0,
            UNIQUE (source, external_id)
        );
        CREATE INDEX alerts_queue ON alerts(status, severity_rank, received_at, id);
        CREATE INDEX alerts_received ON alerts(received_at);
        CREATE INDEX alerts_episode ON alerts(episode_id);
        CREATE INDEX alerts_client ON alerts(client_id);
        CREATE TABLE timeline_events (
            id INTEGER PRIMARY KEY,
            episode_id INTEGER NOT NULL REFERENCES episodes(id),
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES staff(id),
            kind TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '{}',
            amends INTEGER REFERENCES timeline_events(id)
        );
        CREATE INDEX timeline_episode ON timeline_events(episode_id, at, id);
        CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY,
            episode_id INTEGER NOT NULL REFERENCES episodes(id),
            client_id INTEGER NOT NULL REFERENCES clients(id),
            kind TEXT NOT NULL,
            due_at TEXT NOT NULL,
            assignee_id INTEGER NOT NULL REFERENCES staff(id),
            status TEXT NOT NULL CHECK (status IN ('pending','done','exhausted','cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            result TEXT,
            completed_at TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id)
        );
        CREATE INDEX follow_ups_due ON follow_ups(status, due_at);
        CREATE INDEX follow_ups_assignee ON follow_ups(assignee_id, status, due_at);
        CREATE INDEX follow_ups_episode ON follow_ups(episode_id);
        CREATE TABLE follow_up_attempts (
            id INTEGER PRIMARY KEY,
            follow_up_id INTEGER NOT NULL REFERENCES follow_ups(id),
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES staff(id),
            channel TEXT NOT NULL,
            result TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX follow_up_attempts_fu ON follow_up_attempts(follow_up_id);
        CREATE TABLE resources (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            organization TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            categories TEXT NOT NULL DEFAULT '[]',
            phones TEXT NOT NULL DEFAULT '[]',
            address TEXT,
            city TEXT,
            county TEXT,
            zip TEXT,
            lat REAL,
            lon REAL,
            always_open INTEGER NOT NULL DEFAULT 0,
            schedule TEXT NOT NULL DEFAULT '[]',
            languages TEXT NOT NULL DEFAULT '[]',
            counties_served TEXT NOT NULL DEFAULT '[]',
            national INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'active',
            last_verified TEXT,
            url TEXT,
            email TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX resources_county ON resources(county);
        CREATE INDEX resources_name ON resources(national DESC, name, id);
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            received_at TEXT NOT NULL,
            record_number INTEGER,
            external_id TEXT,
            field TEXT,
            message TEXT NOT NULL,
            raw TEXT
        );
        CREATE INDEX quarantine_received ON quarantine(received_at);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','delivered','failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            delivered_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT,
            client_id INTEGER,
            detail TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_client ON audit_log(client_id, at);
        CREATE INDEX audit_at ON audit_log(at);
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """,
    )
    _append_only(conn, "timeline_events")
    _append_only(conn, "audit_log")


def _v2_resource_search(conn: sqlite3.Connection) -> None:
    """Full-text search over the resource directory, kept in step by triggers."""
    run_script(
        conn,
        """
        CREATE VIRTUAL TABLE resources_fts USING fts5(
            name, organization, description, categories,
            content='resources', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER resources_fts_ai AFTER INSERT ON resources BEGIN
            INSERT INTO resources_fts(rowid, name, organization, description, categories)
            VALUES (new.rowid, new.name, new.organization, new.description, new.categories);
        END;
        CREATE TRIGGER resources_fts_ad AFTER DELETE ON resources BEGIN
            INSERT INTO resources_fts(resources_fts, rowid, name, organization, description,
                                      categories)
            VALUES ('delete', old.rowid, old.name, old.organization, old.description,
                    old.categories);
        END;
        CREATE TRIGGER resources_fts_au AFTER UPDATE ON resources BEGIN
            INSERT INTO resources_fts(resources_fts, rowid, name, organization, description,
                                      categories)
            VALUES ('delete', old.rowid, old.name, old.organization, old.description,
                    old.categories);
            INSERT INTO resources_fts(rowid, name, organization, description, categories)
            VALUES (new.rowid, new.name, new.organization, new.description, new.categories);
        END;
        INSERT INTO resources_fts(resources_fts) VALUES ('rebuild');
        """,
    )


_V3_SQL = """
CREATE TABLE feed_state (
    kind TEXT NOT NULL CHECK (kind IN ('alerts','directory')),
    name TEXT NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    next_attempt_at TEXT,
    etag TEXT,
    last_modified TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_accepted INTEGER NOT NULL DEFAULT 0,
    last_duplicates INTEGER NOT NULL DEFAULT 0,
    last_rejected INTEGER NOT NULL DEFAULT 0,
    polling_until TEXT,
    polling_by TEXT,
    PRIMARY KEY (kind, name)
);
-- A claim on a message while it is being sent, so two dispatchers never send it at once.
ALTER TABLE outbox ADD COLUMN sending_until TEXT;
ALTER TABLE outbox ADD COLUMN sending_by TEXT;
"""
"""Version 3 as shipped (frozen: never edit; a change is a new migration)."""


_V4_SQL = """
CREATE TABLE access_grants (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    client_id INTEGER NOT NULL REFERENCES clients(id),
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK (expires_at > granted_at)
);
CREATE INDEX access_grants_lookup ON access_grants(staff_id, client_id, expires_at);
CREATE INDEX follow_ups_client ON follow_ups(client_id, assignee_id);
"""
"""Version 4 as shipped (frozen: never edit; a change is a new migration)."""


_V5_SQL = """
CREATE TABLE dispatch_claims (
    id INTEGER PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    fired_at TEXT NOT NULL,
    fired_by TEXT NOT NULL,
    target_role TEXT,
    target_staff_id INTEGER REFERENCES staff(id),
    detail TEXT NOT NULL DEFAULT '{}',
    UNIQUE (subject_type, subject_id, level)
);
CREATE INDEX dispatch_claims_target ON dispatch_claims(target_staff_id, id);
"""
"""Version 5 as shipped (frozen: never edit; a change is a new migration)."""


_V6_SQL = """
CREATE TABLE resource_open_hours (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    opens INTEGER NOT NULL,
    closes INTEGER NOT NULL,
    CHECK (0 <= opens AND opens < closes AND closes <= 10080)
);
CREATE INDEX resource_open_hours_resource ON resource_open_hours(resource_id, opens, closes);
"""
"""Version 6 as shipped (frozen: never edit; a change is a new migration)."""


_V7_SQL = """
DROP TRIGGER resources_fts_ai;
DROP TRIGGER resources_fts_ad;
DROP TRIGGER resources_fts_au;
DROP TABLE resources_fts;
CREATE VIRTUAL TABLE resources_fts USING fts5(
    name, organization, description, categories,
    content='resources', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2',
    prefix='1 2'
);
CREATE TRIGGER resources_fts_ai AFTER INSERT ON resources BEGIN
    INSERT INTO resources_fts(rowid, name, organization, description, categories)
    VALUES (new.rowid, new.name, new.organization, new.description, new.categories);
END;
CREATE TRIGGER resources_fts_ad AFTER DELETE ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, name, organization, description, categories)
    VALUES ('delete', old.rowid, old.name, old.organization, old.description, old.categories);
END;
CREATE TRIGGER resources_fts_au AFTER UPDATE ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, name, organization, description, categories)
    VALUES ('delete', old.rowid, old.name, old.organization, old.description, old.categories);
    INSERT INTO resources_fts(rowid, name, organization, description, categories)
    VALUES (new.rowid, new.name, new.organization, new.description, new.categories);
END;
INSERT INTO resources_fts(resources_fts) VALUES ('rebuild');
"""
"""Version 7 as shipped (frozen: never edit; a change is a new migration)."""


_V8_SQL = """
CREATE TABLE resource_categories (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    national INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (resource_id, category)
) WITHOUT ROWID;
CREATE INDEX resource_categories_by_name
    ON resource_categories(category, national DESC, name, resource_id);
CREATE TRIGGER resource_categories_ai AFTER INSERT ON resources BEGIN
    DELETE FROM resource_categories WHERE resource_id = new.id;
    INSERT INTO resource_categories (resource_id, category, national, name) SELECT DISTINCT new.id, j.value, new.national, new.name FROM json_each(CASE WHEN json_valid(new.categories) THEN new.categories ELSE '[]' END) AS j WHERE j.type = 'text';
END;
CREATE TRIGGER resource_categories_au AFTER UPDATE OF id, name, national, categories
ON resources WHEN old.id IS NOT new.id OR old.name IS NOT new.name
    OR old.national IS NOT new.national OR old.categories IS NOT new.categories
BEGIN
    DELETE FROM resource_categories WHERE resource_id IN (old.id, new.id);
    INSERT INTO resource_categories (resource_id, category, national, name) SELECT DISTINCT new.id, j.value, new.national, new.name FROM json_each(CASE WHEN json_valid(new.categories) THEN new.categories ELSE '[]' END) AS j WHERE j.type = 'text';
END;
CREATE TRIGGER resource_categories_ad AFTER DELETE ON resources BEGIN
    DELETE FROM resource_categories WHERE resource_id = old.id;
END;
INSERT INTO resource_categories (resource_id, category, national, name) SELECT DISTINCT r.id, j.value, r.national, r.name FROM resources AS r, json_each(CASE WHEN json_valid(r.categories) THEN r.categories ELSE '[]' END) AS j WHERE j.type = 'text';
"""
"""Version 8 as shipped (frozen: never edit; a change is a new migration)."""


_V10_SQL = r"""
CREATE TABLE resource_counties (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    county TEXT NOT NULL,
    national INTEGER NOT NULL,
    name TEXT NOT NULL,
    lat REAL,
    lon REAL,
    status TEXT,
    always_open INTEGER,
    PRIMARY KEY (county, resource_id)
) WITHOUT ROWID;
CREATE INDEX resource_counties_by_name
    ON resource_counties(county, national DESC, name, resource_id);
CREATE INDEX resource_counties_by_resource ON resource_counties(resource_id);
CREATE TRIGGER resource_counties_ai AFTER INSERT ON resources BEGIN
    DELETE FROM resource_counties WHERE resource_id = new.id;
    INSERT INTO resource_counties (resource_id, county, national, name, lat, lon, status, always_open) SELECT new.id, '', new.national, new.name, new.lat, new.lon, new.status, new.always_open WHERE (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT new.id, new.county, new.national, new.name, new.lat, new.lon, new.status, new.always_open WHERE new.county IS NOT NULL AND new.county IS NOT '' AND NOT (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT new.id, e.value, new.national, new.name, new.lat, new.lon, new.status, new.always_open FROM json_each(CASE WHEN (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END) THEN new.counties_served ELSE '[]' END) AS e WHERE e.value IS NOT '' AND NOT (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END)));
END;
CREATE TRIGGER resource_counties_au
AFTER UPDATE OF id, county, counties_served, national, name, lat, lon, status, always_open ON resources
WHEN old.id IS NOT new.id OR old.county IS NOT new.county
    OR old.counties_served IS NOT new.counties_served
    OR old.national IS NOT new.national OR old.name IS NOT new.name OR old.lat IS NOT new.lat OR old.lon IS NOT new.lon OR old.status IS NOT new.status OR old.always_open IS NOT new.always_open
BEGIN
    DELETE FROM resource_counties WHERE resource_id IN (old.id, new.id);
    INSERT INTO resource_counties (resource_id, county, national, name, lat, lon, status, always_open) SELECT new.id, '', new.national, new.name, new.lat, new.lon, new.status, new.always_open WHERE (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT new.id, new.county, new.national, new.name, new.lat, new.lon, new.status, new.always_open WHERE new.county IS NOT NULL AND new.county IS NOT '' AND NOT (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT new.id, e.value, new.national, new.name, new.lat, new.lon, new.status, new.always_open FROM json_each(CASE WHEN (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END) THEN new.counties_served ELSE '[]' END) AS e WHERE e.value IS NOT '' AND NOT (new.national = 1 OR (new.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(new.counties_served) = 'text' AND json_valid(new.counties_served) THEN instr(new.counties_served, '\') = 0 AND json_type(new.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(new.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END)));
END;
CREATE TRIGGER resource_counties_ad AFTER DELETE ON resources BEGIN
    DELETE FROM resource_counties WHERE resource_id = old.id;
END;
INSERT INTO resource_counties (resource_id, county, national, name, lat, lon, status, always_open) SELECT r.id, '', r.national, r.name, r.lat, r.lon, r.status, r.always_open FROM resources AS r WHERE (r.national = 1 OR (r.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(r.counties_served) = 'text' AND json_valid(r.counties_served) THEN instr(r.counties_served, '\') = 0 AND json_type(r.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(r.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT r.id, r.county, r.national, r.name, r.lat, r.lon, r.status, r.always_open FROM resources AS r WHERE r.county IS NOT NULL AND r.county IS NOT '' AND NOT (r.national = 1 OR (r.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(r.counties_served) = 'text' AND json_valid(r.counties_served) THEN instr(r.counties_served, '\') = 0 AND json_type(r.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(r.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END))) UNION SELECT r.id, e.value, r.national, r.name, r.lat, r.lon, r.status, r.always_open FROM resources AS r, json_each(CASE WHEN (CASE WHEN typeof(r.counties_served) = 'text' AND json_valid(r.counties_served) THEN instr(r.counties_served, '\') = 0 AND json_type(r.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(r.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END) THEN r.counties_served ELSE '[]' END) AS e WHERE e.value IS NOT '' AND NOT (r.national = 1 OR (r.counties_served IS NOT NULL AND NOT (CASE WHEN typeof(r.counties_served) = 'text' AND json_valid(r.counties_served) THEN instr(r.counties_served, '\') = 0 AND json_type(r.counties_served) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(r.counties_served) AS t WHERE t.type IS NOT 'text') ELSE 0 END)));
"""
"""Version 10 as shipped (frozen: never edit; a change is a new migration)."""


_V11_SQL = """
ALTER TABLE follow_ups ADD COLUMN replaces_id INTEGER REFERENCES follow_ups(id);
"""
"""Version 11 as shipped (frozen: never edit; a change is a new migration)."""


_V12_SQL = """
ALTER TABLE alerts ADD COLUMN queue_group TEXT
    GENERATED ALWAYS AS (COALESCE('c' || client_id, 'r' || client_ref)) VIRTUAL;
CREATE INDEX alerts_unknown_ref ON alerts(client_ref) WHERE client_id IS NULL;
-- Counting alerts past their deadline every second reads this range, not every waiting row.
CREATE INDEX alerts_waiting_deadline ON alerts(ack_deadline_at) WHERE status = 'new';

CREATE TABLE queue_groups (
    group_key TEXT PRIMARY KEY,
    client_id INTEGER,
    client_ref TEXT,
    alert_id INTEGER NOT NULL,
    alert_waiting INTEGER NOT NULL,
    severity_rank INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    open_alerts INTEGER NOT NULL,
    waiting INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX queue_groups_order ON queue_groups(severity_rank, received_at, alert_id);

-- A claim, a close or a newly linked client: take the alert out of its old group, put it
-- in its new one, and choose again what each shows.
CREATE TRIGGER queue_groups_update AFTER UPDATE OF status, client_id, client_ref ON alerts
WHEN (old.status IS NOT new.status OR old.queue_group IS NOT new.queue_group)
 AND (old.status IN ('new', 'acknowledged') OR new.status IN ('new', 'acknowledged')) BEGIN
    UPDATE queue_groups SET open_alerts = open_alerts - 1, waiting = waiting - (old.status = 'new')
    WHERE group_key = old.queue_group AND old.status IN ('new', 'acknowledged');
    INSERT INTO queue_groups (group_key, client_id, client_ref, alert_id, alert_waiting,
                              severity_rank, received_at, open_alerts, waiting)
    SELECT new.queue_group, new.client_id, iif(new.client_id IS NULL, new.client_ref, NULL),
           new.id, new.status = 'new', new.severity_rank, new.received_at, 1, new.status = 'new'
    WHERE new.status IN ('new', 'acknowledged')
    ON CONFLICT (group_key) DO UPDATE SET
        open_alerts = open_alerts + 1, waiting = waiting + excluded.waiting;
    
    DELETE FROM queue_groups WHERE (group_key IN (old.queue_group, new.queue_group)) AND open_alerts <= 0;
    UPDATE queue_groups SET alert_id = COALESCE(COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1)), COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1)), alert_id) WHERE group_key IN (old.queue_group, new.queue_group);
    UPDATE queue_groups SET (alert_waiting, severity_rank, received_at) = (
        SELECT status = 'new', severity_rank, received_at FROM alerts
        WHERE id = queue_groups.alert_id) WHERE group_key IN (old.queue_group, new.queue_group);
    
END;
CREATE TRIGGER queue_groups_delete AFTER DELETE ON alerts WHEN old.status IN ('new', 'acknowledged') BEGIN
    UPDATE queue_groups SET open_alerts = open_alerts - 1, waiting = waiting - (old.status = 'new')
    WHERE group_key = old.queue_group;
    
    DELETE FROM queue_groups WHERE (group_key = old.queue_group) AND open_alerts <= 0;
    UPDATE queue_groups SET alert_id = COALESCE(COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1)), COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1)), alert_id) WHERE group_key = old.queue_group;
    UPDATE queue_groups SET (alert_waiting, severity_rank, received_at) = (
        SELECT status = 'new', severity_rank, received_at FROM alerts
        WHERE id = queue_groups.alert_id) WHERE group_key = old.queue_group;
    
END;

DELETE FROM queue_groups;
INSERT INTO queue_groups (group_key, client_id, client_ref, alert_id, alert_waiting,
                          severity_rank, received_at, open_alerts, waiting)
SELECT queue_group, client_id, iif(client_id IS NULL, client_ref, NULL), 0, 0, 0, '',
       COUNT(*), SUM(status = 'new')
FROM alerts WHERE status IN ('new', 'acknowledged') GROUP BY queue_group;

    DELETE FROM queue_groups WHERE (1) AND open_alerts <= 0;
    UPDATE queue_groups SET alert_id = COALESCE(COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'new' ORDER BY severity_rank, received_at, id LIMIT 1)), COALESCE((SELECT id FROM alerts INDEXED BY alerts_client WHERE client_id = queue_groups.client_id AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1), (SELECT id FROM alerts INDEXED BY alerts_unknown_ref WHERE queue_groups.client_id IS NULL AND client_id IS NULL AND client_ref = queue_groups.client_ref AND status = 'acknowledged' ORDER BY severity_rank, received_at, id LIMIT 1)), alert_id) WHERE 1;
    UPDATE queue_groups SET (alert_waiting, severity_rank, received_at) = (
        SELECT status = 'new', severity_rank, received_at FROM alerts
        WHERE id = queue_groups.alert_id) WHERE 1;
    
"""
"""Version 12 as shipped (frozen: never edit; a change is a new migration)."""


def _v3_feed_state(conn: sqlite3.Connection) -> None:
    """Each feed's polling state, and the claim that keeps an outbox message sent once."""
    run_script(conn, _V3_SQL)


def _v4_access_grants(conn: sqlite3.Connection) -> None:
    """Break-the-glass grants (append-only) for opening a record outside one's care."""
    run_script(conn, _V4_SQL)
    _append_only(conn, "access_grants")


def _v5_dispatch_claims(conn: sqlite3.Connection) -> None:
    """Claims that make each escalation step and reminder happen exactly once."""
    run_script(conn, _V5_SQL)


def _v6_resource_open_hours(conn: sqlite3.Connection) -> None:
    """Opening hours as minute-of-week intervals, so the directory filters "open now" in SQL."""
    from oncall.store.resource_hours import backfill_hours

    run_script(conn, _V6_SQL)
    backfill_hours(conn)


def _v7_resource_prefix_index(conn: sqlite3.Connection) -> None:
    """Rebuild the directory's full-text index with prefix indexes (search as you type)."""
    run_script(conn, _V7_SQL)


def _v8_resource_categories(conn: sqlite3.Connection) -> None:
    """Each resource's categories in an indexed table kept by triggers (the category filter)."""
    run_script(conn, _V8_SQL)


def _v9_resource_position_index(conn: sqlite3.Connection) -> None:
    """An index on position for "nearest first"; it also holds what the filters test.

    A search reads the resources inside a box around the origin from this index alone
    (status, national, 24/7 and the id for opening hours included), not the table.
    """
    conn.execute(
        "CREATE INDEX resources_position ON resources(lon, lat, national, status, always_open, id)"
    )


def _v10_resource_counties(conn: sqlite3.Connection) -> None:
    """Each resource's counties in an indexed table kept by triggers (the county filter)."""
    run_script(conn, _V10_SQL)


def _v11_follow_up_replaces(conn: sqlite3.Connection) -> None:
    """A rescheduled follow-up points at the one it replaces (its attempts count on)."""
    run_script(conn, _V11_SQL)


def _v12_queue_groups(conn: sqlite3.Connection) -> None:
    """The queue one client to a row: groups of open alerts kept as alerts change (backfilled)."""
    run_script(conn, _V12_SQL)


def _v13_review_withdrawal(conn: sqlite3.Connection) -> None:
    """A review recorded on a timeline points at its event; amending that event withdraws it."""
    run_script(
        conn,
        """
        ALTER TABLE safety_plan_reviews ADD COLUMN event_id INTEGER
            REFERENCES timeline_events(id);
        ALTER TABLE safety_plan_reviews ADD COLUMN withdrawn_at TEXT;
        ALTER TABLE safety_plan_reviews ADD COLUMN withdrawn_by_event INTEGER
            REFERENCES timeline_events(id);
        UPDATE safety_plan_reviews SET event_id = (
            SELECT t.id FROM timeline_events t
            WHERE t.episode_id = safety_plan_reviews.episode_id
              AND t.kind = 'safety_plan_review' AND t.at = safety_plan_reviews.reviewed_at
            ORDER BY t.id LIMIT 1
        ) WHERE episode_id IS NOT NULL;
        UPDATE safety_plan_reviews SET
            withdrawn_by_event = (
                SELECT MIN(a.id) FROM timeline_events a
                WHERE a.amends = safety_plan_reviews.event_id
            ),
            withdrawn_at = (
                SELECT a.at FROM timeline_events a
                WHERE a.amends = safety_plan_reviews.event_id ORDER BY a.id LIMIT 1
            )
        WHERE event_id IS NOT NULL
          AND EXISTS (
            SELECT 1 FROM timeline_events a WHERE a.amends = safety_plan_reviews.event_id
          );
        CREATE INDEX safety_plan_reviews_event ON safety_plan_reviews(event_id);
        """,
    )


def _v14_client_records(conn: sqlite3.Connection) -> None:
    """Client edits kept as history, consent as dated records, and care teams (caseloads).

    An edit keeps the earlier value in `client_changes` (one row per field, append-only)
    rather than in the audit log's detail: the audit log is printed and exported for
    access reviews, and old phone numbers and addresses do not belong there; the audit
    entry names the fields and points at the change rows. The consent flags on clients and
    emergency_contacts stay the current state the disclosure checks read; `consents` is
    every grant and revocation behind them (scope, the date the client gave it, who
    recorded it). A care team member's record opens to them like their caseload's.
    """
    run_script(
        conn,
        """
        CREATE TABLE client_changes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            contact_id INTEGER REFERENCES emergency_contacts(id),
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            changed_by INTEGER REFERENCES staff(id),
            changed_at TEXT NOT NULL
        );
        CREATE INDEX client_changes_client ON client_changes(client_id, id);
        CREATE TABLE consents (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            contact_id INTEGER REFERENCES emergency_contacts(id),
            scope TEXT NOT NULL CHECK (scope IN
                ('emergency_contact_disclosure', 'hotline_outcome_report', 'contact')),
            given INTEGER NOT NULL CHECK (given IN (0, 1)),
            dated TEXT NOT NULL,
            recorded_by INTEGER NOT NULL REFERENCES staff(id),
            recorded_at TEXT NOT NULL,
            CHECK ((scope = 'contact') = (contact_id IS NOT NULL))
        );
        CREATE INDEX consents_client ON consents(client_id, id);
        CREATE TABLE care_team (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            added_by INTEGER REFERENCES staff(id),
            added_at TEXT NOT NULL,
            removed_by INTEGER REFERENCES staff(id),
            removed_at TEXT
        );
        -- The access probe (staff, client) and "who is on this client's team".
        CREATE UNIQUE INDEX care_team_current ON care_team(staff_id, client_id)
            WHERE removed_at IS NULL;
        CREATE INDEX care_team_client ON care_team(client_id) WHERE removed_at IS NULL;
        -- A membership is a record: it is ended once, never rewritten or erased.
        CREATE TRIGGER care_team_no_rewrite BEFORE UPDATE ON care_team
        WHEN old.removed_at IS NOT NULL OR new.client_id IS NOT old.client_id
          OR new.staff_id IS NOT old.staff_id OR new.added_at IS NOT old.added_at
          OR new.added_by IS NOT old.added_by
        BEGIN SELECT RAISE(ABORT, 'care_team rows are only ever ended'); END;
        CREATE TRIGGER care_team_no_delete BEFORE DELETE ON care_team
        BEGIN SELECT RAISE(ABORT, 'care_team is append-only: DELETE refused'); END;
        """,
    )
    _append_only(conn, "client_changes")
    _append_only(conn, "consents")


def _v15_client_identity(conn: sqlite3.Connection) -> None:
    """What an EHR import brings beyond the first cut: identifier system, gender, e-mail, language.

    `external_ref` stays the identifier's value (alerts name clients by it);
    `identifier_system` says whose identifier it is (the program's MRN system).
    """
    run_script(
        conn,
        """
        ALTER TABLE clients ADD COLUMN identifier_system TEXT;
        ALTER TABLE clients ADD COLUMN gender TEXT;
        ALTER TABLE clients ADD COLUMN email TEXT;
        ALTER TABLE clients ADD COLUMN language TEXT;
        """,
    )


def _v16_console_carryover(conn: sqlite3.Connection) -> None:
    """A console lock that outlives the console, and drafts of forms cut off unsaved.

    A console quit (or cut off) behind its lock screen must ask for the PIN at the next
    start: the lock is kept per staff member until the right PIN is entered. A dropped
    SSH connection keeps each open form's fields as a draft of its author, one per form
    kind and episode, until it is saved or discarded.
    """
    run_script(
        conn,
        """
        CREATE TABLE console_locks (
            staff_id INTEGER PRIMARY KEY REFERENCES staff(id),
            locked_at TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE form_drafts (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            form_kind TEXT NOT NULL,
            episode_id INTEGER NOT NULL REFERENCES episodes(id),
            title TEXT NOT NULL,
            fields TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            UNIQUE (staff_id, form_kind, episode_id)
        );
        """,
    )


def _v17_client_aliases(conn: sqlite3.Connection) -> None:
    """Another system's reference for a client, learnt when one of its alerts is matched."""
    # Later alerts naming the reference go to that client as they arrive (ingest reads
    # it through people.client_ids_for_refs), instead of waiting again as unknown.
    run_script(
        conn,
        """
        CREATE TABLE client_aliases (
            ref TEXT PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            linked_by INTEGER REFERENCES staff(id),
            linked_at TEXT NOT NULL,
            from_alert INTEGER REFERENCES alerts(id)
        );
        CREATE INDEX client_aliases_client ON client_aliases(client_id);
        """,
    )


def _v18_feed_page_validators(conn: sqlite3.Connection) -> None:
    """Each page of a paged alert feed revalidated on its own (ETag, Last-Modified, next link)."""
    # One validator per feed stopped a poll at page 1's 304, so a record added to page 2
    # was never read. No row after the upgrade: the first poll reads every page whole.
    run_script(
        conn,
        """
        CREATE TABLE feed_pages (
            feed TEXT NOT NULL,
            url TEXT NOT NULL,
            position INTEGER NOT NULL,
            etag TEXT,
            last_modified TEXT,
            next_url TEXT,
            checked_at TEXT NOT NULL,
            PRIMARY KEY (feed, url)
        );
        ALTER TABLE feed_state ADD COLUMN last_pages INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feed_state ADD COLUMN last_pages_unchanged INTEGER NOT NULL DEFAULT 0;
        """,
    )


def _v19_resource_sources(conn: sqlite3.Connection) -> None:
    """Where each directory entry came from, so a sync retires only what its source added."""
    # A sync once marked every entry it did not list inactive, another directory's and
    # hand-imported ones too. Entries stored before this keep no source: no sync retires
    # them until one lists them (and so takes them on).
    run_script(
        conn,
        """
        ALTER TABLE resources ADD COLUMN source TEXT;
        CREATE INDEX resources_source ON resources(source, status);
        """,
    )


def _v20_outbox_routing(conn: sqlite3.Connection) -> None:
    """Outbox messages can be cancelled, and record the target each one was sent to."""
    # A status CHECK cannot be altered in SQLite: the table is rebuilt, rows kept as
    # they are. sent_to is the configured target a message resolved to when it went out
    # (its `target` stays the logical recipient, e.g. staff:<login>).
    run_script(
        conn,
        """
        CREATE TABLE outbox_v20 (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','delivered','failed','cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            delivered_at TEXT,
            last_error TEXT,
            sending_until TEXT,
            sending_by TEXT,
            sent_to TEXT,
            cancelled_at TEXT,
            cancelled_by TEXT
        );
        INSERT INTO outbox_v20 (id, kind, target, payload, idempotency_key, created_at,
            status, attempts, next_attempt_at, delivered_at, last_error, sending_until,
            sending_by)
        SELECT id, kind, target, payload, idempotency_key, created_at, status, attempts,
            next_attempt_at, delivered_at, last_error, sending_until, sending_by FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v20 RENAME TO outbox;
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE INDEX outbox_sent_to ON outbox(sent_to, delivered_at);
        """,
    )


def _v21_client_form_drafts(conn: sqlite3.Connection) -> None:
    """Drafts of forms about a client's record or a new client, which have no episode.

    A draft is one per author, form kind and subject ('episode:N', 'client:N' or 'new
    client'); the episode or client it is about is kept as a reference of its own. The
    UNIQUE constraint cannot be altered in SQLite: the table is rebuilt, drafts kept.
    """
    run_script(
        conn,
        """
        CREATE TABLE form_drafts_v21 (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            form_kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            episode_id INTEGER REFERENCES episodes(id),
            client_id INTEGER REFERENCES clients(id),
            title TEXT NOT NULL,
            fields TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            UNIQUE (staff_id, form_kind, subject)
        );
        INSERT INTO form_drafts_v21 (id, staff_id, form_kind, subject, episode_id, title,
            fields, saved_at)
        SELECT id, staff_id, form_kind, 'episode:' || episode_id, episode_id, title, fields,
            saved_at FROM form_drafts;
        DROP TABLE form_drafts;
        ALTER TABLE form_drafts_v21 RENAME TO form_drafts;
        """,
    )


def _v22_consent_until(conn: sqlite3.Connection) -> None:
    """A consent may be given until a day: the last day it holds (None: until revoked).

    Past it the consent counts as not given; the flag stays as recorded so the record can
    say the consent lapsed, and when.
    """
    run_script(
        conn,
        """
        ALTER TABLE clients ADD COLUMN consent_emergency_contact_until TEXT;
        ALTER TABLE clients ADD COLUMN consent_hotline_report_until TEXT;
        ALTER TABLE emergency_contacts ADD COLUMN consent_until TEXT;
        ALTER TABLE consents ADD COLUMN until TEXT;
        """,
    )


def _v23_leases_beside(conn: sqlite3.Connection) -> None:
    """The leases moved to a file of their own beside the database (store/leases.py): a
    renewal no longer makes every other console re-read. Their rows are not worth keeping."""
    run_script(conn, "DROP TABLE IF EXISTS main.leases;")


def _v24_alert_next_step(conn: sqlite3.Connection) -> None:
    """Waiting alerts in the order their next escalation step falls due (store/schedule.py's
    NEXT_STEP_DAY): the scheduler reads the soonest few instead of every waiting alert.

    Alerts that climbed the settings' two-step chain are left out: nothing is due for them.
    """
    run_script(
        conn,
        """
        CREATE INDEX alerts_next_step ON alerts(
            (julianday(ack_deadline_at)
             + escalation_level * (julianday(ack_deadline_at) - julianday(received_at)))
        ) WHERE status = 'new' AND escalation_level < 2;
        """,
    )


def _v25_queue_totals(conn: sqlite3.Connection) -> None:
    """The counts above the queue (clients, open alerts, waiting) in one row kept by triggers
    as `queue_groups` changes: summing 20,000 client rows on every change of a 200,000-alert
    flood cost each console 2-3 ms, and more with the queue's length (backfilled)."""
    run_script(
        conn,
        """
        CREATE TABLE queue_totals (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            clients INTEGER NOT NULL,
            open_alerts INTEGER NOT NULL,
            waiting INTEGER NOT NULL
        );
        INSERT INTO queue_totals (id, clients, open_alerts, waiting)
        SELECT 1, COUNT(*), COALESCE(SUM(open_alerts), 0), COALESCE(SUM(waiting), 0)
        FROM queue_groups;
        CREATE TRIGGER queue_totals_insert AFTER INSERT ON queue_groups BEGIN
            UPDATE queue_totals SET clients = clients + 1,
                open_alerts = open_alerts + new.open_alerts, waiting = waiting + new.waiting;
        END;
        CREATE TRIGGER queue_totals_update AFTER UPDATE OF open_alerts, waiting ON queue_groups
        BEGIN
            UPDATE queue_totals SET open_alerts = open_alerts + new.open_alerts - old.open_alerts,
                waiting = waiting + new.waiting - old.waiting;
        END;
        CREATE TRIGGER queue_totals_delete AFTER DELETE ON queue_groups BEGIN
            UPDATE queue_totals SET clients = clients - 1,
                open_alerts = open_alerts - old.open_alerts, waiting = waiting - old.waiting;
        END;
        """,
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("core tables", _v1_core),
    ("resource full-text search", _v2_resource_search),
    ("feed state and outbox sending claims", _v3_feed_state),
    ("break-the-glass access grants", _v4_access_grants),
    ("dispatch claims for escalations and reminders", _v5_dispatch_claims),
    ("resource opening hours for open-now search", _v6_resource_open_hours),
    ("resource search prefix indexes", _v7_resource_prefix_index),
    ("resource categories table", _v8_resource_categories),
    ("resource position index for nearest first", _v9_resource_position_index),
    ("resource counties table", _v10_resource_counties),
    ("rescheduled follow-ups linked to the one they replace", _v11_follow_up_replaces),
    ("queue grouped by client", _v12_queue_groups),
    ("safety-plan reviews withdrawn by an amendment", _v13_review_withdrawal),
    ("client edit history, consent records and care teams", _v14_client_records),
    ("client identifier system, gender, e-mail and language", _v15_client_identity),
    ("console locks and form drafts that outlive a console", _v16_console_carryover),
    ("client reference aliases learnt from matched alerts", _v17_client_aliases),
    ("feed page validators, one per page", _v18_feed_page_validators),
    ("the source of each directory entry", _v19_resource_sources),
    ("outbox messages cancelled and their sent-to target", _v20_outbox_routing),
    ("drafts of client forms, keyed by what each form is about", _v21_client_form_drafts),
    ("consent given until a day", _v22_consent_until),
    ("dispatcher leases in a file of their own", _v23_leases_beside),
    ("waiting alerts by when their next escalation step falls due", _v24_alert_next_step),
    ("the queue's totals kept as its client groups change", _v25_queue_totals),
]

LATEST = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version the file is at (0 for a new file)."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(store: Store, target: int = LATEST) -> int:
    """Bring the file up to `target` in one transaction; refuse a newer file."""
    with store.write() as conn:
        version = current_version(conn)
        if version > LATEST:
            raise SchemaTooNew(
                f"The database {store.path} is at schema version {version}, newer than "
                f"this oncall understands (version {LATEST}). Upgrade oncall to open it."
            )
        for number in range(version + 1, target + 1):
            _name, step = MIGRATIONS[number - 1]
            step(conn)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        return max(version, target)
