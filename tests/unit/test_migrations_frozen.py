"""Shipped migrations never change: each one's code and the schema it leaves are pinned.

A database in the field was made by the migrations as they were when it was made; a
later edit to one (or to SQL it borrowed from elsewhere) would give new databases a
schema that old ones never get. So each migration's SQL is a literal of its own, and
this test pins, per version, a hash of the function's source and of the schema after
it ran. A new migration is appended with its pin; a changed pin means a shipped
migration was edited: undo that and write a new migration instead.
"""

from __future__ import annotations

import hashlib
import inspect
import sqlite3

from oncall.store import schema

# version: (hash of the migration function's source, hash of sqlite_master after it)
PINS: dict[int, tuple[str, str]] = {
    1: ("5c462cc7232b4dc0", "f843e92ace4741e3"),
    2: ("ca89dbb718f2927d", "88d7c9bf25283752"),
    3: ("9b337c6fa29b4ca9", "54e87a6f8d7e954c"),
    4: ("687e8ac6b236ca1b", "80a45bfa394949ad"),
    5: ("42fa70f4ba4cd1ef", "524429a47f819d4a"),
    6: ("9dcbe16550c4b11c", "5d15b457e168ec66"),
    7: ("121ba16d2c086d4d", "791c45d10ae31195"),
    8: ("26a2d0142b89dadc", "a81d20ecd19f0f29"),
    9: ("b8af408ddc513e37", "eeef2c60f536342f"),
    10: ("49827c6e5d1a4de7", "011997d33a888b8e"),
    11: ("e3dd01fb3df6573e", "04616e4e205f6ddf"),
    12: ("eb7375670047147f", "271ec124d29a129a"),
    13: ("e59087a61ec97193", "e403a1b7d67ae815"),
    14: ("81947f56e1f612b9", "99ae941dd1ce6063"),
    15: ("152b5f3940a922c9", "b79f114bf98c157f"),
    16: ("f9202a358754e3ef", "d1cdf8e5ab1fd01e"),
    17: ("ac02c8af0d3d0a61", "70cd46fd6118d94c"),
    18: ("92265f4941d077f2", "a7d25b5609b1f467"),
    19: ("1eaba2396544f5cb", "f169c8e2b1846892"),
    20: ("a022787d5cc76dff", "c420eeafeb7854ae"),
    21: ("26b38f674efa73c1", "3ff5b9cfe405f3f8"),
    22: ("32bd79b75e962cae", "276d1cc5c79bf9f2"),
    23: ("8d361360b8377b4e", "28d5c62e72280331"),
    24: ("d02d593a57bf6b84", "65e7d89c2cd47ae1"),
    25: ("5ac1655cb495edac", "14a4fedfdc0bdd7b"),
}


def _source_hash(step: schema.Migration) -> str:
    return hashlib.sha256(inspect.getsource(step).encode()).hexdigest()[:16]


def _schema_hashes() -> list[str]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("BEGIN")
    hashes = []
    for _name, step in schema.MIGRATIONS:
        step(conn)
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        hashes.append(hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    conn.close()
    return hashes


def test_every_shipped_migration_is_exactly_as_pinned() -> None:
    found = {
        number: (_source_hash(step), after)
        for number, ((_name, step), after) in enumerate(
            zip(schema.MIGRATIONS, _schema_hashes(), strict=True), start=1
        )
    }
    changed = [n for n in PINS if n in found and found[n] != PINS[n]]
    assert not changed, (
        f"shipped migration(s) {changed} changed: never edit a shipped migration (or SQL "
        "or a helper it runs); undo the edit and append a new migration instead"
    )
    missing = [n for n in PINS if n not in found]
    assert not missing, f"shipped migration(s) {missing} were removed"
    unpinned = {n: found[n] for n in found if n not in PINS}
    assert not unpinned, "pin each new migration in PINS: " + ", ".join(
        f"{n}: {pin!r}" for n, pin in unpinned.items()
    )


def test_migrations_take_no_sql_from_feature_modules() -> None:
    text = inspect.getsource(schema)
    assert "MIGRATION_SQL" not in text
    assert "from oncall.store." not in text.replace("from oncall.store.errors", "").replace(
        "from oncall.store.db", ""
    ).replace("from oncall.store.resource_hours import backfill_hours", "")
